"""Offering: eligibility, ranking, sequential and broadcast modes, claims, declines, expiries."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User, UserStatus
from marketplace.companies.models import Company, OfferMode, Pool
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.eventlog.services import Actor
from marketplace.experts.models import Availability, ExpertProfile
from marketplace.matching import claims, services
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.questions.models import Question, QuestionStatus
from tests.factories import default_pool, make_company, make_pool_expert, post_question


@pytest.fixture
def market(app):
    company = make_company(app, budget=50_000_000)
    return company, default_pool(app, company.id)


def offers_of(db, question_id):
    return db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id).order_by(Offer.rank)
    ).all()


def set_mode(db, pool_id, mode, **settings):
    pool = db.session.get(Pool, pool_id)
    pool.offer_mode = mode
    pool.settings = settings
    db.session.commit()


def test_a_posted_question_is_offered_to_the_best_eligible_expert(app, db, market):
    company, pool = market
    weak = make_pool_expert(app, pool, skills={"battery": 1}, reputation_lower=0.2)
    strong = make_pool_expert(app, pool, skills={"battery": 5}, reputation_lower=0.8)
    question_id = post_question(app, company, tags=["battery"])
    assert services.drain() == 1
    offers = offers_of(db, question_id)
    assert [o.expert_id for o in offers] == [strong.id]
    assert offers[0].reasons["skill"] == 1.0 and offers[0].reasons["reputation"] == 0.8
    assert db.session.get(Question, question_id).status == QuestionStatus.OFFERED
    assert weak.id not in {o.expert_id for o in offers}


@pytest.mark.parametrize(
    "reason",
    [
        "language",
        "tags",
        "pool",
        "offline",
        "away",
        "no_socket",
        "suspended",
        "banned",
        "at_capacity",
    ],
)
def test_ineligible_experts_get_no_offer(app, db, market, reason):
    company, pool = market
    other_company = make_company(app)
    kwargs = {
        "language": {"languages": ("zh",)},
        "tags": {"skills": {"screen": 4}},
        "pool": {},
        "offline": {"online": False},
        "no_socket": {},
        "at_capacity": {"capacity": 1},
    }.get(reason, {})
    target_pool = default_pool(app, other_company.id) if reason == "pool" else pool
    expert = make_pool_expert(app, target_pool, **kwargs)
    profile = db.session.get(ExpertProfile, expert.id)
    if reason == "away":
        profile.availability = Availability.AWAY
    if reason == "no_socket":
        from marketplace.experts import presence

        presence.forget_server("test-server")
    if reason in {"suspended", "banned"}:
        user = db.session.get(User, expert.id)
        user.status = UserStatus(reason)
        user.suspended_until = utcnow() + timedelta(days=1) if reason == "suspended" else None
    if reason == "at_capacity":
        profile.active_assignments = 1
    db.session.commit()
    question_id = post_question(app, company, tags=["battery"], language="en")
    assert services.drain() == 0
    assert offers_of(db, question_id) == []
    assert db.session.get(Question, question_id).status == QuestionStatus.QUEUED


def test_sequential_mode_moves_on_after_a_decline(app, db, market):
    company, pool = market
    first = make_pool_expert(app, pool, reputation_lower=0.9)
    second = make_pool_expert(app, pool, reputation_lower=0.5)
    question_id = post_question(app, company)
    services.drain()
    offer = offers_of(db, question_id)[0]
    assert offer.expert_id == first.id
    claims.decline_offer(first.id, offer.id, Actor.user(first.id))
    assert db.session.get(Question, question_id).status == QuestionStatus.QUEUED
    services.drain()
    offers = offers_of(db, question_id)
    assert [(o.expert_id, o.status) for o in offers] == [
        (first.id, OfferStatus.DECLINED),
        (second.id, OfferStatus.PENDING),
    ]
    # A declined expert is never offered the same question again.
    claims.decline_offer(second.id, offers[1].id, Actor.user(second.id))
    assert services.drain() == 0


def test_broadcast_offers_the_top_k_and_the_first_accept_wins(app, db, market):
    company, pool = market
    set_mode(db, pool, OfferMode.BROADCAST, broadcast_k=3)
    # Distinct reputations, so the ranking (and who is left out) is known.
    experts = [make_pool_expert(app, pool, reputation_lower=r) for r in (0.9, 0.7, 0.5, 0.1)]
    question_id = post_question(app, company)
    assert services.drain() == 3
    offers = offers_of(db, question_id)
    winner = offers[1]
    assignment = claims.accept_offer(winner.expert_id, winner.id, Actor.user(winner.expert_id))
    db.session.expire_all()
    statuses = {o.expert_id: o.status for o in offers_of(db, question_id)}
    assert statuses[winner.expert_id] == OfferStatus.ACCEPTED
    assert sorted(s.value for s in statuses.values()) == ["accepted", "revoked", "revoked"]
    assert db.session.get(Question, question_id).status == QuestionStatus.ASSIGNED
    assert db.session.get(ExpertProfile, winner.expert_id).active_assignments == 1
    loser = next(o for o in offers if o.id != winner.id)
    with pytest.raises(claims.AlreadyTaken):
        claims.accept_offer(loser.expert_id, loser.id, Actor.user(loser.expert_id))
    assert assignment.deadline > utcnow() + timedelta(minutes=14)
    # The top 3 of the 4 were offered it; the fourth (ranked last) was never offered.
    offered = {o.expert_id for o in offers}
    assert len(offered) == 3 and offered < {e.id for e in experts}
    [left_out] = {e.id for e in experts} - offered
    assert left_out == experts[-1].id


def test_many_simultaneous_accepts_make_exactly_one_assignment(app, db, market):
    company, pool = market
    set_mode(db, pool, OfferMode.BROADCAST, broadcast_k=20)
    for _ in range(20):
        make_pool_expert(app, pool)
    question_id = post_question(app, company)
    assert services.drain() == 20
    offers = [(o.expert_id, o.id) for o in offers_of(db, question_id)]
    db.session.remove()

    def accept(pair):
        expert_id, offer_id = pair
        with app.app_context():
            try:
                claims.accept_offer(expert_id, offer_id, Actor.user(expert_id))
                return "won"
            except claims.AlreadyTaken:
                return "taken"
            finally:
                from marketplace.extensions import db as _db

                _db.session.remove()

    with ThreadPoolExecutor(max_workers=20) as pool_:
        outcomes = list(pool_.map(accept, offers))
    assert outcomes.count("won") == 1 and outcomes.count("taken") == 19
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1
    assert db.session.scalar(sa.select(sa.func.sum(ExpertProfile.active_assignments))) == 1


def test_accepting_a_closed_or_foreign_offer_fails_cleanly(app, db, market):
    company, pool = market
    expert = make_pool_expert(app, pool)
    stranger = make_pool_expert(app, pool, online=False)
    question_id = post_question(app, company)
    services.drain()
    offer = offers_of(db, question_id)[0]
    with pytest.raises(NotFound):
        claims.accept_offer(stranger.id, offer.id, Actor.user(stranger.id))
    with pytest.raises(NotFound):
        claims.accept_offer(expert.id, uuid.uuid4(), Actor.user(expert.id))
    offer.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(claims.OfferExpired):
        claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    assert db.session.get(Question, question_id).status == QuestionStatus.OFFERED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


def test_capacity_is_checked_when_claiming(app, db, market):
    company, pool = market
    set_mode(db, pool, OfferMode.BROADCAST, broadcast_k=1)
    expert = make_pool_expert(app, pool, capacity=2)
    first, second = post_question(app, company), post_question(app, company)
    assert services.drain() == 2
    offers = [offers_of(db, first)[0], offers_of(db, second)[0]]
    db.session.get(ExpertProfile, expert.id).capacity = 1
    db.session.commit()
    claims.accept_offer(expert.id, offers[0].id, Actor.user(expert.id))
    with pytest.raises(claims.AtCapacity):
        claims.accept_offer(expert.id, offers[1].id, Actor.user(expert.id))
    assert db.session.get(Question, second).status == QuestionStatus.OFFERED


def test_an_expired_offer_moves_on_and_repeated_misses_set_the_expert_away(app, db, market):
    company, pool = market
    slow = make_pool_expert(app, pool, reputation_lower=0.9)
    make_pool_expert(app, pool, reputation_lower=0.1)
    questions = []
    for _ in range(3):
        question_id = post_question(app, company)
        questions.append(question_id)
        services.drain()
        offer = next(o for o in offers_of(db, question_id) if o.expert_id == slow.id)
        offer.expires_at = utcnow() - timedelta(milliseconds=1)
        db.session.commit()
        assert claims.expire_offer(offer.id)
        assert not claims.expire_offer(offer.id)  # a second firing changes nothing
    profile = db.session.get(ExpertProfile, slow.id)
    db.session.refresh(profile)
    assert profile.missed_offers_in_row == 3
    assert profile.availability == Availability.AWAY
    services.drain()
    assert all(
        o.expert_id != slow.id
        for q in questions
        for o in offers_of(db, q)
        if o.status == OfferStatus.PENDING
    )


def test_a_missed_answer_deadline_returns_the_question_to_the_queue(app, db, market):
    company, pool = market
    expert = make_pool_expert(app, pool)
    question_id = post_question(app, company)
    services.drain()
    offer = offers_of(db, question_id)[0]
    assignment = claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    assert not claims.expire_assignment(assignment.id)  # not due yet
    db.session.get(Assignment, assignment.id).deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert claims.expire_assignment(assignment.id)
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).status == AssignmentStatus.EXPIRED
    assert db.session.get(Question, question_id).status == QuestionStatus.QUEUED
    assert db.session.get(ExpertProfile, expert.id).active_assignments == 0
    from marketplace.eventlog.models import Event
    from marketplace.experts.models import PoolMembership

    assert db.session.scalars(
        sa.select(Event.action).filter_by(entity_id=str(assignment.id), action="assignment.expired")
    ).one()
    # It counts against the expert at once: the reputation recompute job was queued and ran.
    db.session.rollback()  # hold no read transaction (SQLite) while the job writes
    assert app.extensions["job_queue"].wait_until_idle(10)
    db.session.expire_all()
    membership = db.session.scalars(sa.select(PoolMembership).filter_by(expert_id=expert.id)).one()
    assert membership.reputation_lower < 0.5  # the factory's 0.5 was recomputed from the miss
    assert db.session.get(ExpertProfile, expert.id).reputation_mean < 0.5


def test_a_follow_up_goes_first_to_the_expert_who_answered_before(app, db, market):
    from marketplace.answers.services import submit_answer

    company, pool = market
    previous = make_pool_expert(app, pool, reputation_lower=0.1)
    make_pool_expert(app, pool, reputation_lower=0.9)
    first = post_question(app, company, customer_ref="cust-42")
    services.drain()
    offer = next(o for o in offers_of(db, first))
    if offer.expert_id != previous.id:
        claims.decline_offer(offer.expert_id, offer.id, Actor.user(offer.expert_id))
        services.drain()
        offer = next(o for o in offers_of(db, first) if o.status == OfferStatus.PENDING)
    assignment = claims.accept_offer(previous.id, offer.id, Actor.user(previous.id))
    submit_answer(
        previous.id,
        assignment.id,
        "Reset the battery stats.",
        "key-00000001",
        Actor.user(previous.id),
    )
    follow_up = post_question(app, company, customer_ref="cust-42")
    services.drain()
    offers = offers_of(db, follow_up)
    assert [o.expert_id for o in offers] == [previous.id]
    assert offers[0].reasons["follow_up"] == "yes"


def test_the_hourly_cap_spreads_offers(app, db, market):
    company, pool = market
    set_mode(db, pool, OfferMode.SEQUENTIAL, hourly_offer_cap=1)
    star = make_pool_expert(app, pool, reputation_lower=0.9, capacity=5)
    other = make_pool_expert(app, pool, reputation_lower=0.1, capacity=5)
    first, second = post_question(app, company), post_question(app, company)
    services.drain()
    assert offers_of(db, first)[0].expert_id == star.id
    assert offers_of(db, second)[0].expert_id == other.id


def test_company_settings_choose_the_mode_and_pools_override(app, db, market):
    from marketplace.matching.settings import settings_for

    company, pool_id = market
    row = db.session.get(Company, company.id)
    row.offer_mode = OfferMode.BROADCAST
    row.settings = {"broadcast_k": 7, "offer_timeout_seconds": 5}
    pool = db.session.get(Pool, pool_id)
    pool.settings = {"broadcast_k": 2}
    db.session.commit()
    settings = settings_for(row, pool)
    assert settings.offer_mode == OfferMode.BROADCAST
    assert settings.broadcast_k == 2
    assert settings.offer_timeout_seconds == 10  # clamped to the documented 10-300 s
