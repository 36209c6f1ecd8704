"""Put answers in the audit queue (no verdict logic here, so scoring can import it).

One live item per answer: a second reason (a complaint while a low-score item waits) is merged
into it, also when two triggers race (the loser of the insert merges into the winner's item).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace import broadcast
from marketplace.accounts.models import Role, User, UserStatus
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, AnswerStatus
from marketplace.companies.models import Pool
from marketplace.database import utcnow
from marketplace.experts.models import PoolMembership
from marketplace.extensions import db
from marketplace.matching.services import return_at, settings_of
from marketplace.moderation.models import AuditItem, AuditReason, ItemStatus, ModeratorLink
from marketplace.moderation.policy import MANDATORY, PRIORITY, AuditPolicy
from marketplace.questions.models import Question
from marketplace.queue import JobOptions, enqueue


def policy_for(pool_id: uuid.UUID | None) -> AuditPolicy:
    """The audit policy of a pool (defaults without one)."""
    pool = db.session.get(Pool, pool_id) if pool_id else None
    return AuditPolicy.from_settings(pool.settings if pool else None)


def low_score_threshold(pool_id: uuid.UUID | None, accept_threshold: float) -> float:
    """Quality below this sends an answer to audit: the pool's `audit.low_score`, else the
    company's `accept_threshold` (docs/moderation.md)."""
    return policy_for(pool_id).low_score_or(accept_threshold)


def tier_in_pool(expert_id: uuid.UUID, pool_id: uuid.UUID | None) -> str | None:
    """The expert's tier in the pool, or None when they answered from outside it (staff)."""
    if pool_id is None:
        return None
    tier = db.session.scalar(
        sa.select(PoolMembership.tier).filter_by(expert_id=expert_id, pool_id=pool_id)
    )
    return tier.value if tier is not None else None


def awaiting_verdict(answer_id: uuid.UUID) -> bool:
    """A mandatory audit (probation, sample) is open: the outcome and reward wait for it."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditItem)
            .where(
                AuditItem.answer_id == answer_id,
                AuditItem.status != ItemStatus.DECIDED,
                AuditItem.calibration_for.is_(None),
                AuditItem.mandatory.is_(True),
            )
        )
        > 0
    )


def in_queue_of(answer_id: uuid.UUID, moderator_id: uuid.UUID) -> bool:
    """Whether the answer waits in this moderator's audit queue (a live item, or their own
    calibration item): its full explanation would give away what the blind item view hides."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditItem)
            .where(
                AuditItem.answer_id == answer_id,
                AuditItem.status != ItemStatus.DECIDED,
                sa.or_(
                    AuditItem.calibration_for.is_(None),
                    AuditItem.calibration_for == moderator_id,
                ),
            )
        )
        > 0
    )


def open_item(
    answer: Answer, reasons: list[AuditReason], mandatory: bool | None = None
) -> AuditItem:
    """Queue an answer for audit, merging reasons into its live item (caller's transaction).

    A probation or sample reason always makes it mandatory (the outcome waits for it)."""
    question = db.session.get(Question, answer.question_id)
    values = sorted({r.value for r in reasons})
    mandatory = bool(mandatory) or any(r in MANDATORY for r in reasons)
    priority = max(PRIORITY[r] for r in reasons)
    item = _live_item(answer.id)
    if item is None:
        try:
            with db.session.begin_nested():
                item = AuditItem(
                    answer_id=answer.id,
                    pool_id=question.pool_id,
                    company_id=question.company_id,
                    reasons=values,
                    mandatory=mandatory,
                    priority=priority,
                    sla_deadline=question.sla_deadline,
                    status=ItemStatus.OPEN,
                )
                db.session.add(item)
        except IntegrityError:  # another trigger opened it a moment ago: merge into theirs
            item = _live_item(answer.id)
            created = False
        else:
            created = True
    else:
        created = False
    before = (list(item.reasons), item.mandatory, item.priority)
    if not created:
        item.reasons = sorted(set(item.reasons) | set(values))
        item.mandatory = item.mandatory or mandatory
        item.priority = max(item.priority, priority)
    db.session.execute(
        sa.update(Answer.__table__)
        .where(Answer.__table__.c.id == answer.id)
        .values(audit_pending=True)
    )
    db.session.flush()
    if answer.status == AnswerStatus.HELD:
        after_commit(arm_hold_deadline, answer.id, return_at(question, settings_of(question)))
    if created:
        announce_item(item, answer.expert_id, "audit.created")
    elif before != (item.reasons, item.mandatory, item.priority):
        announce_item(item, answer.expert_id, "audit.updated")
    return item


def arm_hold_deadline(answer_id: uuid.UUID, due: Any) -> None:
    """Release a held answer at its question's return time if no verdict came (timers.py)."""
    enqueue(
        "workers.moderation.release_if_overdue",
        str(answer_id),
        job_id=f"hold-deadline-{answer_id}",
        delay=max(0.0, (due - utcnow()).total_seconds()) + 1,
        options=JobOptions(queue="default", retry_delays=(5, 30, 120)),
    )


def _live_item(answer_id: uuid.UUID) -> AuditItem | None:
    return db.session.scalars(
        sa.select(AuditItem)
        .where(
            AuditItem.answer_id == answer_id,
            AuditItem.status != ItemStatus.DECIDED,
            AuditItem.calibration_for.is_(None),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def item_payload(item: AuditItem) -> dict[str, Any]:
    """What consoles are told about a queue item (no calibration marker)."""
    return {
        "item_id": str(item.id),
        "answer_id": str(item.answer_id),
        "pool_id": str(item.pool_id) if item.pool_id else None,
        "reasons": item.reasons,
        "priority": item.priority,
        "mandatory": item.mandatory,
        "sla_deadline": item.sla_deadline.isoformat() if item.sla_deadline else None,
    }


def announce_item(item: AuditItem, expert_id: uuid.UUID, event: str) -> None:
    """Tell, after commit, each moderator who may claim the item: the company's moderators and
    platform admins who are not linked to the expert (a calibration item: its moderator only)."""
    recipients = (
        [item.calibration_for]
        if item.calibration_for is not None
        else eligible_moderators(item.company_id, expert_id)
    )
    payload = item_payload(item)
    for moderator_id in recipients:
        after_commit(broadcast.to_moderator, moderator_id, event, payload)


def eligible_moderators(company_id: uuid.UUID, expert_id: uuid.UUID) -> list[uuid.UUID]:
    """Active moderators of the company and platform admins, minus the expert and their links."""
    linked = sa.select(ModeratorLink.moderator_id).where(ModeratorLink.expert_id == expert_id)
    return list(
        db.session.scalars(
            sa.select(User.id).where(
                sa.or_(
                    sa.and_(User.role == Role.MODERATOR, User.company_id == company_id),
                    User.role == Role.PLATFORM_ADMIN,
                ),
                User.status == UserStatus.ACTIVE,
                User.id != expert_id,
                User.id.not_in(linked),
            )
        )
    )
