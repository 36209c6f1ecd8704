"""Verdicts: claims first, valid reasons and edits, what each verdict does."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.answers import grading
from marketplace.answers.models import Answer, Outcome
from marketplace.database import utcnow
from marketplace.extensions import socketio
from marketplace.moderation.models import Audit, AuditItem, ItemStatus
from marketplace.rewards.models import LIVE_REWARD_STATUSES, Reward
from tests.moderation.conftest import decide, pending_item


def test_an_expired_claim_can_be_taken_over(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    url = f"/api/v1/moderation/items/{item['id']}"
    assert client.post(url + "/claim", headers=shop["mod_a"].headers).status_code == 200
    row = db.session.get(AuditItem, uuid.UUID(item["id"]))
    row.claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(url + "/claim", headers=shop["mod_b"].headers).status_code == 200
    late = client.post(url + "/verdict", json={"verdict": "approve"}, headers=shop["mod_a"].headers)
    assert late.status_code == 409 and late.get_json()["type"].endswith("claim-lost")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"verdict": "reject"}, "reasons"),
        ({"verdict": "reject", "reasons": ["ugly"]}, "reasons"),
        ({"verdict": "approve_with_edit"}, "edited_body"),
        ({"verdict": "approve", "edited_body": "sneaky edit"}, "edited_body"),
        ({"verdict": "maybe"}, "verdict"),
        ({"verdict": "approve", "extra": 1}, "extra"),
    ],
)
def test_bad_verdicts_are_refused_and_change_nothing(app, db, client, shop, body, field):
    answer_id, item = pending_item(app, db, client, shop)
    url = f"/api/v1/moderation/items/{item['id']}"
    assert client.post(url + "/claim", headers=shop["mod_a"].headers).status_code == 200
    response = client.post(url + "/verdict", json=body, headers=shop["mod_a"].headers)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 0
    assert db.session.get(Answer, answer_id).outcome.value == "pending"


def test_a_verdict_without_a_claim_or_twice_is_a_conflict(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    url = f"/api/v1/moderation/items/{item['id']}/verdict"
    unclaimed = client.post(url, json={"verdict": "approve"}, headers=shop["mod_a"].headers)
    assert unclaimed.status_code == 409
    assert decide(client, shop["mod_a"], item["id"], "approve").status_code == 200
    again = client.post(
        url, json={"verdict": "reject", "reasons": ["wrong"]}, headers=shop["mod_a"].headers
    )
    assert again.status_code == 409
    unknown = client.post(
        f"/api/v1/moderation/items/{uuid.uuid4()}/claim", headers=shop["mod_a"].headers
    )
    assert unknown.status_code == 404


def test_an_edit_reaches_the_company_and_the_original_is_kept(app, db, client, shop):
    answer_id, item = pending_item(app, db, client, shop, "Restart it lol")
    edited = decide(
        client,
        shop["mod_a"],
        item["id"],
        "approve_with_edit",
        edited_body="<b>Restart</b> the phone, then recalibrate the battery.",
    )
    assert edited.status_code == 200
    answer = db.session.get(Answer, answer_id)
    db.session.refresh(answer)
    assert answer.body == "Restart it lol"
    seen = client.get(
        f"/api/v1/questions/{answer.question_id}", headers=shop["company"].headers
    ).get_json()
    assert seen["answer"]["body"] == "Restart the phone, then recalibrate the battery."


def test_a_linked_moderator_cannot_audit_the_expert(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    linked = client.post(
        "/api/v1/moderation/links",
        json={"expert_id": str(shop["expert"].id), "reason": "my cousin"},
        headers=shop["mod_a"].headers,
    )
    assert linked.status_code == 201
    claim = client.post(
        f"/api/v1/moderation/items/{item['id']}/claim", headers=shop["mod_a"].headers
    )
    assert claim.status_code == 403
    assert decide(client, shop["mod_b"], item["id"], "approve").status_code == 200


def test_a_calibration_verdict_never_changes_the_real_outcome(app, db, client, shop):
    answer_id, item = pending_item(app, db, client, shop)
    assert decide(client, shop["mod_b"], item["id"], "approve").status_code == 200
    calibration = AuditItem(
        answer_id=answer_id,
        company_id=shop["company"].id,
        pool_id=shop["pool"],
        reasons=item["reasons"],
        status=ItemStatus.OPEN,
        calibration_for=shop["mod_a"].id,
        expected_verdict="approve",
    )
    db.session.add(calibration)
    db.session.commit()
    wrong = decide(client, shop["mod_a"], str(calibration.id), "reject", reasons=["wrong"])
    assert wrong.status_code == 200
    grading.score_answer(answer_id)  # a later re-grade (feedback, peer review) sees verdicts
    db.session.expire_all()
    assert db.session.get(Answer, answer_id).outcome == Outcome.ACCEPTED
    assert grading.latest_verdict(answer_id).value == "approve"
    live = db.session.scalars(
        sa.select(Reward).where(
            Reward.answer_id == answer_id, Reward.status.in_(LIVE_REWARD_STATUSES)
        )
    ).all()
    assert len(live) == 1


def test_the_expert_hears_the_verdict_with_reasons_in_english_and_chinese(app, db, client, shop):
    phone = socketio.test_client(app, namespace="/expert", auth={"token": shop["expert"].token})
    answer_id, item = pending_item(app, db, client, shop)
    phone.get_received("/expert")
    rejected = decide(
        client, shop["mod_a"], item["id"], "reject", reasons=["rude", "personal_data"], note="Tone."
    )
    assert rejected.status_code == 200
    [event] = [e["args"][0] for e in phone.get_received("/expert") if e["name"] == "answer.verdict"]
    assert event["answer_id"] == str(answer_id) and event["verdict"] == "reject"
    assert event["note"] == "Tone."
    assert event["reasons"] == [
        {
            "code": "personal_data",
            "reason": "The answer leaks personal data.",
            "reason_zh": "回答泄露了个人信息。",
        },
        {
            "code": "rude",
            "reason": "The answer is rude to the customer.",
            "reason_zh": "回答对客户不礼貌。",
        },
    ]
    [mine] = client.get("/api/v1/expert/answers", headers=shop["expert"].headers).get_json()[
        "items"
    ]
    assert mine["verdict"]["reasons"] == event["reasons"]


def test_approving_with_reasons_is_refused(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    response = decide(client, shop["mod_a"], item["id"], "approve", reasons=["wrong"])
    assert response.status_code == 422 and "reasons" in response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 0
