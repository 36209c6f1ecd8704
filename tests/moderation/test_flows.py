"""Full moderation flows through the API: vetting to promotion, rejection to a won appeal."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.experts import reputation
from marketplace.experts.models import PoolMembership, Tier
from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards.models import Reward, RewardStatus
from marketplace.rewards.settlement import settle_all
from tests.factories import question_payload
from tests.moderation.conftest import answer_as, decide, item_for, post_question

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


def test_signup_test_approval_probation_audits_then_promotion(app, db, client, shop):
    company, mod = shop["company"], shop["mod_a"]
    for subject, body, reference in GOLD:
        response = client.post(
            "/api/v1/gold-questions",
            headers=company.headers,
            json=question_payload(subject=subject, body=body, priority=0)
            | {"reference_answers": [reference]},
        )
        assert response.status_code == 201, response.get_json()
    signup = app.test_client().post(
        "/api/v1/auth/signup",
        json={
            "email": "newfan@example.test",
            "password": "password-123",
            "display_name": "New Fan",
            "languages": ["en"],
            "skills": {"battery": 4},
            "brands": ["Aurora"],
            "motivation": "I fix my friends' phones every weekend.",
        },
    )
    assert signup.status_code == 201, signup.get_json()
    token = client.post(
        "/api/v1/auth/token", json={"email": "newfan@example.test", "password": "password-123"}
    ).get_json()["token"]
    fan = {"Authorization": f"Bearer {token}"}
    fan_id = uuid.UUID(signup.get_json()["user_id"])
    pools = client.get("/api/v1/expert/pools", headers=fan).get_json()
    assert str(shop["pool"]) in [p["pool_id"] for p in pools["open"]]
    applied = client.post(f"/api/v1/expert/pools/{shop['pool']}/apply", json={}, headers=fan)
    assert applied.status_code == 201 and applied.get_json()["status"] == "testing"
    test = client.get(f"/api/v1/expert/pools/{shop['pool']}/test", headers=fan).get_json()
    assert len(test) == 3 and "reference" not in str(test)
    by_subject = {g[0]: g[2] for g in GOLD}
    answers = {q["id"]: by_subject[q["subject"]] for q in test}
    graded = client.post(
        f"/api/v1/expert/pools/{shop['pool']}/test", json={"answers": answers}, headers=fan
    )
    assert graded.status_code == 200 and graded.get_json()["score"] == 1.0
    [application] = client.get("/api/v1/moderation/applications", headers=mod.headers).get_json()[
        "items"
    ]
    assert application["test_score"] == 1.0 and "weekend" in application["motivation"]
    decided = client.post(
        f"/api/v1/moderation/applications/{application['membership_id']}/decision",
        json={"approve": True},
        headers=mod.headers,
    )
    assert decided.get_json() == {"status": "approved"}
    membership = db.session.scalars(sa.select(PoolMembership).filter_by(expert_id=fan_id)).one()
    assert membership.tier == Tier.PROBATION

    # Every probation answer waits for a moderator before the company sees it.
    from marketplace.experts import presence
    from marketplace.experts.models import Availability, ExpertProfile

    db.session.get(ExpertProfile, membership.expert_id).availability = Availability.ONLINE
    db.session.get(ExpertProfile, shop["expert"].id).availability = Availability.OFFLINE
    db.session.commit()
    presence.connected(membership.expert_id, "fan-sid", "test")
    shop["expert"] = type("E", (), {"id": membership.expert_id})
    for _ in range(10):
        question_id = post_question(app, company, priority=9)
        answer_id = answer_as(db, shop["expert"], question_id)
        seen = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
        assert (seen["status"], seen["answer"]) == ("in_review", None)
        item = item_for(client, mod, answer_id)
        assert "probation" in item["reasons"] and item["mandatory"]
        assert decide(client, mod, item["id"], "approve").status_code == 200
        seen = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
        assert seen["status"] == "answered" and seen["answer"]["body"]
    reputation.recompute_expert(membership.expert_id)
    db.session.expire_all()
    assert db.session.get(PoolMembership, membership.id).tier == Tier.VETTED
    settle_all()
    rewards = db.session.scalars(sa.select(Reward).filter_by(expert_id=membership.expert_id))
    assert {r.status for r in rewards} == {RewardStatus.SETTLED}


def test_reject_appeal_overturn_pays_and_restores(app, db, client, shop):
    company, expert = shop["company"], shop["expert"]
    question_id = post_question(app, company)
    answer_id = answer_as(db, expert, question_id)
    item = item_for(client, shop["mod_a"], answer_id)
    rejected = decide(
        client,
        shop["mod_a"],
        item["id"],
        "reject",
        reasons=["wrong"],
        note="The restart steps are for another model.",
    )
    assert rejected.status_code == 200, rejected.get_json()
    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    assert (answer.outcome, answer.status) == (Outcome.REJECTED, AnswerStatus.REJECTED)
    assert db.session.get(Question, question_id).status == QuestionStatus.QUEUED
    assert db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all() == []
    mine = client.get(f"/api/v1/expert/answers/{answer_id}", headers=expert.headers).get_json()
    assert mine["outcome"] == "rejected"

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
    dispute_id = appeal.get_json()["id"]
    url = f"/api/v1/moderation/disputes/{dispute_id}/decision"
    own = client.post(url, json={"overturn": True}, headers=shop["mod_a"].headers)
    assert own.status_code == 403  # the rejecting moderator cannot judge the appeal
    flipped = client.post(
        url, json={"overturn": True, "note": "Correct for the X5."}, headers=shop["mod_b"].headers
    )
    assert flipped.status_code == 200 and flipped.get_json()["status"] == "overturned"
    final = client.post(url, json={"overturn": False}, headers=shop["mod_b"].headers)
    assert final.status_code == 409  # the decision is final

    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    assert answer.outcome == Outcome.ACCEPTED and answer.status == AnswerStatus.RELEASED
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED
    settle_all()
    [reward] = db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all()
    assert reward.status == RewardStatus.SETTLED and reward.payout > 0
    earnings = client.get("/api/v1/expert/earnings", headers=expert.headers).get_json()
    assert earnings["balances"] == [
        {
            "currency": "CNY",
            "available": reward.payout,
            "pending": 0,
            "in_flight": 0,
            "paid": 0,
            "owed": 0,
        }
    ]
    reputation.recompute_expert(expert.id)
    db.session.expire_all()
    assert (
        db.session.scalars(
            sa.select(PoolMembership.reputation_lower).filter_by(expert_id=expert.id)
        ).one()
        > 0.2
    )
