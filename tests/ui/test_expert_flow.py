"""The story end to end in Debian's chromium: at a phone viewport an expert logs in, goes online,
gets an offer posted through the company API, accepts and answers; the company dashboard (live
over /company) shows it answered. Script in the question and the answer stays inert throughout.
Screenshots of each screen go to tests/artifacts/ui/."""

from __future__ import annotations

import re

import pytest

from tests.ui.site import (
    XSS_BODY,
    XSS_SUBJECT,
    assert_inert,
    go_online,
    open_dashboard,
    open_phone,
    shot,
    watch,
)

pytestmark = pytest.mark.browser

ANSWER = (
    "Turn off Background refresh in Settings > Battery, then restart.\n"
    "<script>window.__xss=4</script>&lt;img src=x onerror=window.__xss=5&gt; works too."
)
# What the server keeps: tags stripped (script contents dropped), entities decoded to text.
STORED_ANSWER_PART = "<img src=x onerror=window.__xss=5> works too."


def test_an_expert_answers_an_offer_and_the_dashboard_sees_it(playwright_browser, site):
    dashboard_context, dashboard = open_dashboard(playwright_browser, site)
    phone_context, phone = open_phone(playwright_browser, site, "flow")
    problems = watch(dashboard) + watch(phone)
    try:
        shot(phone, "expert-01-offers-away")
        go_online(phone)
        shot(phone, "expert-02-online")

        question = site.post_question(subject=XSS_SUBJECT, body=XSS_BODY, priority=8)
        card = phone.locator("[data-testid=offer-card]", has_text=XSS_SUBJECT)
        card.wait_for(timeout=15000)
        assert XSS_SUBJECT in card.locator("h2").inner_text()
        assert "<script>window.__xss=2</script>" in card.inner_text()
        assert card.locator("img, script, svg, b").count() == 0
        assert re.search(r"CN¥8\.80", card.inner_text())
        assert phone.evaluate("document.documentElement.dataset.lastAlert") is not None
        assert (
            phone.locator("[role=alert][aria-live=assertive]").inner_text().startswith("New offer")
        )
        assert_inert(phone)
        shot(phone, "expert-03-offer-card")

        card.locator("[data-testid=accept]").click()
        phone.wait_for_selector("[data-testid=answer-body]")
        assert phone.url.endswith("#work/" + phone.url.rsplit("/", 1)[-1])
        phone.fill("[data-testid=answer-body]", ANSWER)
        counter = phone.locator("[data-testid=counter]").inner_text()
        assert counter == f"{len(ANSWER)} / 5,000 characters"
        shot(phone, "expert-04-composer")
        phone.click("[data-testid=send-answer]")
        phone.wait_for_selector("text=Answer sent.")
        phone.wait_for_selector("text=No questions to answer.")
        shot(phone, "expert-05-answer-sent")

        # The dashboard heard it live on /company: the feed and the tiles move without a reload.
        dashboard.wait_for_selector("[data-testid=live-feed] li[data-event='question.answered']")
        dashboard.wait_for_function(
            "() => document.querySelector("
            "'[data-testid=queue-tiles] [data-status=answered] strong')?.textContent === '1'"
        )
        shot(dashboard, "dashboard-01-live-queue", full_page=True)

        dashboard.goto(f"/dashboard#questions/{question['id']}")
        dashboard.wait_for_selector("[data-testid=answer-body]")
        assert dashboard.locator("[data-testid=question-subject]").inner_text() == XSS_SUBJECT
        assert (
            "<script>window.__xss=2</script>"
            in dashboard.locator("[data-testid=question-body]").inner_text()
        )
        answer_text = dashboard.locator("[data-testid=answer-body]").inner_text()
        assert answer_text.startswith("Turn off Background refresh")
        assert STORED_ANSWER_PART in answer_text
        assert "Answered" in dashboard.locator(".status").first.inner_text()
        trail = dashboard.locator("[data-testid=trail]").inner_text()
        assert "Posted" in trail and "Claimed by an expert" in trail and "Answer submitted" in trail
        shot(dashboard, "dashboard-02-question-detail", full_page=True)

        # The customer's verdict, recorded from the dashboard, reaches the expert's feedback.
        dashboard.select_option("select[name=rating]", "4")
        dashboard.select_option("select[name=resolved]", "true")
        dashboard.click("text=Record feedback")
        dashboard.wait_for_selector("text=★★★★☆")

        dashboard.goto("/dashboard#questions")
        row = dashboard.locator(f"tr[data-id='{question['id']}']")
        row.wait_for()
        assert row.get_attribute("data-status") == "answered"
        assert XSS_SUBJECT in row.inner_text()
        shot(dashboard, "dashboard-03-questions", full_page=True)

        dashboard.goto("/dashboard#webhook")  # the same events went out as signed webhooks
        deliveries = dashboard.locator("[data-testid=deliveries] tbody")
        deliveries.locator("td", has_text="Answered").first.wait_for()
        assert "Assigned" in deliveries.inner_text()
        shot(dashboard, "dashboard-05a-webhook-deliveries", full_page=True)

        dashboard.goto("/dashboard#analytics")
        dashboard.wait_for_selector("[data-testid=chart-volume] canvas")
        dashboard.wait_for_selector("[data-testid=chart-csat] canvas")
        assert "4" in dashboard.locator(".tiles").inner_text()
        shot(dashboard, "dashboard-04-analytics", full_page=True)

        phone.click("[data-testid=tab-me]")
        mine = phone.locator("[data-testid=my-answer]").first
        mine.wait_for()
        mine.locator("summary").click()
        assert XSS_SUBJECT in mine.inner_text()
        assert "Customer: ★★★★☆ · resolved" in mine.inner_text()
        shot(phone, "expert-06-me")
        phone.click("[data-testid=tab-earnings]")
        phone.locator(".balances .stats").wait_for()  # the accepted answer's reward
        shot(phone, "expert-07-earnings")

        assert_inert(phone)
        assert_inert(dashboard)
        assert problems == []
    finally:
        phone_context.close()
        dashboard_context.close()
