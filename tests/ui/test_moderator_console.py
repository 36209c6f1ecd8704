"""The moderator's part of the story in Debian's chromium: at a phone viewport a probation expert
goes online, gets an offer posted through the company API, accepts and answers (with script in
it); the moderator console (desktop) hears of the held answer live over /moderator, claims it,
sees it beside its question with its checks and the expert's history, switches to Chinese and
back, and rejects it with a reason; the expert's phone then shows that reason. The script in the
question and the answer stays inert in the console. The expert appeals, and a second moderator
hears of it live and overturns the rejection. Then an approval with an edit (the company
gets the edited text) and a warning given from the expert's record; and other roles are turned
away. Screenshots go to tests/artifacts/ui/."""

from __future__ import annotations

import pytest

from tests.ui.site import (
    XSS_BODY,
    XSS_SUBJECT,
    assert_inert,
    go_online,
    open_console,
    open_phone,
    shot,
    watch,
)

pytestmark = pytest.mark.browser

ANSWER = (
    "Charge it to 100% once.\n"
    "<script>window.__xss=6</script>&lt;img src=x onerror=window.__xss=7&gt; then wait."
)
STORED_ANSWER_PART = "<img src=x onerror=window.__xss=7> then wait."
INCOMPLETE = "The answer leaves out part of the question."


def test_a_moderator_rejects_a_held_answer_and_the_expert_sees_why(playwright_browser, site):
    console_context, console = open_console(playwright_browser, site)
    phone_context, phone = open_phone(playwright_browser, site, "probation")
    problems = watch(console) + watch(phone)
    try:
        console.wait_for_selector("[data-testid=queue-list] .empty")
        console.locator("[data-testid=shortcuts]").wait_for()
        assert "approve" in console.locator("[data-testid=shortcuts]").inner_text()
        shot(console, "moderator-01-empty-queue")

        go_online(phone)
        site.post_question(subject=XSS_SUBJECT, body=XSS_BODY, pool=site.probation_pool)
        card = phone.locator("[data-testid=offer-card]", has_text=XSS_SUBJECT)
        card.wait_for(timeout=15000)
        card.locator("[data-testid=accept]").click()
        phone.fill("[data-testid=answer-body]", ANSWER)
        phone.click("[data-testid=send-answer]")
        phone.wait_for_selector("text=Answer sent.")

        # Live over /moderator: the held answer arrives without a reload.
        item = console.locator("[data-testid=queue-item]")
        item.wait_for(timeout=15000)
        assert item.count() == 1
        assert item.locator("[data-reason=probation]").count() == 1
        assert "Decides the outcome" in item.inner_text()
        assert "Aurora newcomers" in item.inner_text()
        newcomers = console.locator("[data-testid=filter-pool] option", has_text="newcomers")
        console.select_option("[data-testid=filter-pool]", newcomers.get_attribute("value"))
        console.select_option("[data-testid=filter-reason]", "complaint")
        console.wait_for_selector("[data-testid=queue-list] .empty")
        console.select_option("[data-testid=filter-reason]", "probation")
        item.wait_for()
        shot(console, "moderator-02-queue-live", full_page=True)

        console.keyboard.press("n")  # claim the next item
        answer = console.locator("[data-testid=item-answer-body]")
        answer.wait_for()
        assert answer.inner_text().startswith("Charge it to 100% once.")
        assert STORED_ANSWER_PART in answer.inner_text()
        subject = console.locator("[data-testid=item-question-subject]").inner_text()
        assert subject == XSS_SUBJECT
        body = console.locator("[data-testid=item-question-body]").inner_text()
        assert "<script>window.__xss=2</script>" in body
        panel = console.locator("[data-testid=item-panel]")
        assert panel.locator("img, script, svg, b").count() == 0
        assert "Yours for" in console.locator("[data-testid=claim-clock]").inner_text()
        console.locator("[data-testid=item-checks] [data-testid=signals] li").first.wait_for()
        assert "No earlier answers" in console.locator("[data-testid=item-history]").inner_text()
        console.wait_for_selector("[data-testid=queue-list] .empty")  # claimed: off the list
        assert_inert(console)
        shot(console, "moderator-03-claimed-item", full_page=True)

        # 简体中文: the console re-renders in Chinese and keeps the claimed answer.
        console.select_option("[data-testid=lang-switch]", "zh-CN")
        console.wait_for_selector("h1:has-text('审核队列')")
        console.wait_for_selector("[data-testid=item-answer-body]")
        assert console.evaluate("document.documentElement.lang") == "zh-CN"
        assert "驳回" in console.locator("[data-testid=reject]").inner_text()
        assert "快捷键" in console.locator("[data-testid=shortcuts]").inner_text()
        shot(console, "moderator-04-zh-CN", full_page=True)
        console.select_option("[data-testid=lang-switch]", "en")
        console.wait_for_selector("h1:has-text('Audit queue')")
        console.wait_for_selector("[data-testid=item-answer-body]")

        console.keyboard.press("r")  # reject: choose reasons, then send
        console.wait_for_selector("[data-testid=reason-incomplete]")
        console.keyboard.press("2")  # the second reason, incomplete
        assert console.locator("[data-testid=reason-incomplete]").is_checked()
        console.fill("[data-testid=verdict-note]", "Say how long to wait.")
        shot(console, "moderator-05-reject-reasons", full_page=True)
        console.click("[data-testid=send-reject]")
        console.wait_for_selector("text=Rejected.")
        console.wait_for_selector("text=Claim an answer to audit it")
        assert console.locator("[data-testid=queue-item]").count() == 0

        # The expert's phone shows the verdict and its reason on the Me screen.
        phone.click("[data-testid=tab-me]")
        mine = phone.locator("[data-testid=my-answer]", has_text=XSS_SUBJECT).first
        mine.locator("[data-testid=verdict][data-verdict=reject]").wait_for(state="attached")
        mine.locator("summary").first.click()
        verdict = mine.locator("[data-testid=verdict]")
        assert INCOMPLETE in verdict.inner_text()
        assert "Say how long to wait." in verdict.inner_text()
        assert "Appeal this rejection" in verdict.inner_text()
        verdict.scroll_into_view_if_needed()
        phone.evaluate("document.querySelector('.toasts')?.replaceChildren()")  # transient
        shot(phone, "expert-08-rejected-with-reason")

        # The expert appeals; another moderator hears of it live and overturns the rejection.
        second_context, second = open_console(playwright_browser, site, moderator=1)
        problems += watch(second)
        try:
            second.click("[data-testid=tab-disputes]")
            second.wait_for_selector("text=No appeals.")
            verdict.locator("summary").click()
            verdict.locator("[data-testid=appeal-note]").fill("Waiting is in the second line.")
            verdict.locator("button[type=submit]").click()
            phone.wait_for_selector("text=Your appeal is waiting for a moderator.")
            dispute = second.locator("[data-testid=dispute]")
            dispute.wait_for(timeout=15000)  # live: dispute.created
            assert "Waiting is in the second line." in dispute.inner_text()
            dispute.locator("summary").click()
            dispute.locator(".dispute-answer .text", has_text="Charge it to 100%").wait_for()
            assert_inert(second)
            shot(second, "moderator-10-dispute", full_page=True)
            dispute.locator("[data-testid=overturn]").click()
            second.wait_for_selector("text=Overturned: the answer is accepted.")
            second.wait_for_selector("text=No appeals.")
        finally:
            second_context.close()
        console.click("[data-testid=tab-disputes]")  # not the rejecting moderator's to decide
        console.wait_for_selector("text=No appeals.")
        phone.reload()
        phone.click("[data-testid=tab-me]")
        mine = phone.locator("[data-testid=my-answer]", has_text=XSS_SUBJECT).first
        mine.locator("text=Your appeal was granted").wait_for(state="attached")

        for page in (console, phone):
            assert_inert(page)
        assert problems == []
    finally:
        phone_context.close()
        console_context.close()


def test_a_moderator_approves_with_an_edit_and_warns_the_expert(playwright_browser, site):
    console_context, console = open_console(playwright_browser, site)
    phone_context, phone = open_phone(playwright_browser, site, "probation")
    problems = watch(console, accept_confirms=True) + watch(phone)
    try:
        go_online(phone)
        question = site.post_question(subject="Screen flickers", pool=site.probation_pool)
        card = phone.locator("[data-testid=offer-card]", has_text="Screen flickers")
        card.wait_for(timeout=15000)
        card.locator("[data-testid=accept]").click()
        phone.fill("[data-testid=answer-body]", "Lower the brightness, then update the phone.")
        phone.click("[data-testid=send-answer]")
        phone.wait_for_selector("text=Answer sent.")

        item = console.locator("[data-testid=queue-item]")
        item.wait_for(timeout=15000)
        item.locator("[data-testid=claim]").click()
        console.wait_for_selector("[data-testid=item-answer-body]")
        record = console.locator("[data-testid=item-history] [data-testid=expert-link]")
        record_href = record.get_attribute("href")
        console.keyboard.press("e")
        edit = console.locator("[data-testid=edit-body]")
        assert edit.input_value() == "Lower the brightness, then update the phone."
        edit.fill("Lower the brightness in Settings > Display, then update the phone.")
        shot(console, "moderator-08-approve-with-edit", full_page=True)
        console.click("[data-testid=send-edit]")
        console.wait_for_selector("text=Approved with your edit.")

        # The company receives the edited text once the verdict releases the held answer.
        status, detail = site.api("GET", f"/questions/{question['id']}")
        assert status == 200 and detail["answer"]["body"].startswith("Lower the brightness in")

        # The expert's record shows the verdict; a warning is given from there.
        console.goto("/moderator" + record_href)
        page = console.locator("[data-testid=expert-record]")
        page.locator("text=Approved with edit").wait_for()
        console.click("[data-testid=sanction-expert-link]")
        console.wait_for_selector("[data-testid=sanction-form]")
        assert console.input_value("[data-testid=sanction-expert]") == record_href.split("/")[-1]
        assert console.locator("[data-testid=sanction-kind] option[value=ban]").count() == 0
        console.click("[data-testid=sanction-submit]")  # no reason: the browser asks for one
        console.fill("[data-testid=sanction-reason]", "Check the settings path before answering.")
        console.click("[data-testid=sanction-submit]")
        console.wait_for_selector("text=Sanction recorded.")
        row = console.locator("[data-testid=sanction-row][data-kind=warn]").first
        row.wait_for()
        assert "Check the settings path" in row.inner_text()
        shot(console, "moderator-09-sanctions", full_page=True)
        for page_ in (console, phone):
            assert_inert(page_)
        assert problems == []
    finally:
        phone_context.close()
        console_context.close()


def test_the_console_turns_other_roles_away(playwright_browser, site):
    phone_context, phone = open_phone(playwright_browser, site, "lang")
    try:
        phone.goto("/moderator")
        phone.wait_for_selector("text=This page is for another role")
        assert "expert" in phone.locator("main").inner_text()
        shot(phone, "moderator-06-wrong-role")
    finally:
        phone_context.close()
