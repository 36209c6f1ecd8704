"""The audit policy per pool: hold or release-and-flag, sampling rates, low score, low rating,
complaints, gold questions, the gold-accuracy trigger, and holds that meet the SLA."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User, UserStatus
from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.database import utcnow
from marketplace.experts.models import Availability, ExpertProfile
from marketplace.moderation import timers
from marketplace.moderation.models import AuditItem, ItemStatus, Sanction
from marketplace.moderation.policy import AuditPolicy, sampled
from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards.models import Reward
from marketplace.webhooks.models import WebhookDelivery
from tests.factories import make_pool_expert, question_payload
from tests.moderation.conftest import (
    answer_via_api,
    decide,
    item_for,
    jobs_done,
    post_question,
    queue_of,
    set_audit_policy,
)

GOOD = "Open Settings, then Battery, and turn on adaptive charging; restart the phone after."


@pytest.fixture
def vetted(app, db, shop):
    """A vetted expert is the only one online in the shop's pool."""
    expert = make_pool_expert(app, shop["pool"], tier="vetted", capacity=5)
    db.session.get(ExpertProfile, shop["expert"].id).availability = Availability.OFFLINE
    db.session.commit()
    return expert


def webhook(client, company):
    response = client.put(
        "/api/v1/webhook",
        json={"url": "http://127.0.0.1:9/hook", "secret": "whsec-test-0123456789"},
        headers=company.headers,
    )
    assert response.status_code == 200, response.get_json()


def deliveries(db, event):
    db.session.expire_all()
    return [
        d.payload["data"]
        for d in db.session.scalars(sa.select(WebhookDelivery).filter_by(event=event))
    ]


def test_hold_false_releases_flagged_and_the_reward_waits_for_the_verdict(app, db, client, shop):
    set_audit_policy(db, shop["pool"], hold=False)
    webhook(client, shop["company"])
    question_id = post_question(app, shop["company"])
    answer_id = answer_via_api(client, shop["expert"].headers, question_id, GOOD)
    jobs_done(app)  # scoring ran; the answer would be accepted without the audit
    seen = client.get(
        f"/api/v1/questions/{question_id}", headers=shop["company"].headers
    ).get_json()
    assert seen["status"] == "answered" and seen["answer"]["audit"] == {"pending": True}
    [answered] = deliveries(db, "question.answered")
    assert answered["answer"]["audit"] == {"pending": True}
    answer = db.session.get(Answer, answer_id)
    assert (answer.status, answer.outcome) == (AnswerStatus.RELEASED, Outcome.PENDING)
    assert db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all() == []
    item = item_for(client, shop["mod_a"], answer_id)
    assert item["mandatory"] is True
    edited = decide(
        client, shop["mod_a"], item["id"], "approve_with_edit", edited_body="Restart it."
    )
    assert edited.status_code == 200
    jobs_done(app)
    [audited] = deliveries(db, "question.answer_audited")
    assert audited["verdict"] == "approve_with_edit"
    assert audited["answer"]["body"] == "Restart it." and audited["answer"]["edited"] is True
    assert audited["answer"]["audit"] == {"pending": False}
    seen = client.get(
        f"/api/v1/questions/{question_id}", headers=shop["company"].headers
    ).get_json()
    assert seen["answer"]["body"] == "Restart it." and seen["answer"]["audit"] == {"pending": False}
    assert db.session.get(Answer, answer_id).outcome == Outcome.ACCEPTED
    assert len(db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all()) == 1


@pytest.mark.parametrize(("rate", "audited"), [(1.0, True), (0.0, False)])
def test_the_sample_rate_per_tier_decides(app, db, client, shop, vetted, rate, audited):
    set_audit_policy(db, shop["pool"], sample_rates={"vetted": rate, "trusted": 0.0})
    question_id = post_question(app, shop["company"])
    answer_id = answer_via_api(client, vetted.headers, question_id, GOOD)
    jobs_done(app)
    answer = db.session.get(Answer, answer_id)
    if audited:
        assert item_for(client, shop["mod_a"], answer_id)["reasons"] == ["sample"]
        assert (answer.status, answer.outcome) == (AnswerStatus.HELD, Outcome.PENDING)
    else:
        assert queue_of(client, shop["mod_a"]) == []
        assert (answer.status, answer.outcome) == (AnswerStatus.RELEASED, Outcome.ACCEPTED)


def test_the_sample_is_a_stable_coin_of_the_given_rate():
    ids = [uuid.UUID(int=n * 7919 + 13) for n in range(4000)]
    share = sum(sampled(i, 0.1) for i in ids) / len(ids)
    assert 0.08 < share < 0.12
    assert [sampled(i, 0.1) for i in ids[:50]] == [sampled(i, 0.1) for i in ids[:50]]
    policy = AuditPolicy.from_settings({"audit": {"sample_rates": {"probation": 0.0, "vetted": 2}}})
    assert policy.sample_rates["probation"] == 1.0 and policy.sample_rates["vetted"] == 0.10


@pytest.mark.parametrize(("low_score", "audited"), [(0.4, True), (0.2, False), (None, True)])
def test_the_pools_low_score_decides_the_audit(app, db, client, shop, vetted, low_score, audited):
    # "Restart it." scores about 0.33: below the company's default threshold (0.6) and 0.4,
    # above 0.2. The pool's setting decides, not the company's accept_threshold.
    if low_score is not None:
        set_audit_policy(db, shop["pool"], low_score=low_score)
    question_id = post_question(app, shop["company"])
    answer_id = answer_via_api(client, vetted.headers, question_id, "Restart it.")
    jobs_done(app)
    answer = db.session.get(Answer, answer_id)
    assert 0.2 < answer.score < 0.4
    if audited:
        assert item_for(client, shop["mod_a"], answer_id)["reasons"] == ["low_score"]
        assert answer.outcome == Outcome.PENDING and answer.audit_pending
    else:
        assert queue_of(client, shop["mod_a"]) == [] and answer.outcome == Outcome.ACCEPTED


@pytest.mark.parametrize(
    ("feedback", "policy", "reason"),
    [
        ({"rating": 2}, {}, "low_rating"),
        ({"rating": 2}, {"low_rating": 1}, None),
        ({"rating": 4, "resolved": False, "comment": "Still broken."}, {}, "complaint"),
        ({"rating": 4, "resolved": False}, {}, None),  # no comment: not a complaint
    ],
)
def test_ratings_and_complaints_send_answers_to_audit(
    app, db, client, shop, vetted, feedback, policy, reason
):
    set_audit_policy(db, shop["pool"], **policy)
    question_id = post_question(app, shop["company"])
    answer_id = answer_via_api(client, vetted.headers, question_id, GOOD)
    jobs_done(app)
    sent = client.post(
        f"/api/v1/questions/{question_id}/feedback", json=feedback, headers=shop["company"].headers
    )
    assert sent.status_code == 201
    jobs_done(app)
    queue = queue_of(client, shop["mod_a"])
    if reason is None:
        assert queue == []
    else:
        [item] = queue
        assert item["answer_id"] == str(answer_id) and item["reasons"] == [reason]
        assert item["priority"] == {"complaint": 9, "low_rating": 8}[reason]


def test_every_gold_answer_is_audited_and_graded(app, db, client, shop, vetted):
    created = client.post(
        "/api/v1/gold-questions",
        headers=shop["company"].headers,
        json=question_payload(subject="Frozen", body="My phone froze.", priority=9)
        | {"reference_answers": ["Hold the power and volume down keys for ten seconds."]},
    )
    question_id = uuid.UUID(created.get_json()["id"])
    answer_id = answer_via_api(
        client, vetted.headers, question_id, "Hold the power and volume down keys for ten seconds."
    )
    jobs_done(app)
    item = item_for(client, shop["mod_a"], answer_id)
    assert item["reasons"] == ["gold"] and item["mandatory"] is False
    answer = db.session.get(Answer, answer_id)
    assert answer.gold_passed is True and answer.outcome == Outcome.ACCEPTED


def test_failing_gold_questions_suspend_automatically(app, db, client, shop, vetted):
    for n in range(5):
        created = client.post(
            "/api/v1/gold-questions",
            headers=shop["company"].headers,
            json=question_payload(subject=f"Gold {n}", body=f"Gold question {n}?", priority=9)
            | {"reference_answers": ["Hold the power and volume down keys for ten seconds."]},
        )
        answer_via_api(
            client, vetted.headers, created.get_json()["id"], f"No idea, sorry, attempt {n}."
        )
        jobs_done(app)
    db.session.expire_all()
    [automatic] = db.session.scalars(sa.select(Sanction)).all()
    assert automatic.trigger == "gold_accuracy" and automatic.automatic
    assert "0" in automatic.reason and automatic.reason_zh
    assert db.session.get(User, vetted.id).status == UserStatus.SUSPENDED


def test_a_held_answer_reaches_the_company_flagged_at_its_sla(app, db, client, shop):
    webhook(client, shop["company"])
    sla = (utcnow() + timedelta(hours=2)).isoformat()
    question_id = post_question(app, shop["company"], sla_deadline=sla)
    answer_id = answer_via_api(client, shop["expert"].headers, question_id, GOOD)
    jobs_done(app)
    assert timers.release_if_overdue(answer_id) is False  # two hours left: still held
    question = db.session.get(Question, question_id)
    question.sla_deadline = utcnow() + timedelta(minutes=4)  # inside the 5-minute return margin
    db.session.commit()
    assert timers.sweep()["holds_released"] == 1
    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    assert (answer.status, answer.outcome) == (AnswerStatus.RELEASED, Outcome.PENDING)
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED
    [answered] = deliveries(db, "question.answered")
    assert answered["answer"]["audit"] == {"pending": True}
    assert db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all() == []
    item = db.session.scalars(sa.select(AuditItem).filter_by(answer_id=answer_id)).one()
    assert item.status == ItemStatus.OPEN and item.mandatory
    assert timers.sweep()["holds_released"] == 0
    # A rejection now, with the SLA spent, returns the question to the company.
    assert (
        decide(client, shop["mod_a"], str(item.id), "reject", reasons=["wrong"]).status_code == 200
    )
    assert db.session.get(Question, question_id).status == QuestionStatus.RETURNED
    assert deliveries(db, "question.answer_rejected")[0]["answer_id"] == str(answer_id)
