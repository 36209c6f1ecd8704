"""Calibration: final known verdicts only, blind items, links do not block it; the report."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from marketplace.answers.models import Answer
from marketplace.moderation import calibration
from marketplace.moderation.models import (
    Audit,
    AuditItem,
    Dispute,
    DisputeStatus,
    ItemStatus,
    Verdict,
)
from tests.factories import answer_question, make_pool_expert
from tests.moderation.conftest import decide, make_moderator, pending_item, post_question


def answered(app, shop, expert_id=None) -> uuid.UUID:
    return answer_question(app, post_question(app, shop["company"]), "An answer.", expert_id)


def audit(db, answer_id, moderator_id, verdict="approve", **extra) -> Audit:
    row = Audit(answer_id=answer_id, moderator_id=moderator_id, verdict=Verdict(verdict), **extra)
    db.session.add(row)
    db.session.commit()
    return row


def ten_decisions(app, db, shop, moderator_id) -> None:
    """The moderator's last ten verdicts, none a calibration (so one is due)."""
    for _ in range(10):
        audit(db, answered(app, shop), moderator_id)


def test_only_final_verdicts_are_used_as_known_ones(app, db, shop):
    mod_a, mod_b, mod_c = (
        shop["mod_a"].id,
        shop["mod_b"].id,
        make_moderator(app, shop["company"].id).id,
    )
    ten_decisions(app, db, shop, mod_a)
    lone = answered(app, shop)
    audit(db, lone, mod_b)  # one moderator's verdict, possibly overturned later: not known
    disputed = answered(app, shop)
    audit(db, disputed, mod_b, "reject")
    db.session.add(
        Dispute(
            answer_id=disputed,
            expert_id=db.session.get(Answer, disputed).expert_id,
            company_id=shop["company"].id,
            note="n",
            rejected_by=mod_b,
            status=DisputeStatus.OVERTURNED,
        )
    )
    agreed = answered(app, shop)
    audit(db, agreed, mod_b, "reject")
    audit(db, agreed, mod_c, "reject")
    split = answered(app, shop)
    audit(db, split, mod_b, "reject")
    audit(db, split, mod_c, "approve")
    gold = answered(app, shop)
    db.session.get(Answer, gold).gold_passed = False
    db.session.commit()
    known = calibration._known_verdicts(mod_a, shop["company"].id)
    assert known == {disputed: "approve", agreed: "reject", gold: "reject"}


def test_a_calibration_item_is_blind(app, db, client, shop):
    mod_a, mod_b = shop["mod_a"], shop["mod_b"]
    answer_id, item = pending_item(app, db, client, shop)
    assert (
        decide(client, mod_b, item["id"], "approve_with_edit", edited_body="Better.").status_code
        == 200
    )
    audit(db, answer_id, make_moderator(app, shop["company"].id).id)  # a second, agreeing one
    ten_decisions(app, db, shop, mod_a.id)
    slipped = calibration.maybe_slip(mod_a.id, shop["company"].id)
    db.session.commit()
    assert slipped is not None and slipped.answer_id == answer_id
    [seen] = [
        i for i in client.get("/api/v1/moderation/queue", headers=mod_a.headers).get_json()["items"]
    ]
    assert seen["reasons"] == item["reasons"] == ["probation"]  # a copy of the real item
    assert seen["priority"] == item["priority"] and seen["mandatory"] == item["mandatory"]
    detail = client.get(f"/api/v1/moderation/items/{seen['id']}", headers=mod_a.headers).get_json()
    assert "Better." not in str(detail)  # the earlier edit (a verdict) is not shown
    assert "outcome" not in detail["answer"] and "score" not in detail["answer"]
    assert "calibration" not in str(detail)
    other = client.get("/api/v1/moderation/queue", headers=mod_b.headers).get_json()["items"]
    assert seen["id"] not in [i["id"] for i in other]
    assert decide(client, mod_a, seen["id"], "approve").status_code == 200
    [graded] = db.session.scalars(sa.select(Audit).filter_by(calibration=True)).all()
    assert graded.matches_expected is True  # approve and approve-with-edit count alike
    assert db.session.get(Answer, answer_id).edited_body == "Better."  # nothing else changed


def test_a_link_does_not_block_calibration_for_good(app, db, client, shop):
    mod_a = shop["mod_a"]
    friend = make_pool_expert(app, shop["pool"])
    stranger = make_pool_expert(app, shop["pool"])
    first = answered(app, shop, friend.id)
    db.session.get(Answer, first).gold_passed = True
    db.session.commit()
    ten_decisions(app, db, shop, mod_a.id)
    assert calibration.maybe_slip(mod_a.id, shop["company"].id).answer_id == first
    db.session.commit()
    linked = client.post(
        "/api/v1/moderation/links", json={"expert_id": str(friend.id)}, headers=mod_a.headers
    )
    assert linked.status_code == 201
    assert (
        db.session.scalars(sa.select(AuditItem).where(AuditItem.calibration_for == mod_a.id)).all()
        == []
    )  # the item they may not claim is gone
    second = answered(app, shop, stranger.id)
    db.session.get(Answer, second).gold_passed = False
    db.session.commit()
    again = calibration.maybe_slip(mod_a.id, shop["company"].id)
    assert again is not None and again.answer_id == second and again.expected_verdict == "reject"


def test_the_report_gives_accuracy_and_agreement_per_pair(app, db, client, shop):
    mod_a, mod_b = shop["mod_a"].id, shop["mod_b"].id
    mod_c = make_moderator(app, shop["company"].id).id
    # a and b on four answers: agree on 3 (kappa = (0.75 - 0.5) / 0.5 = 0.5).
    for verdict_a, verdict_b in [
        ("approve", "approve"),
        ("reject", "reject"),
        ("approve_with_edit", "approve"),
        ("approve", "reject"),
    ]:
        answer_id = answered(app, shop)
        audit(db, answer_id, mod_a, verdict_a)
        audit(db, answer_id, mod_b, verdict_b)
    # c on one answer with a, by a calibration item: c was wrong.
    answer_id = answered(app, shop)
    audit(db, answer_id, mod_a, "approve")
    item = AuditItem(
        answer_id=answer_id,
        company_id=shop["company"].id,
        reasons=["sample"],
        status=ItemStatus.DECIDED,
        calibration_for=mod_c,
        expected_verdict="approve",
    )
    db.session.add(item)
    db.session.flush()
    audit(db, answer_id, mod_c, "reject", calibration=True, item_id=item.id)
    report = client.get("/api/v1/moderation/report", headers=shop["mod_a"].headers).get_json()
    by_id = {m["moderator_id"]: m for m in report["moderators"]}
    assert (by_id[str(mod_c)]["calibrations"], by_id[str(mod_c)]["accuracy"]) == (1, 0.0)
    assert by_id[str(mod_a)]["decisions"] == 5
    pairs = {tuple(p["moderators"]): p for p in report["pairwise"]}
    ab = pairs[tuple(sorted([str(mod_a), str(mod_b)]))]
    assert (ab["answers"], ab["agreed"], ab["agreement"]) == (4, 3, 0.75)
    assert ab["kappa"] == pytest.approx(0.5)
    ac = pairs[tuple(sorted([str(mod_a), str(mod_c)]))]
    assert (ac["answers"], ac["agreed"]) == (1, 0)
    assert report["pairs"] == 5 and report["agreement"] == pytest.approx(0.6)
    outsider = make_moderator(app, None)
    assert (
        client.get("/api/v1/moderation/report", headers=outsider.headers).get_json()["pairs"] == 0
    )


def test_the_full_explanation_waits_until_the_item_is_decided(app, db, client, shop):
    answer_id, item = pending_item(app, db, client, shop)
    url = f"/api/v1/moderation/answers/{answer_id}"
    queued = client.get(url, headers=shop["mod_a"].headers)
    assert queued.status_code == 409 and "answer_id" in queued.get_json()["errors"]
    assert decide(client, shop["mod_a"], item["id"], "approve").status_code == 200
    assert client.get(url, headers=shop["mod_a"].headers).status_code == 200
    # Slipped into someone's queue as a calibration item, it is hidden from them only.
    calibration = AuditItem(
        answer_id=answer_id,
        company_id=shop["company"].id,
        reasons=item["reasons"],
        status=ItemStatus.OPEN,
        calibration_for=shop["mod_b"].id,
        expected_verdict="approve",
    )
    db.session.add(calibration)
    db.session.commit()
    assert client.get(url, headers=shop["mod_b"].headers).status_code == 409
    assert client.get(url, headers=shop["mod_a"].headers).status_code == 200
