"""Rank eligible experts for a question, and say why (pure functions, no database).

score = w_rep * reputation + w_skill * skill + w_speed * speed + w_fair * idle, where
- reputation: the lower confidence bound of the expert's reputation in the pool, so a newcomer
  with two good answers does not outrank a veteran with two hundred;
- skill: mean level/5 over the question's tags (a tag the expert lacks counts 0; no tags: 0.5);
- speed: 1 / (1 + s / 15) for the expert's recent mean response time s in seconds (unknown: 0.5);
- idle: minutes since the expert's last offer / 60, capped at 1 (never offered: 1), so good
  newcomers and quiet experts are not starved.
Ties go to the longest idle expert.
"""

from __future__ import annotations

import heapq
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.matching.settings import RankingWeights

TIERS = ("probation", "vetted", "trusted")


@dataclass
class Candidate:
    """An available expert as matching sees them (loaded once per drain)."""

    expert_id: uuid.UUID
    capacity: int
    load: int  # active assignments plus pending offers
    languages: frozenset[str]
    skills: dict[str, int]
    pools: dict[uuid.UUID, tuple[str, float]]  # pool id -> (tier, reputation lower bound)
    response_seconds: float | None
    last_offer_at: datetime | None
    offers_last_hour: int
    offered_questions: set[uuid.UUID] = field(default_factory=set)

    def has_room(self) -> bool:
        """Under capacity, counting offers still pending."""
        return self.load < self.capacity


@dataclass(frozen=True)
class Ranked:
    """A candidate's score and the reasons stored with the offer."""

    candidate: Candidate
    score: float
    reasons: dict[str, float | str]


def rank(
    candidates: list[Candidate],
    pool_id: uuid.UUID | None,
    tags: list[str],
    now: datetime,
    weights: RankingWeights,
    top: int | None = None,
) -> list[Ranked]:
    """Best first, with the components of each score; with `top`, only the best `top` (the
    others are scored but not explained, which is most of the cost with 1,000 candidates)."""
    scored = [(_components(c, pool_id, tags, now), c) for c in candidates]
    keyed = [
        (-_total(parts, weights), _idle_key(c), str(c.expert_id), parts, c) for parts, c in scored
    ]
    best = heapq.nsmallest(top, keyed) if top is not None else sorted(keyed)
    return [_explained(c, parts, -negative) for negative, _, _, parts, c in best]


def _components(
    c: Candidate, pool_id: uuid.UUID | None, tags: list[str], now: datetime
) -> tuple[str, float, float, float, float]:
    tier, reputation = c.pools.get(pool_id, ("probation", 0.0)) if pool_id else ("probation", 0.0)
    skill = sum(c.skills.get(t, 0) for t in tags) / (5 * len(tags)) if tags else 0.5
    speed = 1 / (1 + c.response_seconds / 15) if c.response_seconds is not None else 0.5
    idle = 1.0
    if c.last_offer_at is not None:
        idle = min(1.0, max(0.0, (now - c.last_offer_at).total_seconds() / 3600))
    return tier, reputation, skill, speed, idle


def _total(parts: tuple[str, float, float, float, float], w: RankingWeights) -> float:
    _, reputation, skill, speed, idle = parts
    return w.reputation * reputation + w.skill * skill + w.speed * speed + w.fairness * idle


def _explained(c: Candidate, parts: tuple[str, float, float, float, float], score: float) -> Ranked:
    tier, reputation, skill, speed, idle = parts
    reasons: dict[str, float | str] = {
        "reputation": round(reputation, 4),
        "skill": round(skill, 4),
        "speed": round(speed, 4),
        "idle": round(idle, 4),
        "tier": tier,
        "score": round(score, 4),
    }
    return Ranked(c, score, reasons)


def _idle_key(c: Candidate) -> float:
    return c.last_offer_at.timestamp() if c.last_offer_at else 0.0


def tier_at_least(tier: str, minimum: str | None) -> bool:
    """Whether `tier` meets a ring's minimum tier."""
    return minimum is None or TIERS.index(tier) >= TIERS.index(minimum)
