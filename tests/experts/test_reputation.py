"""Reputation per pool from recorded outcomes; tiers move only with enough evidence."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from marketplace.answers.models import Answer, Feedback, Outcome
from marketplace.companies.models import Pool
from marketplace.database import utcnow
from marketplace.eventlog.models import Event
from marketplace.experts import reputation
from marketplace.experts.models import ExpertProfile, ExpertSkill, PoolMembership, Tier
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.questions.models import QuestionTag
from scoring.reputation import BetaPrior, OutcomeKind, day_anchor, tag_reputations
from scoring.reputation import Outcome as Evidence
from scoring.reputation import reputation as pure_reputation
from tests.factories import (
    answer_question,
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
)


def give_outcomes(app, db, company, expert_id, outcomes):
    from tests.factories import post_question

    for outcome in outcomes:
        question_id = post_question(app, company)
        answer_id = answer_question(app, question_id, "An answer.", expert_id=expert_id)
        answer = db.session.get(Answer, answer_id)
        answer.outcome, answer.decided_at = outcome, utcnow() - timedelta(days=1)
    db.session.commit()


def membership(db, expert_id):
    return db.session.scalars(sa.select(PoolMembership).filter_by(expert_id=expert_id)).one()


def test_good_outcomes_raise_the_lower_bound_and_promote_after_enough_evidence(app, db):
    company = make_company(app, budget=10**9)
    expert = make_pool_expert(app, default_pool(app, company.id), tier="probation")
    reputation.recompute_expert(expert.id)
    assert membership(db, expert.id).tier == Tier.PROBATION
    fresh = membership(db, expert.id).reputation_lower
    give_outcomes(app, db, company, expert.id, [Outcome.ACCEPTED] * 12)
    reputation.recompute_expert(expert.id)
    db.session.expire_all()
    promoted = membership(db, expert.id)
    assert promoted.reputation_lower > fresh and promoted.reputation_lower > 0.7
    assert promoted.tier == Tier.VETTED


def test_an_initial_tier_is_not_overturned_by_the_prior_alone(app, db):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id), tier="trusted")
    give_outcomes(app, db, company, expert.id, [Outcome.REJECTED] * 2)
    reputation.recompute_expert(expert.id)
    assert membership(db, expert.id).tier == Tier.TRUSTED


NOW = datetime(2026, 5, 20, 15, 30, tzinfo=UTC)


def _decided(app, db, company, expert_id, outcome, days_ago, tags=("battery",), rating=None):
    question_id = post_question(app, company, tags=list(tags))
    answer_id = answer_question(app, question_id, "An answer.", expert_id=expert_id)
    answer = db.session.get(Answer, answer_id)
    answer.outcome, answer.decided_at = outcome, NOW - timedelta(days=days_ago)
    if rating is not None:
        db.session.add(
            Feedback(
                question_id=question_id,
                rating=rating,
                created_at=NOW - timedelta(days=days_ago - 0.5),
            )
        )
    db.session.commit()
    return answer_id


def _missed(app, db, company, expert_id, days_ago):
    question_id = post_question(app, company)
    offer = Offer(
        question_id=question_id,
        expert_id=expert_id,
        status=OfferStatus.ACCEPTED,
        expires_at=NOW,
        responded_at=NOW,
        reasons={},
    )
    db.session.add(offer)
    db.session.flush()
    db.session.add(
        Assignment(
            question_id=question_id,
            expert_id=expert_id,
            offer_id=offer.id,
            status=AssignmentStatus.EXPIRED,
            deadline=NOW - timedelta(days=days_ago),
            finished_at=NOW - timedelta(days=days_ago),
        )
    )
    db.session.commit()


def _stored(db):
    db.session.expire_all()
    return (
        {
            (m.expert_id, m.pool_id): (m.reputation_mean, m.reputation_lower, m.tier)
            for m in db.session.scalars(sa.select(PoolMembership))
        },
        {
            p.user_id: (p.reputation_mean, p.reputation_lower)
            for p in db.session.scalars(sa.select(ExpertProfile))
        },
        {(k.expert_id, k.tag): k.estimate for k in db.session.scalars(sa.select(ExpertSkill))},
    )


def _close(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    if isinstance(a, tuple):
        return all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture
def evidence(app, db):
    """Two pools (one with a custom prior), answers, ratings, gold, missed deadlines, tags."""
    company = make_company(app, budget=10**9)
    pool = default_pool(app, company.id)
    db.session.get(Pool, pool).settings = {
        **(db.session.get(Pool, pool).settings or {}),
        "reputation_prior": {"alpha": 4.0, "beta": 2.0},
    }
    db.session.commit()
    experts = [
        make_pool_expert(app, pool, tier="probation", skills={"battery": 3, "screen": 2})
        for _ in range(3)
    ]
    for n, expert in enumerate(experts):
        for k in range(12 + 4 * n):
            _decided(app, db, company, expert.id, Outcome.ACCEPTED, 1 + 7 * k, rating=(k % 5) + 1)
        _decided(app, db, company, expert.id, Outcome.REJECTED, 3, tags=("screen",), rating=1)
        _missed(app, db, company, expert.id, 2 + n)
        _missed(app, db, company, expert.id, 40)
        gold = _decided(app, db, company, expert.id, Outcome.ACCEPTED, 5)
        db.session.get(Answer, gold).gold_passed = n != 1
        db.session.commit()
    return company, pool, experts


def test_the_nightly_batch_and_the_per_expert_job_store_the_same_values(app, db, evidence):
    _, pool, experts = evidence
    reputation.recompute_all(now=NOW)
    batch = _stored(db)
    clear = {"reputation_mean": 0.5, "reputation_lower": 0.0, "tier": Tier.PROBATION}
    db.session.execute(sa.update(PoolMembership).values(**clear))
    db.session.execute(sa.update(ExpertProfile).values(reputation_mean=0.5, reputation_lower=0))
    db.session.execute(sa.update(ExpertSkill).values(estimate=None))
    db.session.commit()
    for expert in experts:
        reputation.recompute_expert(expert.id, now=NOW)
    single = _stored(db)
    for part_batch, part_single in zip(batch, single, strict=True):
        assert part_batch.keys() == part_single.keys()
        for key, value in part_batch.items():
            assert _close(value, part_single[key]), (key, value, part_single[key])
    # And both are the pure library's answer on the same evidence (ratings, missed deadlines
    # and the pool's Beta(4, 2) prior included).
    expert = experts[0].id
    outcomes = _outcomes_of(db, expert)
    kinds = {o.kind for o in outcomes}
    assert {OutcomeKind.RATING, OutcomeKind.GOLD_PASS, OutcomeKind.REJECTED} <= kinds
    expected = pure_reputation(outcomes, day_anchor(NOW), BetaPrior(4.0, 2.0))
    mean, lower, _ = single[0][(expert, pool)]
    assert abs(mean - expected.mean) < 1e-9 and abs(lower - expected.lower_bound) < 1e-9
    overall = pure_reputation(outcomes, day_anchor(NOW))
    assert abs(single[1][expert][1] - overall.lower_bound) < 1e-9
    skill = tag_reputations(outcomes, day_anchor(NOW), overall)["screen"]
    assert abs(single[2][(expert, "screen")] - skill.lower_bound) < 1e-9


def _outcomes_of(db, expert_id):
    rows = reputation.read_evidence([expert_id])
    tags = {}
    for question_id, tag in db.session.execute(sa.select(QuestionTag.question_id, QuestionTag.tag)):
        tags.setdefault(question_id, []).append(tag)
    kinds = list(OutcomeKind)
    return [
        Evidence(
            kinds[kind],
            at,
            rating=None if math.isnan(rating) else rating,
            tags=tuple(tags.get(question, ())),
        )
        for kind, rating, at, question in zip(
            rows.kind, rows.rating, rows.at, rows.question, strict=True
        )
    ]


def test_running_twice_the_same_day_changes_nothing(app, db, evidence):
    _, _, experts = evidence
    reputation.recompute_all(now=NOW)
    first = _stored(db)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    reputation.recompute_all(now=NOW.replace(hour=23))  # later the same day
    for expert in experts:
        reputation.recompute_expert(expert.id, now=NOW.replace(hour=1))
    assert _stored(db) == first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events


def test_many_good_answers_move_probation_to_trusted_in_one_run_and_no_further(app, db):
    company = make_company(app, budget=10**9)
    pool = default_pool(app, company.id)
    expert = make_pool_expert(app, pool, tier="probation")
    for k in range(80):
        _decided(app, db, company, expert.id, Outcome.ACCEPTED, 1 + k % 20)
    reputation.recompute_expert(expert.id, now=NOW)
    assert membership(db, expert.id).tier == Tier.TRUSTED
    changes = (
        sa.select(sa.func.count()).select_from(Event).filter_by(action="membership.tier_changed")
    )
    assert db.session.scalar(changes) == 1  # probation -> trusted, recorded once
    reputation.recompute_expert(expert.id, now=NOW)
    assert db.session.scalar(changes) == 1


def test_batch_recompute_matches_the_one_by_one_result(app, db):
    company = make_company(app, budget=10**9)
    pool = default_pool(app, company.id)
    experts = [make_pool_expert(app, pool) for _ in range(3)]
    for n, expert in enumerate(experts):
        give_outcomes(
            app, db, company, expert.id, [Outcome.ACCEPTED] * (3 + n) + [Outcome.REJECTED] * n
        )
    assert reputation.recompute_all() == 3
    batch = {m.expert_id: m.reputation_lower for m in db.session.scalars(sa.select(PoolMembership))}
    for expert in experts:
        reputation.recompute_expert(expert.id)
    db.session.expire_all()
    single = {
        m.expert_id: m.reputation_lower for m in db.session.scalars(sa.select(PoolMembership))
    }
    assert all(abs(batch[k] - single[k]) < 1e-6 for k in batch)
