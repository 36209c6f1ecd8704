"""The audit queue: order, paging, filters in SQL, what a moderator may see, claims and their
timeout, and items opened by racing triggers."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

from marketplace.answers.models import Answer
from marketplace.database import utcnow
from marketplace.extensions import socketio
from marketplace.moderation import audits, items, timers
from marketplace.moderation.models import AuditItem, AuditReason, ItemStatus
from tests.factories import answer_question, default_pool, make_company
from tests.moderation.conftest import (
    pending_item,
    post_question,
    queue_of,
    race,
)

CLAIM = "/api/v1/moderation/items/{}/claim"
RELEASE = "/api/v1/moderation/items/{}/release"


def queued(app, db, company, reasons, hours, expert_id=None):
    """A released answer of a question due in `hours`, opened for audit with `reasons`."""
    sla = (utcnow() + timedelta(hours=hours)).isoformat()
    answer_id = answer_question(
        app, post_question(app, company, sla_deadline=sla), "An answer.", expert_id
    )
    items.open_item(db.session.get(Answer, answer_id), reasons)
    db.session.commit()
    return answer_id


def test_the_queue_orders_by_priority_then_sla_then_age_and_pages(app, db, client, shop):
    company = shop["company"]
    late_sample = queued(app, db, company, [AuditReason.SAMPLE], 20)
    soon_sample = queued(app, db, company, [AuditReason.SAMPLE], 2)
    complaint = queued(app, db, company, [AuditReason.COMPLAINT], 20)
    older_soon = queued(app, db, company, [AuditReason.LOW_SCORE], 5)
    newer_soon = queued(app, db, company, [AuditReason.LOW_SCORE], 5)
    db.session.execute(  # same deadline: the older item comes first
        sa.update(AuditItem)
        .where(AuditItem.answer_id.in_([older_soon, newer_soon]))
        .values(sla_deadline=utcnow() + timedelta(hours=5))
    )
    db.session.commit()
    expected = [complaint, older_soon, newer_soon, soon_sample, late_sample]
    pages, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get(
            "/api/v1/moderation/queue", query_string=query, headers=shop["mod_a"].headers
        ).get_json()
        pages.append([i["answer_id"] for i in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [a for p in pages for a in p] == [str(a) for a in expected]


def test_the_reason_filter_is_applied_by_the_database_before_the_limit(app, db, client, shop):
    for _ in range(4):  # more urgent items that are not low ratings
        queued(app, db, shop["company"], [AuditReason.COMPLAINT], 3)
    wanted = queued(app, db, shop["company"], [AuditReason.LOW_RATING], 3)
    body = client.get(
        "/api/v1/moderation/queue",
        query_string={"reason": "low_rating", "limit": 1},
        headers=shop["mod_a"].headers,
    ).get_json()
    assert [i["answer_id"] for i in body["items"]] == [str(wanted)]
    assert body["next_cursor"] is None


def test_the_queue_leaves_out_linked_experts_and_other_companies(app, db, client, shop):
    _answer_id, item = pending_item(app, db, client, shop)
    client.post(
        "/api/v1/moderation/links",
        json={"expert_id": str(shop["expert"].id), "reason": "neighbour"},
        headers=shop["mod_a"].headers,
    )
    assert queue_of(client, shop["mod_a"]) == []
    assert [i["id"] for i in queue_of(client, shop["mod_b"])] == [item["id"]]
    detail = client.get(f"/api/v1/moderation/items/{item['id']}", headers=shop["mod_a"].headers)
    assert detail.status_code == 403
    from tests.moderation.conftest import make_moderator

    outsider = make_moderator(app, make_company(app).id)
    assert queue_of(client, outsider) == []


def test_the_item_view_is_blind_and_shows_history_from_this_company_only(app, db, client, shop):
    other = make_company(app)
    # The same expert also works for another company.
    from marketplace.eventlog.services import Actor
    from marketplace.experts.services import admit_to_pool

    admit_to_pool(shop["expert"].id, default_pool(app, other.id), Actor.system("test"))
    elsewhere = answer_question(app, post_question(app, other), "Elsewhere.", shop["expert"].id)
    here = answer_question(app, post_question(app, shop["company"]), "Here.", shop["expert"].id)
    _answer_id, item = pending_item(app, db, client, shop)
    detail = client.get(f"/api/v1/moderation/items/{item['id']}", headers=shop["mod_a"].headers)
    body = detail.get_json()
    assert [h["id"] for h in body["history"]] == [str(here)]
    assert str(elsewhere) not in str(body)
    assert set(body["answer"]) == {"id", "body", "created_at", "released"}
    assert set(body["checks"]) == {"automatic", "signals"}
    assert body["answer"]["released"] is False  # probation: held


def test_releasing_someone_elses_claim_is_refused(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    url = item["id"]
    assert client.post(CLAIM.format(url), headers=shop["mod_a"].headers).status_code == 200
    refused = client.post(RELEASE.format(url), headers=shop["mod_b"].headers)
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("claim-lost")
    row = db.session.get(AuditItem, uuid.UUID(url))
    db.session.refresh(row)
    assert (row.status, row.claimed_by) == (ItemStatus.CLAIMED, shop["mod_a"].id)
    assert client.post(RELEASE.format(url), headers=shop["mod_a"].headers).status_code == 200
    assert client.post(RELEASE.format(url), headers=shop["mod_a"].headers).status_code == 409


def test_a_claim_runs_out_and_consoles_hear_the_item_is_free(app, db, client, shop, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION_CLAIM_SECONDS", 1)
    _, item = pending_item(app, db, client, shop)
    console = socketio.test_client(app, namespace="/moderator", auth={"token": shop["mod_b"].token})
    console.get_received("/moderator")
    assert client.post(CLAIM.format(item["id"]), headers=shop["mod_a"].headers).status_code == 200
    db.session.remove()  # SQLite: the test's open read transaction would hold the write lock
    deadline = time.monotonic() + 10  # the expiry job runs 2 s later on the in-process queue
    heard = []
    while time.monotonic() < deadline and not heard:
        time.sleep(0.2)
        heard = [
            e["args"][0]
            for e in console.get_received("/moderator")
            if e["name"] == "audit.released"
        ]
    backend = app.extensions["job_queue"]
    assert heard == [{"item_id": item["id"], "by": None, "reason": "expired"}], backend.failed
    row = db.session.get(AuditItem, uuid.UUID(item["id"]))
    db.session.refresh(row)
    assert (row.status, row.claimed_by) == (ItemStatus.OPEN, None)
    assert client.post(CLAIM.format(item["id"]), headers=shop["mod_b"].headers).status_code == 200


def test_the_sweep_expires_claims_whose_job_was_lost(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    client.post(CLAIM.format(item["id"]), headers=shop["mod_a"].headers)
    db.session.execute(sa.update(AuditItem).values(claimed_until=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    assert timers.sweep()["claims_expired"] == 1
    assert timers.sweep()["claims_expired"] == 0
    assert db.session.get(AuditItem, uuid.UUID(item["id"])).status == ItemStatus.OPEN


def test_two_moderators_claiming_at_once_one_wins(
    app, db, client, shop, postgres_only, monkeypatch
):
    _, item = pending_item(app, db, client, shop)
    db.session.remove()

    def claim(moderator):
        return lambda: app.test_client().post(CLAIM.format(item["id"]), headers=moderator.headers)

    # Both found the item open before either writes its claim.
    results = race(
        app,
        [claim(shop["mod_a"]), claim(shop["mod_b"])],
        monkeypatch,
        audits.conflicts,
        "check_not_linked",
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    holder = db.session.get(AuditItem, uuid.UUID(item["id"])).claimed_by
    winner = shop["mod_a"] if results[0].status_code == 200 else shop["mod_b"]
    assert holder == winner.id


def test_racing_triggers_open_one_item_with_both_reasons(
    app, db, client, shop, postgres_only, monkeypatch
):
    answer_id = answer_question(app, post_question(app, shop["company"]), "An answer.")
    db.session.remove()

    def trigger(reason):
        def run():
            with app.app_context():
                answer = items.db.session.get(Answer, answer_id)
                items.open_item(answer, [reason])
                items.db.session.commit()
                items.db.session.remove()

        return run

    calls = [trigger(AuditReason.COMPLAINT), trigger(AuditReason.LOW_SCORE)]
    # Both look for a live item, find none, then insert: one insert loses and merges.
    results = race(app, calls, monkeypatch, items, "_live_item")
    assert results == [None, None]
    [item] = db.session.scalars(sa.select(AuditItem).filter_by(answer_id=answer_id)).all()
    assert item.reasons == ["complaint", "low_score"] and item.priority == 9


def test_a_second_trigger_merges_into_the_live_item(app, db, shop):
    answer_id = answer_question(app, post_question(app, shop["company"]), "An answer.")
    answer = db.session.get(Answer, answer_id)
    first = items.open_item(answer, [AuditReason.LOW_SCORE])
    second = items.open_item(answer, [AuditReason.COMPLAINT])
    db.session.commit()
    assert first.id == second.id and second.reasons == ["complaint", "low_score"]
    assert db.session.get(Answer, answer_id).audit_pending is True
