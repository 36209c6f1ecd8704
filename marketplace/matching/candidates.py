"""Load the experts who could take a question right now, once per drain, in a few queries."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa

from marketplace.accounts.models import User, UserStatus
from marketplace.database import utcnow
from marketplace.experts.models import (
    Availability,
    ExpertConnection,
    ExpertLanguage,
    ExpertProfile,
    ExpertSkill,
    MembershipStatus,
    PoolMembership,
)
from marketplace.extensions import db
from marketplace.matching.models import Offer, OfferStatus
from marketplace.matching.ranking import TIERS, Candidate, CandidateTable, Selection


def available_experts(now: datetime) -> dict[uuid.UUID, Candidate]:
    """Experts who are online, connected, allowed to work and under capacity.

    Five plain column queries; the follow-ups filter by the same subquery rather than by a
    list of a thousand ids (binding those cost more than the queries themselves)."""
    active_user = sa.or_(
        User.status == UserStatus.ACTIVE,
        sa.and_(User.status == UserStatus.SUSPENDED, User.suspended_until <= now),
    )
    available = (
        sa.select(ExpertProfile.user_id)
        .join(User, User.id == ExpertProfile.user_id)
        .where(
            ExpertProfile.availability == Availability.ONLINE,
            ExpertProfile.user_id.in_(sa.select(ExpertConnection.expert_id)),
            active_user,
            ExpertProfile.active_assignments < ExpertProfile.capacity,
        )
    )
    candidates = {
        user_id: Candidate(
            expert_id=user_id,
            capacity=capacity,
            load=load,
            languages=frozenset(),
            skills={},
            pools={},
            response_seconds=response_seconds,
            last_offer_at=last_offer_at,
            offers_last_hour=0,
        )
        for user_id, capacity, load, response_seconds, last_offer_at in db.session.execute(
            sa.select(
                ExpertProfile.user_id,
                ExpertProfile.capacity,
                ExpertProfile.active_assignments,
                ExpertProfile.response_seconds,
                ExpertProfile.last_offer_at,
            ).where(ExpertProfile.user_id.in_(available))
        )
    }
    if candidates:
        ids = available.scalar_subquery()
        _add_offer_counts(candidates, ids, now)
        _add_profiles(candidates, ids)
    return {k: c for k, c in candidates.items() if c.has_room()}


class Roster:
    """The available experts of one drain as columns (CandidateTable), so who can take a
    question is a few array operations over all of them, without a query or a lock."""

    def __init__(self, candidates: dict[uuid.UUID, Candidate]) -> None:
        self.candidates = candidates
        self.table = CandidateTable(list(candidates.values()))

    def room_left(self) -> bool:
        """Whether anyone can still be offered something (loads change as offers are made)."""
        return bool((self.table.load < self.table.capacity).any())

    def note_offer(self, candidate: Candidate, at: datetime) -> None:
        """An offer was made to the candidate (their load and hourly count go up)."""
        self.table.note_offer(candidate, at)

    def eligible(
        self,
        pool_ids: set[uuid.UUID],
        language: str,
        tags: list[str],
        min_tier: str | None,
        hourly_cap: int,
        exclude: set[uuid.UUID],
        limit: int | None = None,
    ) -> Selection:
        """Candidates with room in one of the pools (at `min_tier` or above there), speaking the
        language, holding every tag, under the hourly cap and not in `exclude` (the first
        `limit` of them when given)."""
        table = self.table
        speaks = table.languages.get(language)
        if speaks is None:
            return table.select(np.empty(0, np.int64))
        fits = speaks & (table.load < table.capacity) & (table.offers_last_hour < hourly_cap)
        for tag in tags:
            holders = table.holders.get(tag)
            if holders is None:
                return table.select(np.empty(0, np.int64))
            fits &= holders
        floor = TIERS.index(min_tier) if min_tier is not None else 0
        in_pool = np.zeros(len(fits), bool)
        for pool_id in pool_ids:
            tiers = table.tiers.get(pool_id)
            if tiers is not None:
                in_pool |= tiers >= floor
        fits &= in_pool
        excluded = [table.slot[e] for e in exclude if e in table.slot]
        fits[excluded] = False
        rows = np.flatnonzero(fits)
        return table.select(rows[:limit] if limit is not None else rows)


def _add_offer_counts(
    candidates: dict[uuid.UUID, Candidate], ids: sa.ScalarSelect, now: datetime
) -> None:
    pending = db.session.execute(
        sa.select(Offer.expert_id, sa.func.count())
        .where(Offer.expert_id.in_(ids), Offer.status == OfferStatus.PENDING)
        .group_by(Offer.expert_id)
    )
    for expert_id, count in pending:
        if expert_id in candidates:
            candidates[expert_id].load += count
    recent = db.session.execute(
        sa.select(Offer.expert_id, sa.func.count())
        .where(Offer.expert_id.in_(ids), Offer.created_at >= now - timedelta(hours=1))
        .group_by(Offer.expert_id)
    )
    for expert_id, count in recent:
        if expert_id in candidates:
            candidates[expert_id].offers_last_hour = count


def _add_profiles(candidates: dict[uuid.UUID, Candidate], ids: sa.ScalarSelect) -> None:
    languages: dict[uuid.UUID, set[str]] = {}
    for expert_id, language in db.session.execute(
        sa.select(ExpertLanguage.expert_id, ExpertLanguage.language).where(
            ExpertLanguage.expert_id.in_(ids)
        )
    ):
        languages.setdefault(expert_id, set()).add(language)
    for expert_id, langs in languages.items():
        if expert_id in candidates:
            candidates[expert_id].languages = frozenset(langs)
    for expert_id, tag, level in db.session.execute(
        sa.select(ExpertSkill.expert_id, ExpertSkill.tag, ExpertSkill.level).where(
            ExpertSkill.expert_id.in_(ids)
        )
    ):
        if expert_id in candidates:
            candidates[expert_id].skills[tag] = level
    for expert_id, pool_id, tier, lower in db.session.execute(
        sa.select(
            PoolMembership.expert_id,
            PoolMembership.pool_id,
            PoolMembership.tier,
            PoolMembership.reputation_lower,
        ).where(
            PoolMembership.expert_id.in_(ids),
            PoolMembership.status == MembershipStatus.APPROVED,
            # A company moderator's suspension keeps the expert out of that company's pools.
            sa.or_(
                PoolMembership.suspended_until.is_(None), PoolMembership.suspended_until <= utcnow()
            ),
        )
    ):
        if expert_id in candidates:
            candidates[expert_id].pools[pool_id] = (tier.value, lower)
