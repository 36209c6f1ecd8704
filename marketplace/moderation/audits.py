"""The audit queue: open items, claim one (with a timeout), decide it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer
from marketplace.database import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.moderation import calibration, verdicts
from marketplace.moderation.models import (
    AuditItem,
    ItemStatus,
    ModeratorLink,
    RejectReason,
    Verdict,
)

CLAIM_MINUTES = 10
ITEM = AuditItem.__table__


class ClaimLost(Conflict):
    """Another moderator holds the item, or this moderator's claim ran out."""

    slug = "claim-lost"
    title = "Claimed by someone else"


def queue_for(
    moderator: UserCaller,
    status: ItemStatus | None,
    pool_id: uuid.UUID | None,
    reason: str | None,
    limit: int,
) -> list[AuditItem]:
    """Items a moderator may work on, most urgent and oldest first (own calibration included)."""
    now = utcnow()
    query = sa.select(AuditItem).where(
        _scope(moderator),
        sa.or_(AuditItem.calibration_for.is_(None), AuditItem.calibration_for == moderator.user_id),
    )
    if status is None:
        query = query.where(
            sa.or_(
                AuditItem.status == ItemStatus.OPEN,
                sa.and_(AuditItem.status == ItemStatus.CLAIMED, AuditItem.claimed_until < now),
            )
        )
    else:
        query = query.where(AuditItem.status == status)
    if pool_id is not None:
        query = query.where(AuditItem.pool_id == pool_id)
    items = db.session.scalars(
        query.order_by(AuditItem.priority.desc(), AuditItem.created_at).limit(limit * 2)
    ).all()
    return [i for i in items if reason is None or reason in i.reasons][:limit]


def claim(moderator: UserCaller, item_id: uuid.UUID) -> AuditItem:
    """Take an item for CLAIM_MINUTES; only one moderator can hold it at a time."""
    item = _visible(moderator, item_id)
    _check_not_linked(moderator, item)
    now = utcnow()
    taken = db.session.execute(
        sa.update(ITEM)
        .where(
            ITEM.c.id == item_id,
            ITEM.c.status != ItemStatus.DECIDED.value,
            sa.or_(
                ITEM.c.status == ItemStatus.OPEN.value,
                ITEM.c.claimed_until < now,
                ITEM.c.claimed_by == moderator.user_id,
            ),
        )
        .values(
            status=ItemStatus.CLAIMED.value,
            claimed_by=moderator.user_id,
            claimed_until=now + timedelta(minutes=CLAIM_MINUTES),
        )
    ).rowcount
    if not taken:
        db.session.rollback()
        raise ClaimLost("Another moderator is auditing this answer, or it was decided.")
    db.session.commit()
    db.session.refresh(item)
    if item.pool_id:
        broadcast.to_moderators(
            item.pool_id,
            "audit.claimed",
            {
                "item_id": str(item.id),
                "by": str(moderator.user_id),
                "until": item.claimed_until.isoformat(),
            },
        )
    return item


def release(moderator: UserCaller, item_id: uuid.UUID) -> AuditItem:
    """Give a claimed item back to the queue."""
    item = _visible(moderator, item_id)
    db.session.execute(
        sa.update(ITEM)
        .where(
            ITEM.c.id == item_id,
            ITEM.c.claimed_by == moderator.user_id,
            ITEM.c.status == ItemStatus.CLAIMED.value,
        )
        .values(status=ItemStatus.OPEN.value, claimed_by=None, claimed_until=None)
    )
    db.session.commit()
    db.session.refresh(item)
    return item


def decide(
    moderator: UserCaller,
    item_id: uuid.UUID,
    verdict: Verdict,
    reasons: list[str],
    edited_body: str | None,
    note: str | None,
) -> AuditItem:
    """Record a verdict on a claimed item and apply it (money, reputation, release, requeue)."""
    _check_verdict(verdict, reasons, edited_body)
    item = db.session.scalars(
        sa.select(AuditItem)
        .where(AuditItem.id == item_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # the claim may have changed since loaded
    ).one_or_none()
    if item is None or not _in_scope(moderator, item):
        raise NotFound("No such audit item.")
    _check_claim(moderator, item)
    _check_not_linked(moderator, item)
    verdicts.apply(moderator, item, verdict, reasons, edited_body, note)
    item.status, item.decided_at = ItemStatus.DECIDED, utcnow()
    calibration.maybe_slip(moderator.user_id, item.company_id)
    if item.pool_id:
        after_commit(
            broadcast.to_moderators,
            item.pool_id,
            "audit.decided",
            {"item_id": str(item.id), "verdict": verdict.value},
        )
    db.session.commit()
    return item


def item_detail(moderator: UserCaller, item_id: uuid.UUID) -> dict[str, Any]:
    """One item with its answer, question, scoring reasons and the expert's history."""
    item = _visible(moderator, item_id)
    answer = db.session.get(Answer, item.answer_id)
    history = db.session.scalars(
        sa.select(Answer)
        .where(Answer.expert_id == answer.expert_id, Answer.id != answer.id)
        .order_by(Answer.created_at.desc())
        .limit(10)
    ).all()
    return {"item": item, "answer": answer, "question": answer.question, "history": history}


def _check_verdict(verdict: Verdict, reasons: list[str], edited_body: str | None) -> None:
    errors: dict[str, list[str]] = {}
    known = {r.value for r in RejectReason}
    if verdict == Verdict.REJECT and not reasons:
        errors["reasons"] = [f"Give at least one of: {', '.join(sorted(known))}."]
    unknown = [r for r in reasons if r not in known]
    if unknown:
        errors["reasons"] = [f"Unknown reason(s): {', '.join(unknown)}."]
    if verdict == Verdict.APPROVE_WITH_EDIT and not (edited_body and edited_body.strip()):
        errors["edited_body"] = ["The edited text is required."]
    if verdict != Verdict.APPROVE_WITH_EDIT and edited_body:
        errors["edited_body"] = ["Only an approve_with_edit verdict carries an edit."]
    if errors:
        raise InvalidInput("The verdict is not valid.", errors=errors)


def _check_claim(moderator: UserCaller, item: AuditItem) -> None:
    if item.status == ItemStatus.DECIDED:
        raise Conflict("This item was already decided.", errors={"item_id": ["decided"]})
    if (
        item.status != ItemStatus.CLAIMED
        or item.claimed_by != moderator.user_id
        or (item.claimed_until and item.claimed_until < utcnow())
    ):
        raise ClaimLost("Claim the item first (claims last 10 minutes).")


def _check_not_linked(moderator: UserCaller, item: AuditItem) -> None:
    expert_id = db.session.scalar(sa.select(Answer.expert_id).where(Answer.id == item.answer_id))
    linked = db.session.get(ModeratorLink, (moderator.user_id, expert_id))
    if expert_id == moderator.user_id or linked is not None:
        raise Forbidden("You cannot audit answers of experts you are linked to.")


def _scope(moderator: UserCaller) -> Any:
    if moderator.role == Role.PLATFORM_ADMIN:
        return sa.true()
    return AuditItem.company_id == moderator.company_id


def _in_scope(moderator: UserCaller, item: AuditItem) -> bool:
    if item.calibration_for is not None and item.calibration_for != moderator.user_id:
        return False
    return moderator.role == Role.PLATFORM_ADMIN or item.company_id == moderator.company_id


def _visible(moderator: UserCaller, item_id: uuid.UUID) -> AuditItem:
    item = db.session.get(AuditItem, item_id)
    if item is None or not _in_scope(moderator, item):
        raise NotFound("No such audit item.")
    return item
