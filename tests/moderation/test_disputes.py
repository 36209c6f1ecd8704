"""Disputes: what an overturn does when the question moved on, who may decide, and the
automatic suspension a successful appeal lifts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User, UserStatus
from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.database import utcnow
from marketplace.matching import services
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.moderation.models import Dispute, Sanction
from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards.checks import check_ledger
from marketplace.rewards.models import Reward, RewardStatus
from marketplace.webhooks.models import WebhookDelivery
from tests.factories import bring_online, make_company, make_pool_expert
from tests.moderation.conftest import (
    answer_via_api,
    decide,
    item_for,
    jobs_done,
    make_moderator,
    pending_item,
    post_question,
)

GOOD = "Open Settings, then Battery, and turn on adaptive charging; restart the phone after."
OTHER = "Charge it fully, let it drain once so the meter recalibrates, then charge it again."


def rejected(app, db, client, shop, **question):
    """The probation expert's answer, rejected by mod_a, and appealed; returns (answer, url)."""
    question_id = post_question(app, shop["company"], **question)
    answer_id = answer_via_api(client, shop["expert"].headers, question_id, GOOD)
    item = item_for(client, shop["mod_a"], answer_id)
    assert decide(client, shop["mod_a"], item["id"], "reject", reasons=["wrong"]).status_code == 200
    appeal = client.post(
        f"/api/v1/expert/answers/{answer_id}/appeal",
        json={"note": "It is right."},
        headers=shop["expert"].headers,
    )
    assert appeal.status_code == 201, appeal.get_json()
    url = f"/api/v1/moderation/disputes/{appeal.get_json()['id']}/decision"
    jobs_done(app)  # the verdict's jobs hold rows that matching would skip (SKIP LOCKED)
    return question_id, answer_id, url


@pytest.fixture
def second(app, db, shop):
    """Another expert, vetted, who comes online once the first answer was rejected (a vetted
    expert online from the start would be offered the question first: best fit rings first)."""
    return make_pool_expert(app, shop["pool"], tier="vetted", capacity=3, online=False)


def overturn(client, shop, url):
    response = client.post(url, json={"overturn": True}, headers=shop["mod_b"].headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_an_overturn_withdraws_offers_made_meanwhile(app, db, client, shop, second):
    question_id, answer_id, url = rejected(app, db, client, shop)
    bring_online(app, second)
    services.drain()
    [offer] = client.get("/api/v1/expert/pending", headers=second.headers).get_json()["offers"]
    overturn(client, shop, url)
    jobs_done(app)
    db.session.expire_all()
    assert db.session.get(Offer, uuid.UUID(offer["id"])).status == OfferStatus.REVOKED
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED
    seen = client.get(
        f"/api/v1/questions/{question_id}", headers=shop["company"].headers
    ).get_json()
    assert seen["answer"]["id"] == str(answer_id)
    [reward] = db.session.scalars(sa.select(Reward).filter_by(question_id=question_id)).all()
    assert reward.answer_id == answer_id and reward.status == RewardStatus.SETTLED
    assert check_ledger() == []


def test_an_overturn_leaves_the_work_of_the_expert_holding_it_now(app, db, client, shop, second):
    question_id, answer_id, url = rejected(app, db, client, shop)
    bring_online(app, second)
    services.drain()
    [offer] = client.get("/api/v1/expert/pending", headers=second.headers).get_json()["offers"]
    taken = client.post(f"/api/v1/expert/offers/{offer['id']}/accept", headers=second.headers)
    assert taken.status_code == 200
    overturn(client, shop, url)
    jobs_done(app)
    db.session.expire_all()
    assignment = db.session.get(Assignment, uuid.UUID(taken.get_json()["id"]))
    assert assignment.status == AssignmentStatus.ACTIVE  # mid-answer: it stands
    assert db.session.get(Question, question_id).status == QuestionStatus.ASSIGNED
    assert db.session.get(Answer, answer_id).status == AnswerStatus.RELEASED
    answered = client.post(
        f"/api/v1/expert/assignments/{assignment.id}/answer",
        json={"body": OTHER, "idempotency_key": "second-answer-1"},
        headers=second.headers,
    )
    assert answered.status_code == 201
    jobs_done(app)
    rewards = db.session.scalars(sa.select(Reward).filter_by(question_id=question_id)).all()
    assert {r.status for r in rewards} == {RewardStatus.SETTLED} and len(rewards) == 2
    assert check_ledger() == []


def test_an_overturn_after_another_answer_pays_both_and_tells_the_company(
    app, db, client, shop, second
):
    client.put(
        "/api/v1/webhook",
        json={"url": "http://127.0.0.1:9/hook", "secret": "whsec-test-0123456789"},
        headers=shop["company"].headers,
    )
    question_id, answer_id, url = rejected(app, db, client, shop)
    bring_online(app, second)
    other_id = answer_via_api(client, second.headers, question_id, OTHER)
    jobs_done(app)
    assert db.session.get(Answer, other_id).outcome == Outcome.ACCEPTED
    overturn(client, shop, url)
    jobs_done(app)
    db.session.expire_all()
    restored = db.session.get(Answer, answer_id)
    assert (restored.status, restored.outcome) == (AnswerStatus.RELEASED, Outcome.ACCEPTED)
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED
    rewards = db.session.scalars(sa.select(Reward).filter_by(question_id=question_id)).all()
    assert {r.answer_id for r in rewards} == {answer_id, other_id}
    assert {r.status for r in rewards} == {RewardStatus.SETTLED}
    [told] = [
        d.payload["data"]
        for d in db.session.scalars(
            sa.select(WebhookDelivery).filter_by(event="question.answer_restored")
        )
    ]
    assert told["answer"]["id"] == str(answer_id) and told["status"] == "answered"
    account = client.get("/api/v1/account", headers=shop["company"].headers).get_json()
    charged = sum(r.payout + r.fee for r in rewards)
    assert _spent(account) == charged  # the company pays for both answers, nothing else
    assert check_ledger() == []


def _spent(account) -> int:
    [row] = [b for b in account["balances"] if b["currency"] == "CNY"]
    return row["spent"]


def test_an_overturn_after_the_question_was_returned_still_pays(app, db, client, shop):
    soon = (utcnow() + timedelta(minutes=12)).isoformat()  # under 10 min + the return margin
    question_id, answer_id, url = rejected(app, db, client, shop, sla_deadline=soon)
    assert db.session.get(Question, question_id).status == QuestionStatus.RETURNED
    overturn(client, shop, url)
    jobs_done(app)
    db.session.expire_all()
    assert db.session.get(Question, question_id).status == QuestionStatus.RETURNED
    assert db.session.get(Answer, answer_id).status == AnswerStatus.RELEASED
    [reward] = db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all()
    assert reward.status == RewardStatus.SETTLED
    assert check_ledger() == []


def test_an_overturn_lifts_the_automatic_suspension_it_caused(app, db, client, shop):
    answers = []
    for _ in range(3):
        answer_id, item = pending_item(app, db, client, shop)
        assert (
            decide(
                client, shop["mod_a"], item["id"], "reject", reasons=["personal_data"]
            ).status_code
            == 200
        )
        answers.append(answer_id)
    db.session.expire_all()
    assert db.session.get(User, shop["expert"].id).status == UserStatus.SUSPENDED
    # Suspended, the expert may still appeal the rejection behind it.
    appeal = client.post(
        f"/api/v1/expert/answers/{answers[-1]}/appeal",
        json={"note": "That number is the shop's hotline, not personal data."},
        headers=shop["expert"].headers,
    )
    assert appeal.status_code == 201, appeal.get_json()
    overturn(client, shop, f"/api/v1/moderation/disputes/{appeal.get_json()['id']}/decision")
    db.session.expire_all()
    user = db.session.get(User, shop["expert"].id)
    assert (user.status, user.suspended_until) == (UserStatus.ACTIVE, None)
    [sanction] = db.session.scalars(sa.select(Sanction)).all()
    assert sanction.lifted_at is not None and "appeal" in sanction.lifted_reason
    [seen] = client.get("/api/v1/expert/sanctions", headers=shop["expert"].headers).get_json()
    assert seen["lifted_at"] is not None


def test_who_may_decide_an_appeal(app, db, client, shop):
    _, _, url = rejected(app, db, client, shop)
    dispute_id = url.split("/")[-2]
    linked = make_moderator(app, shop["company"].id)
    client.post(
        "/api/v1/moderation/links",
        json={"expert_id": str(shop["expert"].id)},
        headers=linked.headers,
    )
    listed = {
        name: [
            d["id"]
            for d in client.get("/api/v1/moderation/disputes", headers=m.headers).get_json()[
                "items"
            ]
        ]
        for name, m in [("rejecter", shop["mod_a"]), ("other", shop["mod_b"]), ("linked", linked)]
    }
    assert listed == {"rejecter": [], "other": [dispute_id], "linked": []}
    assert (
        client.post(url, json={"overturn": True}, headers=shop["mod_a"].headers).status_code == 403
    )
    refused = client.post(url, json={"overturn": True}, headers=linked.headers)
    assert refused.status_code == 403 and refused.get_json()["type"].endswith(
        "conflict-of-interest"
    )
    outsider = make_moderator(app, make_company(app).id)
    assert client.post(url, json={"overturn": True}, headers=outsider.headers).status_code == 404
    db.session.expire_all()
    assert db.session.scalars(sa.select(Dispute.status)).one().value == "open"
    upheld = client.post(
        url, json={"overturn": False, "note": "Still wrong."}, headers=shop["mod_b"].headers
    )
    assert upheld.status_code == 200 and upheld.get_json()["status"] == "upheld"


def test_disputes_page_with_a_cursor(app, db, client, shop):
    ids = [rejected(app, db, client, shop)[2].split("/")[-2] for _ in range(2)]
    url = "/api/v1/moderation/disputes"
    headers = shop["mod_b"].headers
    first = client.get(url, query_string={"limit": 1, "status": "open"}, headers=headers).get_json()
    second = client.get(
        url,
        query_string={"limit": 1, "status": "open", "cursor": first["next_cursor"]},
        headers=headers,
    ).get_json()
    assert [d["id"] for d in first["items"] + second["items"]] == ids
    assert second["next_cursor"] is None
