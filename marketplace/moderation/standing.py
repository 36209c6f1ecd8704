"""An expert's standing: what keeps them out, shown even while they are suspended or banned."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.services import AccountInactive
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.moderation.models import Sanction, SanctionKind


def explain(refusal: AccountInactive) -> AccountInactive:
    """Add the platform sanctions in force (kind, why, until) to a refused login."""
    in_force = db.session.scalars(
        sa.select(Sanction)
        .where(
            Sanction.expert_id == refusal.user_id,
            Sanction.company_id.is_(None),
            Sanction.kind.in_([SanctionKind.SUSPEND, SanctionKind.BAN]),
            Sanction.lifted_at.is_(None),
            sa.or_(Sanction.until.is_(None), Sanction.until > utcnow()),
        )
        .order_by(Sanction.created_at.desc())
    ).all()
    refusal.extra["sanctions"] = [
        {
            "id": str(s.id),
            "kind": s.kind.value,
            "reason": s.reason,
            "reason_zh": s.reason_zh,
            "until": s.until.isoformat() if s.until else None,
            "created_at": s.created_at.isoformat(),
        }
        for s in in_force
    ]
    return refusal
