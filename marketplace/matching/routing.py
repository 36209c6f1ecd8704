"""Who a question goes to now: the ring, the eligible experts, the ranked few (no writes).

Pure decisions over the drain's roster of available experts, plus a few cached look-ups, so a
drain can judge a question in memory before it spends a lock or a transaction on it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa

from marketplace.companies.models import Company, OfferMode, Pool, PoolKind
from marketplace.extensions import db
from marketplace.matching.candidates import Roster
from marketplace.matching.models import Assignment, AssignmentStatus
from marketplace.matching.ranking import Candidate, Ranked, rank
from marketplace.matching.settings import MatchingSettings, Ring, settings_for
from marketplace.questions.models import Question

log = logging.getLogger(__name__)


def settings_of(question: Question) -> MatchingSettings:
    """The matching settings that apply to a question."""
    company = db.session.get(Company, question.company_id)
    pool = db.session.get(Pool, question.pool_id) if question.pool_id else None
    return settings_for(company, pool)


@dataclass
class Queued:
    """A queued question as the drain reads it (plain values: the read transaction ends)."""

    id: uuid.UUID
    company_id: uuid.UUID
    pool_id: uuid.UUID | None
    language: str
    ring: int
    offer_mode: OfferMode | None
    customer_ref: str | None
    priority: int
    created_at: datetime
    tags: list[str] = field(default_factory=list)


class DrainCache:
    """What one drain looks up once: settings per (company, pool), staff pools, pool kinds."""

    def __init__(self) -> None:
        self._settings: dict[tuple[uuid.UUID, uuid.UUID | None], MatchingSettings | None] = {}
        self._staff: dict[uuid.UUID, set[uuid.UUID]] = {}
        self._kinds: dict[uuid.UUID, PoolKind] = {}

    def settings(self, question: Question | Queued) -> MatchingSettings | None:
        """The question's settings; None (logged once per drain) when they cannot be read."""
        key = (question.company_id, question.pool_id)
        if key not in self._settings:
            try:
                self._settings[key] = settings_of(question)
            except Exception:
                log.exception("matching settings of company %s, pool %s failed", *key)
                self._settings[key] = None
        return self._settings[key]

    def staff_pools(self, company_id: uuid.UUID) -> set[uuid.UUID]:
        """The company's staff pools (the staff ring offers to their members)."""
        if company_id not in self._staff:
            self._staff[company_id] = set(
                db.session.scalars(
                    sa.select(Pool.id).filter_by(company_id=company_id, kind=PoolKind.STAFF)
                )
            )
        return self._staff[company_id]

    def pool_kind(self, pool_id: uuid.UUID | None) -> PoolKind:
        """Whether a question's own pool is a crowd or a staff pool."""
        if pool_id is None:
            return PoolKind.CROWD
        if pool_id not in self._kinds:
            self._kinds[pool_id] = db.session.scalar(sa.select(Pool.kind).filter_by(id=pool_id))
        return self._kinds[pool_id]


def plan(
    question: Question | Queued,
    settings: MatchingSettings,
    roster: Roster,
    offered: set[uuid.UUID],
    cache: DrainCache,
    probe: bool = False,
) -> tuple[int, list[Candidate]]:
    """The ring to offer the question in now, and who is eligible there (empty: wait); with
    `probe`, at most one of them (the drain only asks whether anyone fits).

    A ring's tier floor never makes a question wait for nobody: when no free expert meets
    the floor, the question passes on through the following rings that cost nothing more
    (same pool, no reward raise) to the first where someone free fits.
    """
    rings, index = settings.rings, question.ring
    if index >= len(rings):
        return index, []
    limit = 1 if probe else None
    found = _eligible(question, rings[index], settings, roster, offered, cache, limit)
    if found or rings[index].min_tier is None:
        return index, found
    floor_only = replace(rings[index], require_tags=False)
    if _eligible(question, floor_only, settings, roster, offered, cache, 1):
        return index, []  # someone meets the floor (without the tags): wait for the ring
    for later in range(index + 1, len(rings)):
        ring = rings[later]
        if ring.raise_percent or ring.pool != rings[index].pool:
            break
        found = _eligible(question, ring, settings, roster, offered, cache, limit)
        if found:
            return later, found
    return index, []


def _eligible(
    question: Question | Queued,
    ring: Ring,
    settings: MatchingSettings,
    roster: Roster,
    offered: set[uuid.UUID],
    cache: DrainCache,
    limit: int | None = None,
) -> list[Candidate]:
    if ring.pool == "staff":
        pools = cache.staff_pools(question.company_id)
    else:
        pools = {question.pool_id} if question.pool_id else set()
    return roster.eligible(
        pools,
        question.language.split("-")[0],
        question.tags if ring.require_tags else [],
        ring.min_tier,
        settings.hourly_offer_cap,
        offered,
        limit,
    )


def choose(
    question: Question | Queued,
    settings: MatchingSettings,
    roster: Roster,
    now: datetime,
    offered: set[uuid.UUID],
    cache: DrainCache,
) -> tuple[int, list[Ranked]]:
    """The ring to offer in and the experts to offer the question to this round, best first."""
    index, eligible = plan(question, settings, roster, offered, cache)
    if not eligible:
        return index, []
    returning = _previous_answerer(question) if question.ring == 0 else None
    again = [c for c in eligible if c.expert_id == returning]
    if again:  # a follow-up goes first, and alone, to the expert who answered before
        [item] = rank(again, question.pool_id, question.tags, now, settings.weights)
        return index, [Ranked(item.candidate, item.score, item.reasons | {"follow_up": "yes"})]
    mode = question.offer_mode or settings.offer_mode
    fanout = settings.fanout(settings.rings[index], mode)
    return index, rank(eligible, question.pool_id, question.tags, now, settings.weights, fanout)


def _previous_answerer(question: Question | Queued) -> uuid.UUID | None:
    """The expert who answered this customer's last question, if any (follow-ups go first)."""
    if not question.customer_ref:
        return None
    return db.session.scalars(
        sa.select(Assignment.expert_id)
        .join(Question, Question.id == Assignment.question_id)
        .where(
            Question.company_id == question.company_id,
            Question.customer_ref == question.customer_ref,
            Question.id != question.id,
            Assignment.status == AssignmentStatus.ANSWERED,
        )
        .order_by(Assignment.finished_at.desc())
        .limit(1)
    ).first()
