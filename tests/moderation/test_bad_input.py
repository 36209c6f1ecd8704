"""Bad input on every moderation and onboarding endpoint: a problem document naming the field
(or the reason), and nothing stored or changed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marketplace.database import utcnow
from tests.moderation.conftest import snapshot

NOPE = "00000000-0000-0000-0000-000000000000"
FUTURE = (utcnow() + timedelta(days=3)).isoformat()
PAST = (utcnow() - timedelta(days=1)).isoformat()
NAIVE = datetime(2031, 1, 1).isoformat()
LONG = "x" * 2001

# endpoint -> caller, method, path, and cases of (body or query, status, field or None)
CASES = {
    "apply": ("newcomer", "POST", "/expert/pools/{pool}/apply", [
        ({"invite": ""}, 422, "invite"),
        ({"invite": 5}, 422, "invite"),
        ({"invite": "x" * 101}, 422, "invite"),
        ({"extra": 1}, 422, "extra"),
        ("not json", 415, None),
    ]),
    "apply elsewhere": ("newcomer", "POST", "/expert/pools/{closed_pool}/apply", [
        ({}, 403, None),  # invite-only, no invite
        ({"invite": "not-the-token"}, 403, None),
    ]),
    "apply to nothing": ("newcomer", "POST", f"/expert/pools/{NOPE}/apply", [({}, 404, None)]),
    "test": ("applicant", "POST", "/expert/pools/{pool}/test", [
        ({}, 422, "answers"),
        ({"answers": "text"}, 422, "answers"),
        ({"answers": {"q": "x" * 8001}}, 422, "answers"),
        ({"answers": {f"q{n}": "a" for n in range(21)}}, 422, "answers"),
        ({"answers": {}}, 409, None),  # the pool has no test
    ]),
    "appeal": ("expert", "POST", "/expert/answers/{answer}/appeal", [
        ({}, 422, "note"),
        ({"note": ""}, 422, "note"),
        ({"note": LONG}, 422, "note"),
        ({"note": "again"}, 409, None),  # once only
    ]),
    "appeal unknown": ("expert", "POST", f"/expert/answers/{NOPE}/appeal", [
        ({"note": "x"}, 404, None),
    ]),
    "invite info": ("newcomer", "GET", "/expert/invites/not-a-real-token", [(None, 404, None)]),
    "invites": ("api_key", "POST", "/invites", [
        ({}, 422, "pool"),
        ({"pool": ""}, 422, "pool"),
        ({"pool": "closed-fans", "email": "not-an-email"}, 422, "email"),
        ({"pool": "closed-fans", "extra": True}, 422, "extra"),
        ({"pool": "no-such-pool"}, 422, "pool"),
        ({"pool": "{pool_slug}"}, 409, "pool"),  # not invite-only
    ]),
    "queue args": ("mod_a", "GET", "/moderation/queue", [
        ({"status": "bogus"}, 422, "status"),
        ({"reason": "bogus"}, 422, "reason"),
        ({"reason": "calibration"}, 422, "reason"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 201}, 422, "limit"),
        ({"cursor": "garbage!"}, 422, "cursor"),
        ({"pool_id": "nope"}, 422, "pool_id"),
    ]),
    "claim": ("mod_a", "POST", f"/moderation/items/{NOPE}/claim", [(None, 404, None)]),
    "release unclaimed": ("mod_a", "POST", "/moderation/items/{item}/release", [(None, 409, None)]),
    "release unknown": ("mod_a", "POST", f"/moderation/items/{NOPE}/release", [(None, 404, None)]),
    "verdict unclaimed": ("mod_a", "POST", "/moderation/items/{item}/verdict", [
        ({"verdict": "approve"}, 409, None),
        ({"verdict": "maybe"}, 422, "verdict"),
        ({}, 422, "verdict"),
    ]),
    "disputes args": ("mod_a", "GET", "/moderation/disputes", [
        ({"status": "bogus"}, 422, "status"),
        ({"cursor": "garbage!"}, 422, "cursor"),
    ]),
    "dispute decision": ("mod_a", "POST", "/moderation/disputes/{dispute}/decision", [
        ({}, 422, "overturn"),
        ({"overturn": "perhaps"}, 422, "overturn"),
        ({"overturn": True, "note": LONG}, 422, "note"),
        ({"overturn": True, "extra": 1}, 422, "extra"),
    ]),
    "dispute unknown": ("mod_a", "POST", f"/moderation/disputes/{NOPE}/decision", [
        ({"overturn": True}, 404, None),
    ]),
    "applications args": ("mod_a", "GET", "/moderation/applications", [
        ({"cursor": "garbage!"}, 422, "cursor"),
        ({"limit": 0}, 422, "limit"),
    ]),
    "application decision": ("mod_a", "POST", "/moderation/applications/{membership}/decision", [
        ({}, 422, "approve"),
        ({"approve": "perhaps"}, 422, "approve"),
        ({"approve": True, "note": LONG}, 422, "note"),
    ]),
    "application unknown": ("mod_a", "POST", f"/moderation/applications/{NOPE}/decision", [
        ({"approve": True}, 404, None),
    ]),
    "sanction": ("mod_a", "POST", "/moderation/sanctions", [
        ({"kind": "warn", "reason": "x"}, 422, "expert_id"),
        ({"expert_id": "nope", "kind": "warn", "reason": "x"}, 422, "expert_id"),
        ({"expert_id": "{expert}", "kind": "scold", "reason": "x"}, 422, "kind"),
        ({"expert_id": "{expert}", "kind": "warn", "reason": ""}, 422, "reason"),
        ({"expert_id": "{expert}", "kind": "warn", "reason": "   "}, 422, "reason"),
        ({"expert_id": "{expert}", "kind": "suspend", "reason": "x"}, 422, "until"),
        ({"expert_id": "{expert}", "kind": "suspend", "reason": "x", "until": PAST}, 422, "until"),
        ({"expert_id": "{expert}", "kind": "suspend", "reason": "x", "until": NAIVE}, 422, "until"),
        ({"expert_id": "{expert}", "kind": "warn", "reason": "x", "until": FUTURE}, 422, "until"),
        ({"expert_id": "{expert}", "kind": "warn", "reason": "x", "pool_id": "{pool}"}, 422,
         "pool_id"),
        ({"expert_id": "{expert}", "kind": "remove_from_pool", "reason": "x"}, 422, "pool_id"),
        ({"expert_id": "{expert}", "kind": "remove_from_pool", "reason": "x", "pool_id": NOPE},
         404, None),
        ({"expert_id": NOPE, "kind": "warn", "reason": "x"}, 404, None),
    ]),
    "sanctions args": ("mod_a", "GET", "/moderation/sanctions", [
        ({"expert_id": "nope"}, 422, "expert_id"),
        ({"cursor": "garbage!"}, 422, "cursor"),
        ({"limit": 500}, 422, "limit"),
    ]),
    "expert record": ("mod_a", "GET", f"/moderation/experts/{NOPE}", [(None, 404, None)]),
    "links": ("mod_a", "POST", "/moderation/links", [
        ({}, 422, "expert_id"),
        ({"expert_id": "nope"}, 422, "expert_id"),
        ({"expert_id": "{expert}", "reason": "x" * 201}, 422, "reason"),
        ({"expert_id": NOPE}, 404, None),
    ]),
    "report args": ("mod_a", "GET", "/moderation/report", [
        ({"days": 0}, 422, "days"),
        ({"days": "many"}, 422, "days"),
    ]),
}  # fmt: skip


def fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_bad_input_is_refused_and_changes_nothing(app, db, world, endpoint):
    caller, method, path, cases = CASES[endpoint]
    http, headers = world.callers[caller]
    url = "/api/v1" + fill(path, world.ids)
    for given, status, field in cases:
        before = snapshot(db)
        data = fill(given, world.ids)
        if method == "GET":
            response = http.get(url, query_string=data or {}, headers=headers)
        elif isinstance(data, str):
            response = http.post(url, data=data, headers=headers, content_type="text/plain")
        else:
            response = http.open(url, method=method, json=data, headers=headers)
        body = response.get_json()
        assert response.status_code == status, (given, body)
        assert response.mimetype == "application/problem+json", given
        assert body["status"] == status and body["title"] and body["type"].startswith("urn:"), body
        if field is not None:
            assert field in body.get("errors", {}), (given, body)
        assert snapshot(db) == before, f"{endpoint} {given} changed state"
