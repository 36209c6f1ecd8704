"""Put answers in the audit queue (no verdict logic here, so scoring can import it)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer
from marketplace.companies.models import Pool
from marketplace.experts.models import PoolMembership
from marketplace.extensions import db
from marketplace.moderation.models import AuditItem, AuditReason, ItemStatus
from marketplace.moderation.policy import PRIORITY, AuditPolicy
from marketplace.questions.models import Question


def policy_for(pool_id: uuid.UUID | None) -> AuditPolicy:
    """The audit policy of a pool (defaults without one)."""
    pool = db.session.get(Pool, pool_id) if pool_id else None
    return AuditPolicy.from_settings(pool.settings if pool else None)


def tier_in_pool(expert_id: uuid.UUID, pool_id: uuid.UUID | None) -> str | None:
    """The expert's tier in the pool, or None when they answered from outside it (staff)."""
    if pool_id is None:
        return None
    tier = db.session.scalar(
        sa.select(PoolMembership.tier).filter_by(expert_id=expert_id, pool_id=pool_id)
    )
    return tier.value if tier is not None else None


def open_item(answer: Answer, reasons: list[AuditReason], mandatory: bool = False) -> AuditItem:
    """Queue an answer for audit, merging reasons into its live item (caller's transaction)."""
    question = db.session.get(Question, answer.question_id)
    item = db.session.scalars(
        sa.select(AuditItem).where(
            AuditItem.answer_id == answer.id,
            AuditItem.status != ItemStatus.DECIDED,
            AuditItem.calibration_for.is_(None),
        )
    ).one_or_none()
    values = [r.value for r in reasons]
    if item is None:
        item = AuditItem(
            answer_id=answer.id,
            pool_id=question.pool_id,
            company_id=question.company_id,
            reasons=values,
            mandatory=mandatory,
            priority=max(PRIORITY[r] for r in reasons),
            status=ItemStatus.OPEN,
        )
        db.session.add(item)
    else:
        item.reasons = sorted(set(item.reasons) | set(values))
        item.mandatory = item.mandatory or mandatory
        item.priority = max(item.priority, *(PRIORITY[r] for r in reasons))
    db.session.flush()
    if question.pool_id:
        after_commit(
            broadcast.to_moderators,
            question.pool_id,
            "audit.created",
            {"item_id": str(item.id), "reasons": item.reasons, "priority": item.priority},
        )
    return item
