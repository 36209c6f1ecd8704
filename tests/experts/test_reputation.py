"""Reputation per pool from recorded outcomes; tiers move only with enough evidence."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.answers.models import Answer, Outcome
from marketplace.database import utcnow
from marketplace.experts import reputation
from marketplace.experts.models import PoolMembership, Tier
from tests.factories import answer_question, default_pool, make_company, make_pool_expert


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
