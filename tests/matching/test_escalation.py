"""Escalation rings, reward raises, staff, return before the SLA, expiry, and the reconciler."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.companies.models import Pool, PoolKind
from marketplace.companies.services import create_pool
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.matching import claims, escalation, reconciler, services
from marketplace.matching.models import Offer, OfferStatus
from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards.policy import DEFAULT_POLICY
from marketplace.rewards.services import company_balances, held_for_question
from marketplace.webhooks.models import WebhookDelivery
from marketplace.webhooks.services import set_endpoint
from tests.factories import default_pool, make_company, make_pool_expert, post_question


@pytest.fixture
def market(app):
    company = make_company(app, budget=50_000_000)
    return company, default_pool(app, company.id)


def expire_ring(db, question_id):
    question = db.session.get(Question, question_id)
    question.ring_deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return escalation.ring_due(question_id)


def pending(db, question_id):
    return db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id, status=OfferStatus.PENDING)
    ).all()


def ring_names():
    from marketplace.matching.settings import DEFAULT_RINGS

    return [ring.name for ring in DEFAULT_RINGS]


def test_the_default_rings_escalate_in_the_documented_order():
    assert ring_names() == ["best-fit", "relaxed", "lower-tiers", "raised", "staff"]


def test_rings_relax_tags_then_tiers_then_raise_the_reward_then_ask_staff_then_return(
    app, db, market
):
    company, pool = market
    staff_pool = create_pool(
        company.id, "staff", "Staff", "Brand", PoolKind.STAFF, Actor.system("test")
    ).id
    set_endpoint(company.id, "http://127.0.0.1:9/hook", "s" * 20, Actor.system("test"))
    generalist = make_pool_expert(app, pool, skills={"screen": 3})
    newcomer = make_pool_expert(app, pool, skills={"battery": 5}, tier="probation")
    staffer = make_pool_expert(app, staff_pool, skills={})
    question_id = post_question(
        app, company, tags=["battery"], reward={"amount": 1000, "currency": "CNY"}
    )
    # Ring 0 needs the battery tag and a vetted expert: the newcomer has the tag but is on
    # probation, the vetted generalist lacks it (and meets the floor, so the ring waits).
    assert services.drain() == 0

    assert expire_ring(db, question_id)  # -> "relaxed": tags no longer required
    services.drain()
    [offer] = pending(db, question_id)
    assert offer.expert_id == generalist.id and offer.ring == 1
    claims.decline_offer(generalist.id, offer.id, Actor.user(generalist.id))

    assert expire_ring(db, question_id)  # -> "lower-tiers": probation experts too
    services.drain()
    [offer] = pending(db, question_id)
    assert offer.expert_id == newcomer.id and offer.ring == 2
    claims.decline_offer(newcomer.id, offer.id, Actor.user(newcomer.id))

    assert expire_ring(db, question_id)  # -> "raised": +20 %
    question = db.session.get(Question, question_id)
    db.session.refresh(question)
    assert question.ring == 3 and question.reward_raise == 200
    assert held_for_question(question_id) == DEFAULT_POLICY.max_charge(1200)

    assert expire_ring(db, question_id)  # -> "staff"
    services.drain()
    [offer] = pending(db, question_id)
    assert offer.expert_id == staffer.id and offer.ring == 4
    assert offer.pool_kind == PoolKind.STAFF

    assert expire_ring(db, question_id)  # rings exhausted -> returned to the company
    db.session.expire_all()
    assert db.session.get(Question, question_id).status == QuestionStatus.RETURNED
    revoked = db.session.get(Offer, offer.id)
    assert (revoked.status, revoked.revoked_reason) == (OfferStatus.REVOKED, "returned")
    assert held_for_question(question_id) == 0
    [balance] = company_balances(company.id)
    assert (balance.on_hold, balance.budget) == (0, 50_000_000)
    events = db.session.scalars(sa.select(WebhookDelivery.event)).all()
    assert events == ["question.returned"]


def test_a_tier_floor_never_holds_a_question_back_from_the_only_free_experts(app, db, market):
    from marketplace.eventlog.models import Event

    company, pool = market
    question_id = post_question(app, company, tags=["battery"])
    assert services.drain() == 0  # nobody online at all: the question waits in best-fit
    assert db.session.get(Question, question_id).ring == 0
    newcomer = make_pool_expert(app, pool, skills={"battery": 4}, tier="probation")
    assert services.drain() == 1
    [offer] = pending(db, question_id)
    question = db.session.get(Question, question_id)
    db.session.refresh(question)
    assert offer.expert_id == newcomer.id
    assert question.ring == offer.ring == ring_names().index("lower-tiers")
    assert question.ring_deadline > utcnow() + timedelta(seconds=50)
    escalated = db.session.scalars(sa.select(Event).filter_by(action="question.escalated")).one()
    assert escalated.after["ring_name"] == "lower-tiers"
    # A vetted expert free to take it keeps the floor: the next question waits for the ring.
    make_pool_expert(app, pool, skills={"screen": 2})
    later = post_question(app, company, tags=["battery"])
    services.drain()
    assert db.session.get(Question, later).ring == 0


def test_an_early_ring_deadline_does_nothing(app, db, market):
    company, _ = market
    question_id = post_question(app, company)
    assert not escalation.ring_due(question_id)
    assert db.session.get(Question, question_id).ring == 0


def test_a_question_is_returned_before_its_sla_is_blown(app, db, market):
    company, _ = market
    sla = utcnow() + timedelta(minutes=3)
    question_id = post_question(app, company, sla_deadline=sla.isoformat())
    question = db.session.get(Question, question_id)
    # The default return margin is 5 minutes: the ring deadline is capped at the return time.
    assert question.ring_deadline <= sla - timedelta(minutes=5) + timedelta(seconds=1)
    assert escalation.return_due(question_id)
    db.session.expire_all()
    assert db.session.get(Question, question_id).status == QuestionStatus.RETURNED
    assert not escalation.return_due(question_id)


def test_the_sla_expires_an_assigned_question_and_releases_everything(app, db, market):
    from marketplace.experts.models import ExpertProfile

    company, pool = market
    expert = make_pool_expert(app, pool)
    question_id = post_question(app, company)
    services.drain()
    [offer] = pending(db, question_id)
    claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    assert escalation.sla_due(question_id)
    db.session.expire_all()
    assert db.session.get(Question, question_id).status == QuestionStatus.EXPIRED
    assert db.session.get(ExpertProfile, expert.id).active_assignments == 0
    assert held_for_question(question_id) == 0


def test_a_reward_raise_is_skipped_when_the_budget_cannot_hold_it(app, db):
    company = make_company(app, budget=DEFAULT_POLICY.max_charge(1000) + 10)
    question_id = post_question(app, company, reward={"amount": 1000, "currency": "CNY"})
    assert expire_ring(db, question_id)
    assert expire_ring(db, question_id)  # ring 2 wants +20 %: unaffordable, so no raise
    question = db.session.get(Question, question_id)
    db.session.refresh(question)
    assert question.ring == 2 and question.reward_raise == 0


def test_the_reconciler_re_drives_what_timers_missed(app, db, market):
    company, pool = market
    first = make_pool_expert(app, pool, reputation_lower=0.9)
    second = make_pool_expert(app, pool, reputation_lower=0.1)
    question_id = post_question(app, company)
    services.drain()
    [offer] = pending(db, question_id)
    assert offer.expert_id == first.id
    # The timer was lost (say Redis restarted) and the offer is long overdue.
    app.extensions["matching_engine"].deadlines.discard(f"offer:{offer.id}")
    offer.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    done = reconciler.reconcile()
    assert done["offers_expired"] == 1 and done["offers_made"] == 1
    db.session.expire_all()
    [fresh] = pending(db, question_id)
    assert fresh.expert_id == second.id
    assert done["timers_rearmed"] >= 1
    due = app.extensions["matching_engine"].deadlines.pop_due(fresh.expires_at.timestamp() + 1)
    assert f"offer:{fresh.id}" in [key for key, _ in due]


def test_pool_rings_are_configurable(app, db, market):
    company, pool_id = market
    pool = db.session.get(Pool, pool_id)
    pool.settings = {"rings": [{"name": "only", "seconds": 60, "require_tags": False}]}
    db.session.commit()
    question_id = post_question(app, company, tags=["rare"])
    assert expire_ring(db, question_id)
    db.session.expire_all()
    assert db.session.get(Question, question_id).status == QuestionStatus.RETURNED
