"""Read an expert's standing: reputation, tiers, pools and skills."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from marketplace.companies.models import Pool
from marketplace.errors import NotFound
from marketplace.experts.models import ExpertLanguage, ExpertProfile, ExpertSkill, PoolMembership
from marketplace.extensions import db


def standing(expert_id: uuid.UUID) -> dict[str, Any]:
    """Reputation overall and per pool, tiers, skills with measured estimates."""
    profile = db.session.get(ExpertProfile, expert_id)
    if profile is None:
        raise NotFound("No expert profile.")
    pools = [
        {
            "pool_id": m.pool_id,
            "pool_name": name,
            "status": m.status.value,
            "tier": m.tier.value,
            "reputation_mean": m.reputation_mean,
            "reputation_lower": m.reputation_lower,
        }
        for m, name in db.session.execute(
            sa.select(PoolMembership, Pool.name)
            .join(Pool, Pool.id == PoolMembership.pool_id)
            .where(PoolMembership.expert_id == expert_id)
            .order_by(Pool.name)
        )
    ]
    skills = db.session.scalars(
        sa.select(ExpertSkill).filter_by(expert_id=expert_id).order_by(ExpertSkill.tag)
    ).all()
    languages = db.session.scalars(
        sa.select(ExpertLanguage.language).filter_by(expert_id=expert_id)
    ).all()
    return {
        "tier": profile.tier.value,
        "reputation_mean": profile.reputation_mean,
        "reputation_lower": profile.reputation_lower,
        "capacity": profile.capacity,
        "languages": list(languages),
        "pools": pools,
        "skills": [{"tag": s.tag, "level": s.level, "estimate": s.estimate} for s in skills],
    }
