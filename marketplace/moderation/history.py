"""What a moderator may look up about experts: sanctions, and one expert's record with the
moderator's company (memberships, verdicts on their answers, appeals, sanctions)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import UserCaller
from marketplace.answers.models import Answer
from marketplace.companies.models import Pool
from marketplace.errors import NotFound
from marketplace.experts.models import PoolMembership
from marketplace.extensions import db
from marketplace.moderation import conflicts, paging
from marketplace.moderation.models import Audit, Dispute, Sanction
from marketplace.moderation.sanctions import scope_of

HISTORY_LIMIT = 50


def list_sanctions(
    moderator: UserCaller, expert_id: uuid.UUID | None, cursor: str | None, limit: int
) -> tuple[list[Sanction], str | None]:
    """Sanctions the moderator's company gave (platform admins: all), newest first."""
    query = sa.select(Sanction).where(conflicts.scope(moderator, Sanction.company_id))
    if expert_id is not None:
        query = query.where(Sanction.expert_id == expert_id)
    if cursor is not None:
        query = query.where(Sanction.id < paging.decode(cursor)["id"])
    rows = db.session.scalars(query.order_by(Sanction.id.desc()).limit(limit + 1)).all()
    page = list(rows[:limit])
    return page, paging.encode(id=page[-1].id) if len(rows) > limit else None


def expert_history(moderator: UserCaller, expert_id: uuid.UUID) -> dict[str, Any]:
    """One expert's record with the moderator's company (404 if they never applied to it)."""
    expert = db.session.get(User, expert_id)
    memberships = db.session.execute(
        sa.select(PoolMembership, Pool)
        .join(Pool, Pool.id == PoolMembership.pool_id)
        .where(PoolMembership.expert_id == expert_id, conflicts.scope(moderator, Pool.company_id))
        .order_by(Pool.name)
    ).all()
    if expert is None or expert.role != Role.EXPERT or not memberships:
        raise NotFound("No such expert in your pools.")
    verdicts = db.session.execute(
        sa.select(Audit, Answer.question_id)
        .join(Answer, Answer.id == Audit.answer_id)
        .where(
            Answer.expert_id == expert_id,
            conflicts.scope(moderator, Answer.company_id),
            Audit.calibration.is_(False),
        )
        .order_by(Audit.created_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    appeals = db.session.scalars(
        sa.select(Dispute)
        .where(Dispute.expert_id == expert_id, conflicts.scope(moderator, Dispute.company_id))
        .order_by(Dispute.created_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    sanctions = db.session.scalars(
        sa.select(Sanction)
        .where(
            Sanction.expert_id == expert_id,
            sa.or_(conflicts.scope(moderator, Sanction.company_id), Sanction.company_id.is_(None)),
        )
        .order_by(Sanction.created_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return {
        "expert_id": expert.id,
        "display_name": expert.display_name,
        "account_status": expert.status.value,
        "memberships": [_membership(m, p) for m, p in memberships],
        "verdicts": [_verdict(a, q) for a, q in verdicts],
        "disputes": appeals,
        "sanctions": [_sanction(s, moderator) for s in sanctions],
    }


def _membership(membership: PoolMembership, pool: Pool) -> dict[str, Any]:
    return {
        "pool_id": pool.id,
        "pool": pool.name,
        "status": membership.status.value,
        "tier": membership.tier.value,
        "reputation_lower": membership.reputation_lower,
        "suspended_until": membership.suspended_until,
        "since": membership.created_at,
    }


def _verdict(audit: Audit, question_id: uuid.UUID) -> dict[str, Any]:
    return {
        "answer_id": audit.answer_id,
        "question_id": question_id,
        "verdict": audit.verdict.value,
        "reasons": audit.reasons,
        "note": audit.note,
        "moderator_id": audit.moderator_id,
        "at": audit.created_at,
    }


def _sanction(sanction: Sanction, moderator: UserCaller) -> dict[str, Any]:
    """Platform-wide sanctions are shown to company moderators without who and why (they may
    concern another company)."""
    own = conflicts.in_scope(moderator, sanction.company_id)
    return {
        "id": sanction.id,
        "kind": sanction.kind.value,
        "scope": scope_of(sanction),
        "reason": sanction.reason if own or sanction.automatic else None,
        "until": sanction.until,
        "automatic": sanction.automatic,
        "trigger": sanction.trigger,
        "created_by": sanction.created_by if own else None,
        "created_at": sanction.created_at,
        "lifted_at": sanction.lifted_at,
    }
