"""Languages (zh-CN from the browser, the switch, persistence, locale formats) and a dropped
connection (offline banner, the cached shell, pending offers restored on reconnect)."""

from __future__ import annotations

import pytest

from tests.ui.site import assert_inert, go_online, open_dashboard, open_phone, shot, watch

pytestmark = pytest.mark.browser


def test_the_zh_cn_switch_and_locale_formats(playwright_browser, site):
    context, phone = open_phone(playwright_browser, site, "lang", locale="en-US")
    problems = watch(phone)
    try:
        assert phone.locator("[data-testid=tab-offers]").inner_text().endswith("Offers")
        phone.click("[data-testid=tab-me]")
        phone.select_option("[data-testid=lang-switch]", "zh-CN")
        phone.wait_for_selector("[data-testid=tab-offers] >> text=派单")
        assert phone.evaluate("document.documentElement.lang") == "zh-CN"
        assert phone.locator("h1").first.inner_text() == "我的"
        shot(phone, "expert-08-me-zh-CN")
        phone.reload()  # the choice is remembered
        phone.wait_for_selector("[data-testid=tab-me] >> text=我的")
        go_online(phone)
        assert phone.locator(".availability-state").inner_text() == "你在线"
        site.post_question(
            subject="屏幕闪烁怎么办？", body="亮度低于 20% 时屏幕会闪。", language="zh"
        )
        card = phone.locator("[data-testid=offer-card]", has_text="屏幕闪烁怎么办？")
        card.wait_for(timeout=15000)
        assert "¥8.80" in card.inner_text() and "CN¥" not in card.inner_text()
        assert "中文" in card.inner_text() and "微信" in card.inner_text()
        assert "剩余" in card.inner_text()
        shot(phone, "expert-09-offer-zh-CN")
        card.locator("[data-testid=decline]").click()
        card.wait_for(state="detached")
        assert_inert(phone)
    finally:
        context.close()

    dash_context, dashboard = open_dashboard(playwright_browser, site, locale="zh-CN")
    problems += watch(dashboard)
    try:
        assert dashboard.locator("[data-testid=tab-queue]").inner_text() == "实时队列"
        assert "¥" in dashboard.locator("[data-testid=balance]").inner_text()
        shot(dashboard, "dashboard-05b-queue-zh-CN", full_page=True)
        dashboard.select_option("[data-testid=lang-switch]", "en")
        dashboard.wait_for_selector("[data-testid=tab-queue] >> text=Live queue")
        assert dashboard.evaluate("document.documentElement.lang") == "en"
    finally:
        dash_context.close()
    assert problems == []


def test_a_dropped_connection_shows_offline_and_restores_the_pending_offer(
    playwright_browser, site
):
    context, phone = open_phone(playwright_browser, site, "offline")
    problems = watch(phone)
    try:
        go_online(phone)
        # The shell is cached by the service worker (scope /app/) for starts without a network.
        phone.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10000)
        cached = phone.evaluate(
            """async () => {
                const names = await caches.keys();
                const cache = await caches.open(names.find((n) => n.startsWith('expert-shell-')));
                return (await cache.keys()).map((r) => new URL(r.url).pathname);
            }"""
        )
        assert {"/app/", "/static/dist/app.js", "/app/manifest.webmanifest"} <= set(cached)
        manifest = phone.evaluate("fetch('/app/manifest.webmanifest').then((r) => r.json())")
        assert manifest["start_url"] == "/app/" and manifest["display"] == "standalone"
        cdp = context.new_cdp_session(phone)  # Chromium's own verdict on installing the PWA
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        cdp.detach()
        # Playwright's contexts are incognito profiles, where nothing is installable.
        assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []

        site.post_question(subject="Offline test: screen flickers")
        card = phone.locator("[data-testid=offer-card]", has_text="Offline test")
        card.wait_for(timeout=15000)

        context.set_offline(True)
        banner = phone.locator("[data-testid=banner]")
        banner.wait_for(state="visible")
        assert banner.get_attribute("data-state") == "offline"
        assert phone.locator("[data-testid=connection]").inner_text() == "Offline"
        shot(phone, "expert-10-offline")

        before = site.hits("/app/")
        reloaded = phone.reload()  # an offline start: the cached shell, not the server
        assert reloaded is not None and reloaded.from_service_worker
        phone.wait_for_selector("text=You are offline")
        assert site.hits("/app/") == before
        context.set_offline(False)
        restored = phone.locator("[data-testid=offer-card]", has_text="Offline test")
        restored.wait_for(timeout=15000)
        phone.wait_for_selector("[data-testid=connection].is-live")
        assert phone.locator("[data-testid=banner]").is_hidden()
        shot(phone, "expert-11-reconnected")
        restored.locator("[data-testid=decline]").click()
        restored.wait_for(state="detached")
    finally:
        context.close()
    assert [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p] == []
