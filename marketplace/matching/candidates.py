"""Load the experts who could take a question right now, once per drain, in a few queries."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

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
from marketplace.matching.ranking import Candidate


def available_experts(now: datetime) -> dict[uuid.UUID, Candidate]:
    """Experts who are online, connected, allowed to work and under capacity."""
    connected = sa.select(ExpertConnection.expert_id).distinct().scalar_subquery()
    active_user = sa.or_(
        User.status == UserStatus.ACTIVE,
        sa.and_(User.status == UserStatus.SUSPENDED, User.suspended_until <= now),
    )
    rows = db.session.execute(
        sa.select(ExpertProfile)
        .join(User, User.id == ExpertProfile.user_id)
        .where(
            ExpertProfile.availability == Availability.ONLINE,
            ExpertProfile.user_id.in_(connected),
            active_user,
            ExpertProfile.active_assignments < ExpertProfile.capacity,
        )
    ).scalars()
    candidates = {
        p.user_id: Candidate(
            expert_id=p.user_id,
            capacity=p.capacity,
            load=p.active_assignments,
            languages=frozenset(),
            skills={},
            pools={},
            response_seconds=p.response_seconds,
            last_offer_at=p.last_offer_at,
            offers_last_hour=0,
        )
        for p in rows
    }
    if candidates:
        _add_offer_counts(candidates, now)
        _add_profiles(candidates)
    return {k: c for k, c in candidates.items() if c.has_room()}


def _ids(candidates: dict[uuid.UUID, Candidate]) -> list[uuid.UUID]:
    return list(candidates)


def _add_offer_counts(candidates: dict[uuid.UUID, Candidate], now: datetime) -> None:
    ids = _ids(candidates)
    pending = db.session.execute(
        sa.select(Offer.expert_id, sa.func.count())
        .where(Offer.expert_id.in_(ids), Offer.status == OfferStatus.PENDING)
        .group_by(Offer.expert_id)
    )
    for expert_id, count in pending:
        candidates[expert_id].load += count
    recent = db.session.execute(
        sa.select(Offer.expert_id, sa.func.count())
        .where(Offer.expert_id.in_(ids), Offer.created_at >= now - timedelta(hours=1))
        .group_by(Offer.expert_id)
    )
    for expert_id, count in recent:
        candidates[expert_id].offers_last_hour = count


def _add_profiles(candidates: dict[uuid.UUID, Candidate]) -> None:
    ids = _ids(candidates)
    languages: dict[uuid.UUID, set[str]] = {}
    for expert_id, language in db.session.execute(
        sa.select(ExpertLanguage.expert_id, ExpertLanguage.language).where(
            ExpertLanguage.expert_id.in_(ids)
        )
    ):
        languages.setdefault(expert_id, set()).add(language)
    for expert_id, langs in languages.items():
        candidates[expert_id].languages = frozenset(langs)
    for expert_id, tag, level in db.session.execute(
        sa.select(ExpertSkill.expert_id, ExpertSkill.tag, ExpertSkill.level).where(
            ExpertSkill.expert_id.in_(ids)
        )
    ):
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
        candidates[expert_id].pools[pool_id] = (tier.value, lower)


def already_offered(question_id: uuid.UUID) -> set[uuid.UUID]:
    """Experts who were offered this question before (declined or timed out stay out)."""
    return set(db.session.scalars(sa.select(Offer.expert_id).filter_by(question_id=question_id)))
