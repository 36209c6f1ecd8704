"""Helpers for the browser tests: the running site, the company API, logged-in pages,
screenshots, and the script payloads that must stay inert."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "ui"
PASSWORD = "ui-test-pass-1"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# Each payload sets window.__xss if it ever runs; the page must show it as text instead.
XSS_SUBJECT = '<img src=x onerror="window.__xss=1">Battery <b>drains</b>'
XSS_BODY = "Overnight it loses 30%. <script>window.__xss=2</script><svg onload=window.__xss=3>"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Site:
    """The server under test and the seeded logins."""

    base: str
    api_key: str
    admin: str
    moderators: list[str]
    probation_pool: str
    experts: dict[str, str]
    log: Path

    def hits(self, path: str) -> int:
        """How many GET requests for `path` the server has logged so far."""
        return self.log.read_text(errors="replace").count(f'"GET {path} ')

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the company API with the seeded key."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + "/api/v1" + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def post_question(self, **changes: Any) -> dict[str, Any]:
        """Post a question through the company API (as the company's systems would)."""
        body = {
            "external_id": f"ui-{next(_ids)}-{changes.get('subject', 'q')[:8].encode().hex()}",
            "channel": "wechat",
            "subject": "Battery drains overnight",
            "body": "My phone loses 30% overnight. Is that normal?",
            "language": "en",
            "tags": ["battery"],
            "reward": {"amount": 880, "currency": "CNY"},
        } | changes
        status, question = self.api("POST", "/questions", body)
        assert status == 201, question
        return question

    def cancel_open_questions(self) -> None:
        """Withdraw every open question, so no test's leftovers are offered in the next test."""
        for status in ("queued", "offered", "assigned"):
            _, page = self.api("GET", f"/questions?status={status}&limit=200")
            for question in page["items"]:
                self.api("POST", f"/questions/{question['id']}/cancel")


def shot(page: Any, name: str, full_page: bool = False) -> None:
    """Save a screenshot under tests/artifacts/ui/ (what the viewport shows, or the whole page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page, animations="disabled")


def watch(page: Any, accept_confirms: bool = False) -> list[str]:
    """Collect uncaught errors and unexpected dialogs (an alert() from a payload lands here);
    with `accept_confirms`, the screens' own confirm() questions are answered yes."""
    problems: list[str] = []

    def on_dialog(dialog: Any) -> None:
        if accept_confirms and dialog.type == "confirm":
            dialog.accept()
            return
        problems.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("dialog", on_dialog)
    return problems


def assert_inert(page: Any) -> None:
    """No payload ran: window.__xss was never set."""
    assert page.evaluate("window.__xss") is None


def open_phone(browser: Any, site: Site, expert: str, locale: str = "en-US") -> tuple[Any, Any]:
    """A phone-sized context (touch, mobile) with the expert logged in to /app/."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale=locale, base_url=site.base
    )
    page = context.new_page()
    page.goto("/app/")
    page.fill("#login-email", site.experts[expert])
    page.fill("#login-password", PASSWORD)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_selector("[data-testid=go-online]")
    return context, page


def open_dashboard(browser: Any, site: Site, locale: str = "en-US") -> tuple[Any, Any]:
    """A desktop context with the company admin logged in to /dashboard."""
    context = browser.new_context(viewport=DESKTOP, locale=locale, base_url=site.base)
    page = context.new_page()
    page.goto("/dashboard")
    page.fill("#login-email", site.admin)
    page.fill("#login-password", PASSWORD)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_selector("[data-testid=queue-tiles] .tile")
    return context, page


def open_console(
    browser: Any, site: Site, locale: str = "en-US", moderator: int = 0
) -> tuple[Any, Any]:
    """A desktop context with a seeded moderator (the first unless told) logged in to
    /moderator and its socket live."""
    context = browser.new_context(viewport=DESKTOP, locale=locale, base_url=site.base)
    page = context.new_page()
    page.goto("/moderator")
    page.fill("#login-email", site.moderators[moderator])
    page.fill("#login-password", PASSWORD)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_selector("[data-testid=queue-count]:not(:empty)")
    page.wait_for_selector("[data-testid=live].is-live")
    return context, page


def go_online(page: Any) -> None:
    """Tap the online toggle and wait for the socket and the server to agree."""
    page.wait_for_selector("[data-testid=connection].is-live")
    page.click("[data-testid=tab-offers]")
    page.click("[data-testid=go-online]")
    page.wait_for_selector("[data-testid=go-online][aria-pressed=true]")
