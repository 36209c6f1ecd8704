"""The dashboard's other screens in the browser: upload with a per-row error report, API keys,
webhook settings and deliveries, pool settings, and script in text staying inert in the queue.
Also an expert signing up and finding the pools to apply to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.ui.site import XSS_SUBJECT, assert_inert, open_console, open_dashboard, shot, watch

pytestmark = pytest.mark.browser

CSV = (
    "external_id,channel,subject,body,language,reward,reward_currency,tags,priority\r\n"
    'csv-1,wechat,退货运费谁出？,"我想退货，\n运费由谁承担？",zh,8.00,CNY,returns|shipping,5\r\n'
    "csv-2,fax,Bad channel,Body,en,8.00,CNY,,5\r\n"
    "csv-3,email,Bad reward,Body,en,8.001,CNY,,5\r\n"
    "csv-4,email,Too urgent,Body,en,5.00,CNY,,12\r\n"
)
JSONL = (
    '{"external_id": "jl-1", "channel": "app", "subject": "Strap size", "body": "Too small.",'
    ' "language": "en", "reward": {"amount": 500, "currency": "CNY"}}\n'
    "{not json}\n"
)


def test_upload_reports_each_failing_row(playwright_browser, site):
    context, page = open_dashboard(playwright_browser, site)
    problems = watch(page)
    try:
        page.click("[data-testid=tab-upload]")
        page.set_input_files(
            "#upload-file",
            files=[{"name": "queue.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
        )
        page.click("form button[type=submit]")
        page.wait_for_selector("[data-testid=upload-report] table")
        assert page.locator("[data-testid=upload-created]").inner_text() == "1"
        assert page.locator("[data-testid=upload-failed]").inner_text() == "3"
        progress = page.locator("[data-testid=upload-progress]")
        assert progress.get_attribute("value") == progress.get_attribute("max") == "4"
        rows = page.locator("[data-testid=upload-report] tbody tr")
        assert [rows.nth(i).get_attribute("data-line") for i in range(3)] == ["4", "5", "6"]
        assert "channel" in rows.nth(0).inner_text() and "422" in rows.nth(0).inner_text()
        assert "not sent" in rows.nth(1).inner_text() and "8.001" in rows.nth(1).inner_text()
        assert "priority" in rows.nth(2).inner_text()
        shot(page, "dashboard-06-upload-report", full_page=True)

        page.set_input_files(
            "#upload-file",
            files=[
                {
                    "name": "queue.jsonl",
                    "mimeType": "application/x-ndjson",
                    "buffer": JSONL.encode(),
                }
            ],
        )
        page.click("form button[type=submit]")
        page.wait_for_selector("[data-testid=upload-report] tr[data-line='2']")
        assert page.locator("[data-testid=upload-created]").inner_text() == "1"
        listed = site.api("GET", "/questions?limit=200")[1]
        ids = {q["external_id"] for q in listed["items"]}
        assert {"csv-1", "jl-1"} <= ids and not ids & {"csv-2", "csv-3", "csv-4"}
        body = next(q for q in listed["items"] if q["external_id"] == "csv-1")["body"]
        assert body == "我想退货，\n运费由谁承担？"
    finally:
        context.close()
    assert problems == []


def test_keys_webhook_and_pool_settings(playwright_browser, site):
    context, page = open_dashboard(playwright_browser, site)
    problems = watch(page, accept_confirms=True)
    try:
        page.click("[data-testid=tab-keys]")
        page.fill("#key-name", "crm export")
        page.click("text=Create key")
        secret = page.locator("[data-testid=new-secret]").inner_text()
        assert secret.startswith("mk_")
        row = page.locator("[data-testid=keys-table] tr", has_text="crm export")
        row.wait_for()
        assert secret not in page.locator("[data-testid=keys-table]").inner_text()
        shot(page, "dashboard-07-api-keys", full_page=True)
        key_headers = {"Authorization": f"Bearer {secret}"}
        assert page.request.get("/api/v1/account", headers=key_headers).status == 200
        row.locator("text=Revoke").click()
        page.wait_for_selector("[data-testid=keys-table] tr:has-text('crm export') >> text=Revoked")
        assert page.request.get("/api/v1/account", headers=key_headers).status == 401

        page.click("[data-testid=tab-webhook]")
        page.wait_for_selector("text=Sending to http://127.0.0.1:9/hooks")
        page.fill("#webhook-url", "http://127.0.0.1:9/hooks/v2")
        page.click("text=Generate a secret")
        assert len(page.input_value("#webhook-secret")) == 48
        page.click("form button[type=submit]")
        page.wait_for_selector("text=Sending to http://127.0.0.1:9/hooks/v2")
        hook = site.api("GET", "/webhook")[1]
        assert hook["url"] == "http://127.0.0.1:9/hooks/v2" and "secret" not in hook
        page.wait_for_selector("[data-testid=deliveries] tbody tr")
        shot(page, "dashboard-08-webhook", full_page=True)

        page.click("[data-testid=tab-pools]")
        pool = page.locator("[data-testid=pool-default]")
        pool.locator("input[name=offer_timeout_seconds]").fill("90")
        pool.locator("select[name=offer_mode]").select_option("broadcast")
        pool.locator("input[name=broadcast_k]").fill("4")
        audit = pool.locator("[data-testid=audit-settings]")
        assert audit.locator("[name='audit.sample_rates.vetted']").input_value() == "0"  # seed
        audit.locator("[name='audit.sample_rates.trusted']").fill("0.05")
        audit.locator("[name='audit.low_rating']").select_option("3")
        saved_form = pool.get_attribute("data-updated")
        pool.locator("button[type=submit]").click()
        page.wait_for_selector("text=Saved")
        reloaded_pool(page, saved_form)
        assert site.api("GET", "/pools/default")[0] == 200
        saved = site.api("GET", "/pools/default")[1]
        assert saved["settings"]["offer_timeout_seconds"] == 90
        assert saved["offer_mode"] == "broadcast" and saved["effective"]["broadcast_k"] == 4
        assert saved["audit"] == {
            "sample_rates": {"vetted": 0.0, "trusted": 0.05},
            "low_rating": 3,
        }
        assert saved["audit_effective"]["low_rating"] == 3
        assert saved["reward_table"] is None

        # The reward table: a bad amount is marked on its input and nothing is sent.
        pool = page.locator("[data-testid=pool-default]")
        table = pool.locator("[data-testid=reward-table]")
        assert "No rows" in table.inner_text()
        table.locator("[data-testid=reward-add-row]").click()
        table.locator("[name='reward_table.rows.0.amount']").fill("8.001")
        table.locator("[data-testid=reward-add-row]").click()
        table.locator("[name='reward_table.rows.1.channel']").select_option("phone")
        table.locator("[name='reward_table.rows.1.min_priority']").select_option("7")
        table.locator("[name='reward_table.rows.1.amount']").fill("20")
        pool.locator("button[type=submit]").click()
        table.locator(".field-error", has_text="CNY").wait_for()
        assert site.api("GET", "/pools/default")[1]["reward_table"] is None
        table.locator("[name='reward_table.rows.0.amount']").fill("8.00")
        saved_form = pool.get_attribute("data-updated")
        pool.locator("button[type=submit]").click()
        reloaded_pool(page, saved_form).locator("text=the first row pays").wait_for()
        assert site.api("GET", "/pools/default")[1]["reward_table"] == {
            "currency": "CNY",
            "rows": [
                {"channel": None, "min_priority": 0, "amount": 800},
                {"channel": "phone", "min_priority": 7, "amount": 2000},
            ],
        }
        reloaded = page.locator("[data-testid=pool-default] [data-testid=reward-table]")
        assert reloaded.locator("[name='reward_table.rows.1.amount']").input_value() == "20.00"
        shot(page, "dashboard-09-pools", full_page=True)
        # A question posted without a reward is priced by the table (then withdrawn, so it
        # is offered to nobody in the later tests).
        for channel, priority, amount in [("phone", 8, 2000), ("email", 8, 800)]:
            status, posted = site.api(
                "POST",
                "/questions",
                {
                    "external_id": f"table-{channel}",
                    "channel": channel,
                    "subject": "Priced by the table",
                    "body": "No reward in the body.",
                    "language": "en",
                    "priority": priority,
                },
            )
            assert status == 201, posted
            assert posted["reward"] == {"amount": amount, "currency": "CNY"}
            assert site.api("POST", f"/questions/{posted['id']}/cancel")[0] == 200
        site.api(
            "PATCH",
            "/pools/default",
            {
                "offer_mode": None,
                "broadcast_k": None,
                "offer_timeout_seconds": 120,
                "audit": {"sample_rates": {"trusted": None}, "low_rating": None},
                "reward_table": None,
            },
        )
    finally:
        context.close()
    assert problems == []


def reloaded_pool(page, saved_form):
    """The default pool's form once the screen has reloaded it after a save."""
    selector = f"[data-testid=pool-default]:not([data-updated='{saved_form}'])"
    page.wait_for_selector(selector)
    return page.locator(selector)


def test_script_in_text_stays_inert_on_the_queue_and_list(playwright_browser, site):
    soon = (datetime.now(UTC) + timedelta(minutes=20)).isoformat()
    site.post_question(subject=XSS_SUBJECT + " (at risk)", sla_deadline=soon, tags=["billing"])
    context, page = open_dashboard(playwright_browser, site)
    problems = watch(page)
    try:
        risky = page.locator("text=(at risk)")
        risky.first.wait_for()
        assert XSS_SUBJECT in risky.first.inner_text()
        shot(page, "dashboard-10-queue-at-risk", full_page=True)
        page.click("[data-testid=tab-questions]")
        page.wait_for_selector("[data-testid=questions-table] tbody tr")
        assert page.locator("[data-testid=questions-table] img").count() == 0
        assert_inert(page)
    finally:
        context.close()
    assert problems == []


def test_an_expert_signs_up_and_sees_the_pools_to_apply_to(playwright_browser, site):
    context = playwright_browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=site.base,
    )
    page = context.new_page()
    problems = watch(page)
    try:
        page.goto("/app/")
        page.click("[data-testid=to-signup]")
        page.fill("input[name=email]", "new.fan@ui.test")
        page.fill("input[name=password]", "short")
        page.fill("input[name=display_name]", "新粉丝")
        page.fill("input[name=skills]", "battery:4, screen")
        page.click("form button[type=submit]")
        page.wait_for_selector(".field-error")  # the server's message, next to the field
        shot(page, "expert-12-signup-error")
        page.fill("input[name=password]", "long-enough-pass")
        page.click("form button[type=submit]")
        page.wait_for_selector("text=可申请的专家池")
        page.wait_for_selector("text=你还没有加入任何专家池。")
        aurora = page.locator(".pool", has_text="Aurora").filter(has_not_text="newcomers")
        aurora.locator("text=申请加入").click()
        # No gold questions in this pool: no test, the application waits for a moderator.
        aurora.locator("text=审核中").wait_for()
        shot(page, "expert-13-signed-up-pools")

        # The moderator vets it in the console.
        console_context, console = open_console(playwright_browser, site)
        problems += watch(console)
        try:
            console.click("[data-testid=tab-applications]")
            application = console.locator("[data-testid=application]", has_text="Aurora")
            application.wait_for()
            assert "no test" in application.inner_text()
            shot(console, "moderator-07-vetting", full_page=True)
            application.locator("[data-testid=approve-application]").click()
            console.wait_for_selector("text=Approved.")
            console.wait_for_selector("text=No applications waiting.")
        finally:
            console_context.close()
        page.reload()
        aurora.locator("text=试用期").wait_for()  # in the pool, on probation
    finally:
        context.close()
    assert [p for p in problems if "404" not in p] == []
