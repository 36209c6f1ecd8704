"""Money over HTTP: expert earnings and rewards, admin top-ups with bad input, company spend."""

from __future__ import annotations

import uuid

import pytest

from marketplace.accounts.models import Role, User, UserStatus
from marketplace.accounts.tokens import issue_token
from marketplace.extensions import socketio
from marketplace.rewards import lifecycle, payouts, settlement
from marketplace.rewards.models import LedgerTransaction, PayoutBatch, PayoutItem
from marketplace.rewards.providers import CSV_COLUMNS
from tests.factories import make_company
from tests.rewards import helpers as h


def bearer(user_id: uuid.UUID, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user_id, role)}"}


def platform_admin() -> uuid.UUID:
    user = User(
        email=f"admin-{uuid.uuid4().hex[:8]}@example.test",
        password_hash="!",
        display_name="Admin",
        role=Role.PLATFORM_ADMIN,
        status=UserStatus.ACTIVE,
    )
    h.db.session.add(user)
    h.db.session.commit()
    return user.id


@pytest.fixture
def setup(app, money):
    company = make_company(app, budget=100_000)
    expert = h.expert(h.pool_of(company.id))
    answers = [h.answer(h.post(company.id, amount=5000, channel=c), expert) for c in ("web", "app")]
    rewards = [lifecycle.accept_answer_reward(a, 1.0, h.ACTOR) for a in answers]
    settlement.settle_batch(1)  # one settled, one still pending
    return company, expert, answers, rewards


def test_the_expert_sees_earnings_rewards_and_payout_statements(app, client, setup):
    company, expert, _, rewards = setup
    headers = bearer(expert, Role.EXPERT)
    earnings = client.get("/api/v1/expert/earnings", headers=headers)
    assert earnings.status_code == 200, earnings.get_json()
    assert earnings.get_json()["balances"] == [
        {
            "currency": "CNY",
            "available": 6000,
            "pending": 6000,
            "in_flight": 0,
            "paid": 0,
            "owed": 0,
        }
    ]
    page = client.get("/api/v1/expert/rewards?limit=1", headers=headers).get_json()
    assert [item["reward_id"] for item in page["items"]] == [str(rewards[1].id)]
    assert page["items"][0]["breakdown"]["quality_multiplier"] == "1.2000"
    rest = client.get(f"/api/v1/expert/rewards?cursor={page['next_cursor']}", headers=headers)
    assert [i["status"] for i in rest.get_json()["items"]] == ["settled"]
    assert rest.get_json()["next_cursor"] is None
    bad = client.get("/api/v1/expert/rewards?cursor=nope", headers=headers)
    assert bad.status_code == 422 and "cursor" in bad.get_json()["errors"]

    settlement.settle_batch(10)
    payouts.build_payout_batch("2026-11-24")
    listed = client.get("/api/v1/expert/payouts", headers=headers).get_json()["items"]
    assert [(p["amount"], p["status"]) for p in listed] == [(12000, "in_flight")]
    detail = client.get(f"/api/v1/expert/payouts/{listed[0]['payout_id']}", headers=headers)
    assert len(detail.get_json()["statement"]["lines"]) == 2
    stranger = bearer(h.expert(), Role.EXPERT)
    missing = client.get(f"/api/v1/expert/payouts/{listed[0]['payout_id']}", headers=stranger)
    assert missing.status_code == 404
    assert client.get("/api/v1/expert/earnings", headers=company.headers).status_code == 401
    assert client.get("/api/v1/expert/earnings").status_code == 401


def test_admins_top_up_once_per_key(app, client, money):
    company = make_company(app, budget=0)
    headers = bearer(platform_admin(), Role.PLATFORM_ADMIN)
    url = f"/api/v1/admin/companies/{company.id}/top-ups"
    body = {"amount": 50_000, "currency": "CNY", "idempotency_key": "bank-ref-1"}
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["balances"][0]["budget"] == 50_000
    assert client.post(url, json=body, headers=headers).status_code == 200
    other = client.post(url, json=body | {"amount": 60_000}, headers=headers)
    assert other.status_code == 409 and "idempotency_key" in other.get_json()["errors"]
    assert client.get(url.replace("top-ups", "x"), headers=headers).status_code == 404
    expert = bearer(h.expert(), Role.EXPERT)
    assert client.post(url, json=body, headers=expert).status_code == 403
    assert h.count(LedgerTransaction, LedgerTransaction.kind == "top_up") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": -5}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"amount": True}, "amount"),
        ({"currency": "cny"}, "currency"),
        ({"currency": "XXX"}, "currency"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"tip": 1}, "tip"),
    ],
)
def test_bad_top_ups_are_refused_and_nothing_is_written(app, client, money, change, field):
    company = make_company(app, budget=0)
    headers = bearer(platform_admin(), Role.PLATFORM_ADMIN)
    body = {"amount": 100, "currency": "CNY", "idempotency_key": "k"} | change
    response = client.post(
        f"/api/v1/admin/companies/{company.id}/top-ups", json=body, headers=headers
    )
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert h.count(LedgerTransaction) == 0


def test_top_ups_for_unknown_companies_or_as_text_are_refused(app, client, money):
    headers = bearer(platform_admin(), Role.PLATFORM_ADMIN)
    body = {"amount": 100, "currency": "CNY", "idempotency_key": "k"}
    unknown = client.post(
        f"/api/v1/admin/companies/{uuid.uuid4()}/top-ups", json=body, headers=headers
    )
    assert unknown.status_code == 404
    text = client.post(
        f"/api/v1/admin/companies/{uuid.uuid4()}/top-ups",
        data="amount=1",
        headers=headers,
        content_type="text/plain",
    )
    assert text.status_code == 415
    missing = client.get(f"/api/v1/admin/experts/{uuid.uuid4()}/earnings", headers=headers)
    assert missing.status_code == 404
    assert h.count(LedgerTransaction) == 0


def test_the_company_sees_spend_per_question_day_and_channel(app, client, setup):
    company, _, answers, rewards = setup
    lifecycle.reverse_reward(answers[0], "dispute", h.ACTOR)
    url = "/api/v1/account/spend"
    by_day = client.get(f"{url}?group_by=day", headers=company.headers).get_json()["items"]
    assert len(by_day) == 1
    assert (by_day[0]["captured"], by_day[0]["reversed"], by_day[0]["spent"]) == (6900, 6900, 0)
    by_channel = client.get(f"{url}?group_by=channel", headers=company.headers).get_json()
    assert [(r["key"], r["spent"]) for r in by_channel["items"]] == [("web", 0)]
    first = client.get(f"{url}?group_by=question&limit=1", headers=company.headers).get_json()
    assert first["items"][0]["held"] == 0 and first["items"][0]["reversed"] == 6900
    second = client.get(
        f"{url}?group_by=question&cursor={first['next_cursor']}", headers=company.headers
    ).get_json()
    assert second["items"][0]["pending"] == rewards[1].charge
    assert second["items"][0]["held"] == 8338  # the whole hold until the reward settles
    bad = client.get(f"{url}?group_by=week", headers=company.headers)
    assert bad.status_code == 422 and "group_by" in bad.get_json()["errors"]
    backwards = client.get(
        f"{url}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", headers=company.headers
    )
    assert backwards.status_code == 422


def test_the_money_endpoints_are_in_the_openapi_document(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    operations = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert operations >= {
        ("/api/v1/expert/earnings", "get"),
        ("/api/v1/expert/rewards", "get"),
        ("/api/v1/expert/payouts", "get"),
        ("/api/v1/expert/payouts/{payout_id}", "get"),
        ("/api/v1/admin/companies/{company_id}/top-ups", "post"),
        ("/api/v1/admin/experts/{expert_id}/earnings", "get"),
        ("/api/v1/account/spend", "get"),
        ("/api/v1/admin/payout-batches", "get"),
        ("/api/v1/admin/payout-batches/{batch_id}", "get"),
        ("/api/v1/admin/payout-batches/{batch_id}/file", "get"),
        ("/api/v1/admin/payout-batches/{batch_id}/resolution", "post"),
    }
    resolution = spec["paths"]["/api/v1/admin/payout-batches/{batch_id}/resolution"]["post"]
    assert {"200", "404", "409", "422"} <= set(resolution["responses"])
    download = spec["paths"]["/api/v1/admin/payout-batches/{batch_id}/file"]["get"]
    assert "text/csv" in download["responses"]["200"]["content"]


@pytest.fixture
def batch(app, client, setup):
    """A built payout batch of the set-up's expert (both rewards settled)."""
    _, expert, *_ = setup
    settlement.settle_batch(10)
    built = payouts.build_payout_batch("2026-11-24")
    return built.id, expert, bearer(platform_admin(), Role.PLATFORM_ADMIN)


def test_admins_list_batches_read_one_and_download_its_file(app, client, batch):
    batch_id, expert, headers = batch
    page = client.get("/api/v1/admin/payout-batches?limit=1", headers=headers)
    assert page.status_code == 200, page.get_json()
    [listed] = page.get_json()["items"]
    assert (listed["key"], listed["status"], page.get_json()["next_cursor"]) == (
        "2026-11-24",
        "open",
        None,
    )
    assert listed["totals"] == [{"currency": "CNY", "items": 1, "in_flight": 1, "amount": 12000}]
    detail = client.get(f"/api/v1/admin/payout-batches/{batch_id}", headers=headers).get_json()
    [item] = detail["items"]
    assert (item["expert_id"], item["amount"], item["status"]) == (str(expert), 12000, "in_flight")
    download = client.get(detail["file_url"], headers=headers)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert 'filename="2026-11-24.csv"' in download.headers["Content-Disposition"]
    rows = download.get_data(as_text=True).split("\r\n")
    assert rows[0] == ",".join(CSV_COLUMNS)
    assert rows[1].startswith(item["payout_id"]) and ",CNY,120.00,MKT-20261124-" in rows[1]
    with open(h.db.session.get(PayoutBatch, batch_id).file_path, newline="") as file:
        assert file.read() == download.get_data(as_text=True)  # the same text as the file
    unknown = client.get(f"/api/v1/admin/payout-batches/{uuid.uuid4()}/file", headers=headers)
    assert unknown.status_code == 404


def test_admins_mark_a_batch_paid_or_failed_once(app, client, batch):
    batch_id, expert, headers = batch
    url = f"/api/v1/admin/payout-batches/{batch_id}/resolution"
    detail = client.get(f"/api/v1/admin/payout-batches/{batch_id}", headers=headers).get_json()
    payout_id = detail["items"][0]["payout_id"]
    failed = client.post(url, json={"outcome": "failed", "items": [payout_id]}, headers=headers)
    assert failed.status_code == 200, failed.get_json()
    assert failed.get_json()["status"] == "closed"
    assert failed.get_json()["items"][0]["status"] == "failed"
    again = client.post(url, json={"outcome": "failed", "items": [payout_id]}, headers=headers)
    assert again.status_code == 200  # the same outcome again changes nothing
    clash = client.post(url, json={"outcome": "paid", "items": [payout_id]}, headers=headers)
    assert clash.status_code == 409 and "items" in clash.get_json()["errors"]
    earnings = client.get(f"/api/v1/admin/experts/{expert}/earnings", headers=headers).get_json()
    assert earnings["balances"][0]["available"] == 12000  # a failed payout is earnings again
    h.assert_ledger_ok()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "outcome"),
        ({"outcome": "lost"}, 422, "outcome"),
        ({"outcome": "paid", "items": ["nope"]}, 422, "items"),
        ({"outcome": "paid", "items": "all"}, 422, "items"),
        ({"outcome": "paid", "items": [str(uuid.UUID(int=1))] * 2}, 422, "items"),
        ({"outcome": "paid", "items": [str(uuid.UUID(int=1))]}, 404, "items"),
        ({"outcome": "paid", "note": "x"}, 422, "note"),
    ],
)
def test_bad_resolutions_are_refused_and_nothing_is_written(
    app, client, batch, body, status, field
):
    batch_id, _, headers = batch
    before = h.count(LedgerTransaction)
    response = client.post(
        f"/api/v1/admin/payout-batches/{batch_id}/resolution", json=body, headers=headers
    )
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert h.count(LedgerTransaction) == before
    assert h.count(PayoutItem, PayoutItem.status == "in_flight") == 1


def test_only_platform_admins_see_or_mark_batches(app, client, setup, batch):
    company, *_ = setup
    batch_id, expert, _ = batch
    company_admin = User(
        email=f"owner-{uuid.uuid4().hex[:8]}@example.test",
        password_hash="!",
        display_name="Owner",
        role=Role.COMPANY_ADMIN,
        status=UserStatus.ACTIVE,
        company_id=company.id,
    )
    h.db.session.add(company_admin)
    h.db.session.commit()
    base = f"/api/v1/admin/payout-batches/{batch_id}"
    callers = [
        bearer(expert, Role.EXPERT),
        bearer(company_admin.id, Role.COMPANY_ADMIN),
        bearer(h.moderator(company.id).user_id, Role.MODERATOR),
    ]
    for headers in callers:
        for url in ("/api/v1/admin/payout-batches", base, f"{base}/file"):
            assert client.get(url, headers=headers).status_code == 403, url
        marked = client.post(f"{base}/resolution", json={"outcome": "paid"}, headers=headers)
        assert marked.status_code == 403
    assert client.get(base, headers=company.headers).status_code == 401  # an API key: no user
    assert client.get(base).status_code == 401
    assert h.count(PayoutItem, PayoutItem.status == "in_flight") == 1


def test_reward_credited_reaches_the_experts_socket_with_the_breakdown(app, money):
    company = make_company(app, budget=100_000)
    pool = h.pool_of(company.id)
    expert, bystander = h.expert(pool), h.expert(pool)
    sockets = [
        socketio.test_client(
            app, namespace="/expert", auth={"token": issue_token(who, Role.EXPERT)}
        )
        for who in (expert, bystander)
    ]
    assert all(s.is_connected("/expert") for s in sockets)
    try:
        for s in sockets:
            s.get_received("/expert")  # the session.restored of connecting
        answer = h.answer(h.post(company.id, amount=1000), expert, used=0.2)
        reward = lifecycle.accept_answer_reward(answer, 0.8, h.ACTOR)
        assert settlement.settle_batch(10) == [reward.id]
        received = [(e["name"], e["args"][0]) for e in sockets[0].get_received("/expert")]
        assert [name for name, _ in received] == ["reward.credited"]
        payload = received[0][1]
        assert (payload["reward_id"], payload["answer_id"]) == (str(reward.id), str(answer))
        assert (payload["status"], payload["payout"], payload["currency"]) == (
            "settled",
            1166,
            "CNY",
        )
        assert payload["breakdown"] == {
            "base": 1000,
            "quality_score": 0.8,
            "quality_multiplier": "1.0600",
            "speed_multiplier": "1.1000",
            "tier": "vetted",
            "tier_multiplier": "1.0000",
            "cap_multiplier": "1.45",
            "capped": False,
            "payout": 1166,
        }
        assert payload["settled_at"] is not None
        assert sockets[1].get_received("/expert") == []  # nobody else hears of it
    finally:
        for s in sockets:
            s.disconnect("/expert")
