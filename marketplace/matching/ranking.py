"""Rank eligible experts for a question, and say why (pure functions, no database).

score = w_rep * reputation + w_skill * skill + w_speed * speed + w_fair * idle, where
- reputation: the lower confidence bound of the expert's reputation in the pool, so a newcomer
  with two good answers does not outrank a veteran with two hundred;
- skill: mean level/5 over the question's tags (a tag the expert lacks counts 0; no tags: 0.5);
- speed: 1 / (1 + s / 15) for the expert's recent mean response time s in seconds (unknown: 0.5);
- idle: minutes since the expert's last offer / 60, capped at 1 (never offered: 1), so good
  newcomers and quiet experts are not starved.
Ties go to the longest idle expert. The scores are computed over columns of numpy arrays
(CandidateTable), with the same float operations in the same order as the formula above.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from marketplace.matching.settings import RankingWeights

TIERS = ("probation", "vetted", "trusted")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


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


class CandidateTable:
    """Candidates as columns (numpy arrays, one row per candidate), so eligibility and scores
    over a thousand of them are a few array operations instead of a Python loop each.

    Offers made during a drain go through `note_offer`, which keeps the rows and the
    Candidate objects in step.
    """

    def __init__(self, candidates: list[Candidate]) -> None:
        self.members = candidates
        self.slot = {c.expert_id: i for i, c in enumerate(candidates)}
        n = len(candidates)
        self.ids = np.array([str(c.expert_id) for c in candidates], dtype=str)
        self.capacity = np.array([c.capacity for c in candidates], dtype=np.int64)
        self.load = np.array([c.load for c in candidates], dtype=np.int64)
        self.offers_last_hour = np.array([c.offers_last_hour for c in candidates], dtype=np.int64)
        self.response_seconds = np.array(
            [np.nan if c.response_seconds is None else c.response_seconds for c in candidates],
            dtype=np.float64,
        )
        self.offered_before = np.array([c.last_offer_at is not None for c in candidates], bool)
        self.last_offer_us = np.array(
            [_microseconds(c.last_offer_at) if c.last_offer_at else 0 for c in candidates],
            dtype=np.int64,
        )
        self.languages: dict[str, np.ndarray] = {}
        self.tiers: dict[uuid.UUID, np.ndarray] = {}  # pool -> tier index, -1: not a member
        self.reputations: dict[uuid.UUID, np.ndarray] = {}
        self.levels: dict[str, np.ndarray] = {}
        self.holders: dict[str, np.ndarray] = {}
        for i, c in enumerate(candidates):
            for language in c.languages:
                self.languages.setdefault(language, np.zeros(n, bool))[i] = True
            for pool_id, (tier, reputation) in c.pools.items():
                self.tiers.setdefault(pool_id, np.full(n, -1, np.int8))[i] = TIERS.index(tier)
                self.reputations.setdefault(pool_id, np.zeros(n))[i] = reputation
            for tag, level in c.skills.items():
                self.levels.setdefault(tag, np.zeros(n, np.int64))[i] = level
                self.holders.setdefault(tag, np.zeros(n, bool))[i] = True

    def note_offer(self, candidate: Candidate, at: datetime) -> None:
        """The candidate was offered a question at `at`: one more load and offer this hour."""
        candidate.load += 1
        candidate.offers_last_hour += 1
        candidate.last_offer_at = at
        i = self.slot[candidate.expert_id]
        self.load[i] += 1
        self.offers_last_hour[i] += 1
        self.offered_before[i] = True
        self.last_offer_us[i] = _microseconds(at)

    def select(self, indices: np.ndarray) -> Selection:
        """The candidates at these rows."""
        return Selection(self, indices)


class Selection(list):
    """Some rows of a CandidateTable: a list of their Candidates that also knows the rows, so
    ranking it reads the columns instead of the objects."""

    def __init__(self, table: CandidateTable, indices: np.ndarray) -> None:
        super().__init__(table.members[i] for i in indices.tolist())
        self.table = table
        self.indices = indices


def rank(
    candidates: list[Candidate],
    pool_id: uuid.UUID | None,
    tags: list[str],
    now: datetime,
    weights: RankingWeights,
    top: int | None = None,
) -> list[Ranked]:
    """Best first, with the components of each score; with `top`, only the best `top` (all
    are scored, as arrays; only those returned are explained)."""
    if isinstance(candidates, Selection):
        table, rows = candidates.table, candidates.indices
    else:
        table, rows = CandidateTable(list(candidates)), np.arange(len(candidates))
    tier, reputation = _standing(table, rows, pool_id)
    skill = _skill(table, rows, tags)
    seconds = table.response_seconds[rows]
    speed = np.where(np.isnan(seconds), 0.5, 1 / (1 + seconds / 15))
    elapsed = (_microseconds(now) - table.last_offer_us[rows]) / 10**6
    idle = np.where(
        table.offered_before[rows], np.minimum(1.0, np.maximum(0.0, elapsed / 3600)), 1.0
    )
    total = (
        weights.reputation * reputation
        + weights.skill * skill
        + weights.speed * speed
        + weights.fairness * idle
    )
    # Best score first; ties to the longest idle (never offered first), then by id.
    order = np.lexsort((table.ids[rows], table.last_offer_us[rows], -total))
    if top is not None:
        order = order[:top]
    return [
        _explained(
            table.members[rows[j]],
            (
                TIERS[tier[j]],
                float(reputation[j]),
                float(skill[j]),
                float(speed[j]),
                float(idle[j]),
            ),
            float(total[j]),
        )
        for j in order.tolist()
    ]


def _standing(
    table: CandidateTable, rows: np.ndarray, pool_id: uuid.UUID | None
) -> tuple[np.ndarray, np.ndarray]:
    """Tier index and reputation lower bound in the question's pool (not a member: probation, 0)."""
    if pool_id is None or pool_id not in table.tiers:
        return np.zeros(len(rows), np.int64), np.zeros(len(rows))
    tiers = table.tiers[pool_id][rows].astype(np.int64)
    member = tiers >= 0
    return np.where(member, tiers, 0), np.where(member, table.reputations[pool_id][rows], 0.0)


def _skill(table: CandidateTable, rows: np.ndarray, tags: list[str]) -> np.ndarray:
    """Mean level / 5 over the question's tags (a tag the expert lacks counts 0; none: 0.5)."""
    if not tags:
        return np.full(len(rows), 0.5)
    total = np.zeros(len(rows), np.int64)
    for tag in tags:
        if tag in table.levels:
            total += table.levels[tag][rows]
    return total / (5 * len(tags))


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


def _microseconds(at: datetime) -> int:
    """Microseconds since the epoch, exactly (differences match datetime subtraction)."""
    epoch = EPOCH if at.tzinfo is not None else EPOCH.replace(tzinfo=None)
    return (at - epoch) // ONE_MICROSECOND


def tier_at_least(tier: str, minimum: str | None) -> bool:
    """Whether `tier` meets a ring's minimum tier."""
    return minimum is None or TIERS.index(tier) >= TIERS.index(minimum)
