"""A pool's reward table: set and checked field by field, and used by questions posted without
a reward (docs/rewards.md#reward-table)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from marketplace.eventlog.models import Event
from marketplace.questions.models import Question
from marketplace.rewards.models import LedgerEntry, LedgerTransaction
from marketplace.rewards.policy import DEFAULT_POLICY
from marketplace.rewards.table import reward_from_table
from tests.factories import make_company, question_payload
from tests.sessions import admin_session

TABLE = {
    "currency": "CNY",
    "rows": [
        {"channel": None, "min_priority": 0, "amount": 500},
        {"channel": None, "min_priority": 7, "amount": 900},
        {"channel": "phone", "min_priority": 0, "amount": 1200},
        {"channel": "phone", "min_priority": 8, "amount": 2000},
    ],
}


def test_the_most_specific_row_wins():
    assert reward_from_table(TABLE, "web", 0) == {"amount": 500, "currency": "CNY"}
    assert reward_from_table(TABLE, "web", 6)["amount"] == 500
    assert reward_from_table(TABLE, "web", 7)["amount"] == 900
    assert reward_from_table(TABLE, "email", 9)["amount"] == 900
    # A row for the channel beats any-channel rows, even one with a higher priority floor.
    assert reward_from_table(TABLE, "phone", 7)["amount"] == 1200
    assert reward_from_table(TABLE, "phone", 8)["amount"] == 2000
    only_urgent = {"currency": "USD", "rows": [{"channel": None, "min_priority": 5, "amount": 3}]}
    assert reward_from_table(only_urgent, "web", 4) is None
    assert reward_from_table(only_urgent, "web", 5) == {"amount": 3, "currency": "USD"}
    assert reward_from_table(None, "web", 5) is None


def test_an_admin_sets_a_table_and_questions_without_a_reward_take_it(app, db):
    company = make_company(app)
    admin = admin_session(app, company)
    shuffled = {"currency": "CNY", "rows": list(reversed(TABLE["rows"]))}
    changed = admin.patch("/api/v1/pools/default", json={"reward_table": shuffled})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["reward_table"] == TABLE  # stored in reading order
    assert admin.get("/api/v1/pools/default").get_json()["reward_table"] == TABLE
    event = db.session.scalars(sa.select(Event).filter_by(action="pool.settings_changed")).one()
    assert event.after["settings"]["reward_table"] == TABLE

    client = app.test_client()
    posted = {}
    for channel, priority in [("web", 3), ("email", 8), ("phone", 9)]:
        payload = question_payload(channel=channel, priority=priority)
        del payload["reward"]
        response = client.post("/api/v1/questions", json=payload, headers=company.headers)
        assert response.status_code == 201, response.get_json()
        posted[channel] = response.get_json()
    assert {c: q["reward"]["amount"] for c, q in posted.items()} == {
        "web": 500,
        "email": 900,
        "phone": 2000,
    }
    # The hold covers the table's reward, as for a reward posted in the body.
    phone = db.session.get(Question, uuid.UUID(posted["phone"]["id"]))
    assert (phone.reward_amount, phone.reward_currency) == (2000, "CNY")
    hold = db.session.scalars(
        sa.select(LedgerEntry.amount)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerTransaction.idempotency_key == f"hold:{phone.id}", LedgerEntry.amount > 0)
    ).one()
    assert hold == DEFAULT_POLICY.max_charge(2000)

    # A reward in the body still wins over the table.
    explicit = client.post(
        "/api/v1/questions",
        json=question_payload(reward={"amount": 777, "currency": "CNY"}),
        headers=company.headers,
    )
    assert explicit.get_json()["reward"]["amount"] == 777

    removed = admin.patch("/api/v1/pools/default", json={"reward_table": None})
    assert removed.get_json()["reward_table"] is None


def test_without_a_fitting_row_the_question_is_refused_and_nothing_is_stored(app, db):
    company = make_company(app)
    client = app.test_client()
    payload = question_payload()
    del payload["reward"]
    response = client.post("/api/v1/questions", json=payload, headers=company.headers)
    assert response.status_code == 422
    assert "has no reward table" in response.get_json()["errors"]["reward"][0]

    urgent_only = {"currency": "CNY", "rows": [{"min_priority": 8, "amount": 900}]}
    patched = client.patch(
        "/api/v1/pools/default", json={"reward_table": urgent_only}, headers=company.headers
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["reward_table"]["rows"] == [
        {"channel": None, "min_priority": 8, "amount": 900}
    ]
    batch = client.post(
        "/api/v1/questions/batch",
        json={"items": [payload, {**payload, "external_id": "urgent-1", "priority": 9}]},
        headers=company.headers,
    ).get_json()
    statuses = [item["status"] for item in batch["results"]]
    assert statuses == [422, 201], batch
    message = batch["results"][0]["error"]["errors"]["reward"][0]
    assert "No row of pool default's reward table fits channel web, priority 5" in message
    stored = db.session.scalars(sa.select(Question.external_id)).all()
    assert stored == ["urgent-1"]


def test_bad_tables_get_a_message_per_field_and_change_nothing(app, db):
    company = make_company(app)  # its budget is in CNY
    client = app.test_client()
    row = {"channel": "web", "min_priority": 0, "amount": 500}
    for table, path in [
        ({"rows": [row]}, ("currency",)),
        ({"currency": "XYZ", "rows": [row]}, ("currency",)),
        ({"currency": "USD", "rows": [row]}, ("currency",)),  # no budget in USD
        ({"currency": "CNY"}, ("rows",)),
        ({"currency": "CNY", "rows": []}, ("rows",)),
        ({"currency": "CNY", "rows": [row] * 51}, ("rows",)),
        ({"currency": "CNY", "rows": [{**row, "amount": 0}]}, ("rows", "0", "amount")),
        ({"currency": "CNY", "rows": [{**row, "amount": "5"}]}, ("rows", "0", "amount")),
        ({"currency": "CNY", "rows": [{**row, "amount": 10**9}]}, ("rows", "0", "amount")),
        ({"currency": "CNY", "rows": [{"channel": "fax", "amount": 5}]}, ("rows", "0", "channel")),
        ({"currency": "CNY", "rows": [{**row, "min_priority": 10}]}, ("rows", "0", "min_priority")),
        ({"currency": "CNY", "rows": [{"channel": "web"}]}, ("rows", "0", "amount")),
        ({"currency": "CNY", "rows": [row, {**row, "amount": 9}]}, ("rows", "1", "min_priority")),
        ({"currency": "CNY", "rows": [{**row, "bonus": 1}]}, ("rows", "0", "bonus")),
        ("big", ()),
    ]:
        response = client.patch(
            "/api/v1/pools/default", json={"reward_table": table}, headers=company.headers
        )
        assert response.status_code == 422, (table, response.get_json())
        errors = response.get_json()["errors"]["reward_table"]
        for key in path:
            errors = errors[key]
        assert errors, (table, response.get_json())
    mine = client.get("/api/v1/pools/default", headers=company.headers).get_json()
    assert mine["reward_table"] is None


def test_another_company_cannot_set_or_use_a_table(app, db):
    company, other = make_company(app), make_company(app)
    client = app.test_client()
    table = {"currency": "CNY", "rows": [{"amount": 640}]}
    client.patch("/api/v1/pools/default", json={"reward_table": table}, headers=company.headers)
    payload = question_payload(pool="default")
    del payload["reward"]
    # The other company's pool of the same slug has no table: its question is refused.
    refused = client.post("/api/v1/questions", json=payload, headers=other.headers)
    assert refused.status_code == 422
    assert "has no reward table" in refused.get_json()["errors"]["reward"][0]
    mine = client.post("/api/v1/questions", json=payload, headers=company.headers)
    assert mine.get_json()["reward"] == {"amount": 640, "currency": "CNY"}
