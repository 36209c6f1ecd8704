"""Ranking is explainable and trustworthy: lower bounds, skills, speed and fairness."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from marketplace.matching.candidates import Roster
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


def formula(c, pool_id, tags, now, w):
    """The docstring's formula, one candidate at a time (the reference the columns must match)."""
    tier, reputation = c.pools.get(pool_id, ("probation", 0.0)) if pool_id else ("probation", 0.0)
    skill = sum(c.skills.get(t, 0) for t in tags) / (5 * len(tags)) if tags else 0.5
    speed = 1 / (1 + c.response_seconds / 15) if c.response_seconds is not None else 0.5
    idle = 1.0
    if c.last_offer_at is not None:
        idle = min(1.0, max(0.0, (now - c.last_offer_at).total_seconds() / 3600))
    score = w.reputation * reputation + w.skill * skill + w.speed * speed + w.fairness * idle
    idle_key = c.last_offer_at.timestamp() if c.last_offer_at else 0.0
    return (-score, idle_key, str(c.expert_id)), tier


def test_array_ranking_gives_the_formula_exactly_over_a_thousand_candidates():
    rng = random.Random(5)
    other_pool = uuid.uuid4()
    people = [
        Candidate(
            expert_id=uuid.UUID(int=rng.getrandbits(128)),
            capacity=3,
            load=0,
            languages=frozenset({"en"}),
            skills={t: rng.randint(0, 5) for t in ("battery", "screen") if rng.random() < 0.6},
            pools={
                p: (rng.choice(["probation", "vetted", "trusted"]), rng.choice([0.0, rng.random()]))
                for p in (POOL, other_pool)
                if rng.random() < 0.7
            },
            response_seconds=rng.choice([None, 30.0, rng.random() * 100]),
            last_offer_at=rng.choice(
                [None, NOW - timedelta(minutes=5), NOW - timedelta(seconds=rng.randint(0, 9000))]
            ),
            offers_last_hour=0,
        )
        for _ in range(1000)
    ]
    weights = RankingWeights()
    for pool_id, tags in [(POOL, ["battery"]), (None, []), (uuid.uuid4(), ["battery", "x"])]:
        expected = sorted((formula(c, pool_id, tags, NOW, weights), c) for c in people)
        ranked = rank(people, pool_id, tags, NOW, weights)
        assert [r.candidate for r in ranked] == [c for _, c in expected]
        assert [r.score for r in ranked] == [-key[0] for (key, _), _ in expected]
        assert [r.reasons["tier"] for r in ranked] == [tier for (_, tier), _ in expected]
        top = rank(people, pool_id, tags, NOW, weights, top=3)
        assert [r.candidate for r in top] == [c for _, c in expected[:3]]


def test_the_roster_keeps_only_experts_who_fit_and_counts_the_offers_it_makes():
    other_pool = uuid.uuid4()
    fits = candidate(tier="trusted")
    people = {
        "fits": fits,
        "french": replace(candidate(tier="trusted"), languages=frozenset({"fr"})),
        "full": replace(candidate(tier="trusted"), load=2),
        "capped": replace(candidate(tier="trusted"), offers_last_hour=5),
        "untagged": candidate(tier="trusted", skills={"screen": 5}),
        "probation": candidate(tier="probation"),
        "elsewhere": replace(candidate(tier="trusted"), pools={other_pool: ("trusted", 0.9)}),
        "excluded": candidate(tier="trusted"),
    }
    roster = Roster({c.expert_id: c for c in people.values()})
    excluded = {people["excluded"].expert_id}
    eligible = roster.eligible({POOL}, "en", ["battery"], "vetted", 5, excluded)
    assert eligible == [fits]
    assert rank(eligible, POOL, ["battery"], NOW, RankingWeights())[0].candidate is fits
    roster.note_offer(fits, NOW)
    assert fits.load == 1 and fits.offers_last_hour == 1 and fits.last_offer_at == NOW
    assert roster.eligible({POOL}, "en", ["battery"], "vetted", 2, excluded) == [fits]
    assert roster.eligible({POOL}, "en", ["battery"], "vetted", 1, excluded) == []  # hourly cap
    roster.note_offer(fits, NOW)  # now at capacity (2)
    assert roster.eligible({POOL}, "en", ["battery"], "vetted", 5, excluded) == []
    assert roster.room_left()  # the others still have room
