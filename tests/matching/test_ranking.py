"""Ranking is explainable and trustworthy: lower bounds, skills, speed and fairness."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from marketplace.matching.ranking import Candidate, rank, tier_at_least
from marketplace.matching.settings import RankingWeights

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POOL = uuid.uuid4()


def candidate(reputation=0.5, skills=None, speed=None, last_offer=None, tier="vetted"):
    return Candidate(
        expert_id=uuid.uuid4(),
        capacity=2,
        load=0,
        languages=frozenset({"en"}),
        skills=skills or {"battery": 3},
        pools={POOL: (tier, reputation)},
        response_seconds=speed,
        last_offer_at=last_offer,
        offers_last_hour=0,
    )


def test_a_veteran_lower_bound_outranks_a_lucky_newcomer():
    # 90/100 good answers -> lower bound ~0.84; 2/2 -> ~0.22 (Beta(1,1) prior, 5 % quantile).
    veteran, newcomer = candidate(reputation=0.84), candidate(reputation=0.22)
    ranked = rank([newcomer, veteran], POOL, ["battery"], NOW, RankingWeights())
    assert ranked[0].candidate is veteran


def test_skill_on_the_question_tags_counts():
    expert, novice = candidate(skills={"battery": 5}), candidate(skills={"battery": 1})
    ranked = rank([novice, expert], POOL, ["battery"], NOW, RankingWeights())
    assert ranked[0].candidate is expert
    assert ranked[0].reasons["skill"] == 1.0 and ranked[1].reasons["skill"] == 0.2


def test_a_long_idle_expert_wins_a_tie_and_gets_a_fairness_boost():
    busy = candidate(last_offer=NOW - timedelta(minutes=1))
    idle = candidate(last_offer=NOW - timedelta(hours=3))
    ranked = rank([busy, idle], POOL, ["battery"], NOW, RankingWeights())
    assert ranked[0].candidate is idle
    assert ranked[0].reasons["idle"] == 1.0 and ranked[1].reasons["idle"] < 0.05


def test_faster_responders_rank_higher_and_reasons_explain_the_score():
    fast, slow = candidate(speed=3), candidate(speed=60)
    weights = RankingWeights()
    ranked = rank([slow, fast], POOL, ["battery"], NOW, weights)
    assert ranked[0].candidate is fast
    reasons = ranked[0].reasons
    expected = (
        weights.reputation * reasons["reputation"]
        + weights.skill * reasons["skill"]
        + weights.speed * reasons["speed"]
        + weights.fairness * reasons["idle"]
    )
    assert abs(reasons["score"] - expected) < 1e-3


def test_tier_minimums():
    assert tier_at_least("trusted", "vetted") and tier_at_least("vetted", None)
    assert not tier_at_least("probation", "vetted")
