"""Full moderation flows through the API and the real jobs (scoring, reputation, settlement):
sign-up to promotion, and a rejection overturned on appeal, before and after settlement."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.experts import presence
from marketplace.experts.models import Availability, ExpertProfile, PoolMembership, Tier
from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards.checks import check_ledger
from marketplace.rewards.models import Reward, RewardStatus
from tests.factories import make_pool_expert, question_payload
from tests.moderation.conftest import (
    answer_via_api,
    decide,
    item_for,
    jobs_done,
    post_question,
    queue_of,
    sign_up,
)

GOLD = [
    (
        "Phone frozen",
        "My phone froze, how do I restart it?",
        "Force restart: hold the power and volume down keys for ten seconds.",
    ),
    (
        "Battery drains",
        "The battery drains overnight, what can I do?",
        "Turn on adaptive battery in Settings and check battery usage per app.",
    ),
    (
        "Screen flicker",
        "The screen flickers at low brightness.",
        "Turn off adaptive brightness and install the latest system update.",
    ),
]
GOOD = "Open Settings, then Battery, and turn on adaptive charging; restart the phone after."


def membership_of(db, expert_id) -> PoolMembership:
    db.session.expire_all()
    return db.session.scalars(sa.select(PoolMembership).filter_by(expert_id=expert_id)).one()


def item_for_none(client, moderator, answer_id) -> bool:
    return str(answer_id) not in str(queue_of(client, moderator))


def balances(client, headers):
    return client.get("/api/v1/expert/earnings", headers=headers).get_json()["balances"]


def test_sign_up_test_approval_probation_audits_then_promotion(app, db, client, shop):
    company, mod, pool = shop["company"], shop["mod_a"], shop["pool"]
    for subject, body, reference in GOLD:
        created = client.post(
            "/api/v1/gold-questions",
            headers=company.headers,
            json=question_payload(subject=subject, body=body, priority=0)
            | {"reference_answers": [reference]},
        )
        assert created.status_code == 201, created.get_json()
    fan_id, fan = sign_up(
        app, brands=["Aurora"], topics=["battery care"], motivation="I fix phones every weekend."
    )
    assert str(pool) in [
        p["pool_id"] for p in client.get("/api/v1/expert/pools", headers=fan).get_json()["open"]
    ]
    applied = client.post(f"/api/v1/expert/pools/{pool}/apply", json={}, headers=fan)
    assert applied.status_code == 201 and applied.get_json()["status"] == "testing"
    test = client.get(f"/api/v1/expert/pools/{pool}/test", headers=fan).get_json()
    assert len(test) == 3 and "reference" not in str(test) and "Force restart" not in str(test)
    by_subject = {g[0]: g[2] for g in GOLD}
    answers = {q["id"]: by_subject[q["subject"]] for q in test}
    graded = client.post(
        f"/api/v1/expert/pools/{pool}/test", json={"answers": answers}, headers=fan
    )
    assert graded.status_code == 200 and graded.get_json()["score"] == 1.0
    [application] = client.get("/api/v1/moderation/applications", headers=mod.headers).get_json()[
        "items"
    ]
    assert application["test_score"] == 1.0 and application["brands"] == ["Aurora"]
    assert "weekend" in application["motivation"] and application["no_test"] is False
    decided = client.post(
        f"/api/v1/moderation/applications/{application['membership_id']}/decision",
        json={"approve": True, "note": "Welcome."},
        headers=mod.headers,
    )
    assert decided.get_json() == {"status": "approved"}
    assert membership_of(db, fan_id).tier == Tier.PROBATION

    # The only online expert now is the fan.
    db.session.get(ExpertProfile, fan_id).availability = Availability.ONLINE
    db.session.get(ExpertProfile, shop["expert"].id).availability = Availability.OFFLINE
    db.session.commit()
    presence.connected(fan_id, "fan-sid", "test")
    answered = 0
    while membership_of(db, fan_id).tier == Tier.PROBATION:
        assert answered < 15, "no promotion after 15 approved answers"
        question_id = post_question(app, company, priority=9)
        answer_id = answer_via_api(client, fan, question_id, GOOD)
        jobs_done(app)  # scoring ran; a probation answer waits for the moderator regardless
        seen = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
        assert (seen["status"], seen["answer"]) == ("in_review", None)
        assert db.session.get(Answer, answer_id).outcome == Outcome.PENDING
        item = item_for(client, mod, answer_id)
        assert item["reasons"] == ["probation"] and item["mandatory"] is True
        assert decide(client, mod, item["id"], "approve").status_code == 200
        seen = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
        assert seen["status"] == "answered" and seen["answer"]["body"] == GOOD
        assert seen["answer"]["audit"] == {"pending": False}
        jobs_done(app)  # re-grading, reputation and settlement jobs
        answered += 1
    assert answered == 10  # the documented threshold: 10 decided answers, lower bound >= 0.6
    assert membership_of(db, fan_id).tier == Tier.VETTED
    rewards = db.session.scalars(sa.select(Reward).filter_by(expert_id=fan_id)).all()
    assert len(rewards) == 10 and {r.status for r in rewards} == {RewardStatus.SETTLED}
    # Vetted now: the next answer goes straight to the company (the pool samples no one).
    question_id = post_question(app, company, priority=9)
    fresh = "Charge it fully, let it drain once so the battery meter recalibrates, then recharge."
    answer_id = answer_via_api(client, fan, question_id, fresh)  # not a copy of the others
    jobs_done(app)
    seen = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
    assert seen["status"] == "answered" and seen["answer"]["audit"] == {"pending": False}
    assert db.session.get(Answer, answer_id).outcome == Outcome.ACCEPTED
    assert item_for_none(client, mod, answer_id)


def test_reject_appeal_overturn_pays_the_held_answer_and_releases_it(app, db, client, shop):
    company, expert = shop["company"], shop["expert"]
    question_id = post_question(app, company)
    answer_id = answer_via_api(client, expert.headers, question_id, GOOD)
    jobs_done(app)
    item = item_for(client, shop["mod_a"], answer_id)
    rejected = decide(
        client, shop["mod_a"], item["id"], "reject", reasons=["wrong"], note="Other model."
    )
    assert rejected.status_code == 200, rejected.get_json()
    jobs_done(app)
    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    assert (answer.outcome, answer.status) == (Outcome.REJECTED, AnswerStatus.REJECTED)
    assert db.session.get(Question, question_id).status == QuestionStatus.QUEUED
    assert db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all() == []
    [mine] = client.get("/api/v1/expert/answers", headers=expert.headers).get_json()["items"]
    assert mine["verdict"]["verdict"] == "reject"
    assert mine["verdict"]["reasons"] == [
        {"code": "wrong", "reason": "The answer is wrong.", "reason_zh": "回答内容有误。"}
    ]
    assert mine["verdict"]["note"] == "Other model." and mine["appeal"] is None

    appeal = client.post(
        f"/api/v1/expert/answers/{answer_id}/appeal",
        json={"note": "These steps are right for the X5; see the manual."},
        headers=expert.headers,
    )
    assert appeal.status_code == 201, appeal.get_json()
    again = client.post(
        f"/api/v1/expert/answers/{answer_id}/appeal", json={"note": "Again"}, headers=expert.headers
    )
    assert again.status_code == 409
    url = f"/api/v1/moderation/disputes/{appeal.get_json()['id']}/decision"
    own = client.post(url, json={"overturn": True}, headers=shop["mod_a"].headers)
    assert own.status_code == 403  # the rejecting moderator cannot judge the appeal
    flipped = client.post(
        url, json={"overturn": True, "note": "Correct for the X5."}, headers=shop["mod_b"].headers
    )
    assert flipped.status_code == 200 and flipped.get_json()["status"] == "overturned"
    assert (
        client.post(url, json={"overturn": False}, headers=shop["mod_b"].headers).status_code == 409
    )
    jobs_done(app)
    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    assert answer.outcome == Outcome.ACCEPTED and answer.status == AnswerStatus.RELEASED
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED
    seen = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
    assert seen["answer"]["id"] == str(answer_id)
    [reward] = db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all()
    assert reward.status == RewardStatus.SETTLED and reward.payout > 0
    assert balances(client, expert.headers)[0]["available"] == reward.payout
    [mine] = client.get("/api/v1/expert/answers", headers=expert.headers).get_json()["items"]
    assert mine["appeal"] == "overturned" and mine["verdict"]["verdict"] == "approve"
    assert check_ledger() == []


def test_a_settled_reward_is_reversed_by_a_rejection_and_paid_again_on_appeal(
    app, db, client, shop
):
    company = shop["company"]
    expert = make_pool_expert(app, shop["pool"], tier="vetted", capacity=3)
    db.session.get(ExpertProfile, shop["expert"].id).availability = Availability.OFFLINE
    db.session.commit()
    question_id = post_question(app, company)
    answer_id = answer_via_api(client, expert.headers, question_id, GOOD)
    jobs_done(app)  # scored, accepted, settled: the expert has been paid
    [first] = db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all()
    assert first.status == RewardStatus.SETTLED
    first_id = first.id
    feedback = client.post(
        f"/api/v1/questions/{question_id}/feedback",
        json={"rating": 2, "resolved": False, "comment": "Did not work on my model."},
        headers=company.headers,
    )
    assert feedback.status_code == 201
    jobs_done(app)
    before = membership_of(db, expert.id)
    reputation_before = (before.reputation_mean, before.reputation_lower)
    item = item_for(client, shop["mod_a"], answer_id)
    assert item["reasons"] == ["complaint"] and item["mandatory"] is False
    assert decide(client, shop["mod_a"], item["id"], "reject", reasons=["wrong"]).status_code == 200
    jobs_done(app)
    db.session.expire_all()
    assert db.session.get(Reward, first_id).status == RewardStatus.REVERSED
    assert balances(client, expert.headers)[0]["available"] == 0
    after_rejection = membership_of(db, expert.id)
    assert after_rejection.reputation_mean < reputation_before[0]
    appeal = client.post(
        f"/api/v1/expert/answers/{answer_id}/appeal",
        json={"note": "It does work."},
        headers=expert.headers,
    )
    decided = client.post(
        f"/api/v1/moderation/disputes/{appeal.get_json()['id']}/decision",
        json={"overturn": True},
        headers=shop["mod_b"].headers,
    )
    assert decided.status_code == 200, decided.get_json()
    jobs_done(app)
    db.session.expire_all()
    live = db.session.scalars(
        sa.select(Reward).filter_by(answer_id=answer_id, status=RewardStatus.SETTLED)
    ).one()
    assert live.generation == 2 and balances(client, expert.headers)[0]["available"] == live.payout
    restored = membership_of(db, expert.id)
    # The same evidence again (accepted, the customer's rating); only the decay of the seconds
    # between the two decisions differs.
    assert restored.reputation_mean == pytest.approx(reputation_before[0], abs=1e-5)
    assert restored.reputation_lower == pytest.approx(reputation_before[1], abs=1e-5)
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED
    assert check_ledger() == []
