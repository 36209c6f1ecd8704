"""The authorisation matrix: every moderation and onboarding endpoint and /moderator action,
called by anonymous, a company API key, an expert, a company admin (browser session), a
moderator of another company, the company's moderators and a platform admin. Every refusal
leaves the state as it was."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.extensions import socketio
from tests.moderation.conftest import fresh_login, snapshot
from tests.sessions import BrowserSession

NOT_MODS = [
    ("anonymous", 401),
    ("api_key", 401),
    ("expert", 403),
    ("company_admin", 403),
]
NOT_EXPERTS = [
    ("anonymous", 401),
    ("api_key", 401),
    ("mod_a", 403),
    ("company_admin", 403),
    ("admin", 403),
]

WARN = {"expert_id": "{expert}", "kind": "warn", "reason": "x"}
# (name, method, path, body, [(caller, expected status)...]) in the order called; a status
# of 200 with "hidden" means a list that must not show company A's object.
MATRIX = [
    ("queue", "GET", "/moderation/queue", None,
     [*NOT_MODS, ("outsider", "hidden:item"), ("mod_a", 200), ("admin", 200)]),
    ("queue pools", "GET", "/moderation/pools", None,
     [*NOT_MODS, ("outsider", "hidden:pool"), ("mod_a", 200), ("admin", 200)]),
    ("item", "GET", "/moderation/items/{item}", None,
     [*NOT_MODS, ("outsider", 404), ("mod_a", 200), ("admin", 200)]),
    ("claim", "POST", "/moderation/items/{item}/claim", None,
     [*NOT_MODS, ("outsider", 404), ("mod_a", 200), ("admin", 409)]),
    ("release", "POST", "/moderation/items/{item}/release", "claimed",
     [*NOT_MODS, ("outsider", 404), ("mod_b", 409), ("admin", 409), ("mod_a", 200)]),
    ("verdict", "POST", "/moderation/items/{item}/verdict", "claimed",
     [*NOT_MODS, ("outsider", 404), ("mod_b", 409), ("mod_a", 200)]),
    ("disputes", "GET", "/moderation/disputes", None,
     [*NOT_MODS, ("outsider", "hidden:dispute"), ("mod_a", 200), ("admin", 200)]),
    ("dispute decision", "POST", "/moderation/disputes/{dispute}/decision", {"overturn": False},
     [*NOT_MODS, ("outsider", 404), ("mod_b", 403), ("mod_a", 200)]),
    ("applications", "GET", "/moderation/applications", None,
     [*NOT_MODS, ("outsider", "hidden:membership"), ("mod_a", 200), ("admin", 200)]),
    ("application decision", "POST", "/moderation/applications/{membership}/decision",
     {"approve": True},
     [*NOT_MODS, ("outsider", 404), ("mod_a", 200), ("admin", 409)]),
    ("sanctions", "GET", "/moderation/sanctions", None,
     [*NOT_MODS, ("outsider", "hidden:sanction"), ("mod_b", 200), ("admin", 200)]),
    ("sanction", "POST", "/moderation/sanctions", WARN,
     [*NOT_MODS, ("outsider", 404), ("mod_a", 201)]),
    ("ban", "POST", "/moderation/sanctions", WARN | {"kind": "ban"},
     [*NOT_MODS, ("outsider", 403), ("mod_a", 403), ("admin", 201)]),
    ("expert record", "GET", "/moderation/experts/{expert}", None,
     [*NOT_MODS, ("outsider", 404), ("mod_a", 200), ("admin", 200)]),
    ("links", "POST", "/moderation/links", {"expert_id": "{expert}"},
     [*NOT_MODS, ("mod_a", 201)]),
    ("report", "GET", "/moderation/report", None,
     [*NOT_MODS, ("outsider", "hidden:item"), ("mod_a", 200), ("admin", 200)]),
    ("apply", "POST", "/expert/pools/{pool}/apply", {},
     [*NOT_EXPERTS, ("expert", 409), ("newcomer", 201)]),
    ("test", "GET", "/expert/pools/{pool}/test", None,
     [*NOT_EXPERTS, ("newcomer", 404), ("applicant", 200)]),
    ("submit test", "POST", "/expert/pools/{pool}/test", {"answers": {}},
     [*NOT_EXPERTS, ("newcomer", 404), ("applicant", 409)]),
    ("invite", "GET", "/expert/invites/{token}", None,
     [*NOT_EXPERTS, ("newcomer", 200)]),
    ("appeal", "POST", "/expert/answers/{answer}/appeal", {"note": "again"},
     [*NOT_EXPERTS, ("newcomer", 404), ("expert", 409)]),
    ("my sanctions", "GET", "/expert/sanctions", None,
     [*NOT_EXPERTS, ("newcomer", 200), ("expert", 200)]),
    ("my pools", "GET", "/expert/pools", None, [*NOT_EXPERTS, ("expert", 200)]),
    ("my answers", "GET", "/expert/answers", None, [*NOT_EXPERTS, ("expert", 200)]),
    ("create invite", "POST", "/invites", {"pool": "closed-fans"},
     [("anonymous", 401), ("expert", 401), ("mod_a", 401), ("admin", 401),
      ("company_admin", 201), ("api_key", 201)]),
]  # fmt: skip


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "calls"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_every_endpoint_checks_who_calls(app, db, world, name, method, path, body, calls):
    url = "/api/v1" + fill(path, world.ids)
    if body == "claimed":
        claimed = world.client.post(
            f"/api/v1/moderation/items/{world.ids['item']}/claim", headers=world.callers["mod_a"][1]
        )
        assert claimed.status_code == 200
        body = {"verdict": "approve"} if name == "verdict" else None
    payload = fill(body, world.ids)
    for caller, expected in calls:
        before = snapshot(db)
        http, headers = world.callers[caller]
        response = http.open(url, method=method, json=payload, headers=headers)
        if isinstance(expected, str):  # a list that must not leak company A's objects
            assert response.status_code == 200, (caller, response.get_json())
            hidden = world.ids[expected.split(":")[1]]
            assert hidden not in response.get_data(as_text=True), caller
            continue
        assert response.status_code == expected, (caller, response.get_json())
        if expected >= 400:
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["status"] == expected
            assert snapshot(db) == before, f"{caller} changed state with a {expected}"


@pytest.mark.parametrize("event", ["audit.claim", "audit.release"])
def test_a_moderator_of_another_company_cannot_act_over_the_socket(app, db, world, event):
    outsider = world.callers["outsider"][1]["Authorization"].split()[1]
    socket = socketio.test_client(app, namespace="/moderator", auth={"token": outsider})
    before = snapshot(db)
    ack = socket.emit(event, {"item_id": world.ids["item"]}, namespace="/moderator", callback=True)
    assert ack["status"] == 404 and ack["type"].endswith("not-found")
    assert snapshot(db) == before


def test_the_browser_session_of_a_moderator_needs_csrf(app, db, world, shop):
    create_user(
        "cookie-mod@example.test",
        "password-123",
        "Cookie",
        Role.MODERATOR,
        company_id=shop["company"].id,
    )
    browser: BrowserSession = fresh_login(app, "cookie-mod@example.test")
    url = f"/api/v1/moderation/items/{world.ids['item']}/claim"
    before = snapshot(db)
    assert browser.client.post(url).status_code == 403  # no X-CSRF-Token
    assert snapshot(db) == before
    assert browser.post(url).status_code == 200
