"""The audit queue: list open items, claim one (with a timeout), give it back, decide it.

The queue is ordered by priority, then the question's SLA deadline, then age, and leaves out
items the moderator may not claim (another company's, someone else's calibration item, an
expert they are linked to). A claim is a conditional UPDATE, so of two moderators claiming at
once exactly one wins; it lasts MODERATION_CLAIM_SECONDS (default 600), then the item is open
again and consoles hear `audit.released` with reason `expired`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from marketplace import broadcast
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, Feedback
from marketplace.companies.models import Pool
from marketplace.database import UtcDateTime, utcnow
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.moderation import calibration, conflicts, paging, verdicts
from marketplace.moderation.models import AuditItem, ItemStatus, RejectReason, Verdict
from marketplace.queue import JobOptions, enqueue

log = logging.getLogger(__name__)
ITEM = AuditItem.__table__
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)
HISTORY_LIMIT = 10
# A moderator's company has a handful of brand pools; a platform admin sees the first 500.
QUEUE_POOLS_LIMIT = 500
PENDING_PAGE = 50


class ClaimLost(Conflict):
    """Another moderator holds the item, or this moderator's claim ran out."""

    slug = "claim-lost"
    title = "Claimed by someone else"


def claim_seconds() -> int:
    """How long a claim lasts."""
    return int(current_app.config.get("MODERATION_CLAIM_SECONDS", 600))


def queue_pools(moderator: UserCaller) -> list[Pool]:
    """The pools whose items the moderator may see (the queue's pool filter), by name."""
    query = (
        sa.select(Pool)
        .where(conflicts.scope(moderator, Pool.company_id))
        .order_by(Pool.name, Pool.id)
        .limit(QUEUE_POOLS_LIMIT)
    )
    return list(db.session.scalars(query))


def queue_for(
    moderator: UserCaller,
    status: ItemStatus | None,
    pool_id: uuid.UUID | None,
    reason: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[AuditItem], str | None]:
    """A page of items the moderator may work on: most urgent, nearest SLA, oldest first."""
    due = sa.func.coalesce(AuditItem.sla_deadline, sa.literal(FAR_FUTURE, UtcDateTime()))
    query = (
        sa.select(AuditItem)
        .join(Answer, Answer.id == AuditItem.answer_id)
        .where(
            conflicts.scope(moderator, AuditItem.company_id),
            sa.or_(
                AuditItem.calibration_for.is_(None),
                AuditItem.calibration_for == moderator.user_id,
            ),
            conflicts.not_linked(moderator.user_id, Answer.expert_id),
            _status_is(status),
        )
    )
    if pool_id is not None:
        query = query.where(AuditItem.pool_id == pool_id)
    if reason is not None:
        query = query.where(_has_reason(reason))
    if cursor is not None:
        after = paging.decode(cursor, p=int, due=datetime)
        query = query.where(
            sa.or_(
                AuditItem.priority < after["p"],
                sa.and_(
                    AuditItem.priority == after["p"],
                    sa.or_(
                        due > after["due"],
                        sa.and_(due == after["due"], AuditItem.id > after["id"]),
                    ),
                ),
            )
        )
    rows = db.session.scalars(
        query.order_by(AuditItem.priority.desc(), due, AuditItem.id).limit(limit + 1)
    ).all()
    page = list(rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = paging.encode(
            p=last.priority, due=last.sla_deadline or FAR_FUTURE, id=last.id
        )
    return page, next_cursor


def pending_for(moderator: UserCaller, cursor: str | None = None) -> dict[str, Any]:
    """What a (re)connecting console must show: the first page of the queue and its claims."""
    items, next_cursor = queue_for(moderator, None, None, None, cursor, PENDING_PAGE)
    mine = db.session.scalars(
        sa.select(AuditItem)
        .where(
            AuditItem.claimed_by == moderator.user_id,
            AuditItem.status == ItemStatus.CLAIMED,
            AuditItem.claimed_until >= utcnow(),
        )
        .order_by(AuditItem.claimed_until)
    ).all()
    return {"items": items, "next_cursor": next_cursor, "claimed": list(mine)}


def _status_is(status: ItemStatus | None) -> Any:
    if status is None:  # open, or claimed with the claim run out
        return sa.or_(
            AuditItem.status == ItemStatus.OPEN,
            sa.and_(AuditItem.status == ItemStatus.CLAIMED, AuditItem.claimed_until < utcnow()),
        )
    return AuditItem.status == status


def _has_reason(reason: str) -> Any:
    """The JSON list of reasons contains `reason`, evaluated by the database."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        return sa.cast(AuditItem.reasons, JSONB).contains([reason])
    values = sa.func.json_each(AuditItem.reasons).table_valued("value")
    return sa.exists(sa.select(1).select_from(values).where(values.c.value == reason))


def claim(moderator: UserCaller, item_id: uuid.UUID) -> AuditItem:
    """Take an item for a while; only one moderator can hold it at a time."""
    item = _visible(moderator, item_id)
    conflicts.check_not_linked(moderator, verdicts.answer_expert(item.answer_id), "audit")
    now = utcnow()
    until = now + timedelta(seconds=claim_seconds())
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
        .values(status=ItemStatus.CLAIMED.value, claimed_by=moderator.user_id, claimed_until=until)
    ).rowcount
    if not taken:
        db.session.rollback()
        raise ClaimLost("Another moderator is auditing this answer, or it was decided.")
    db.session.commit()
    db.session.refresh(item)
    _arm_expiry(item.id, until)
    tell(item, "audit.claimed", {"by": str(moderator.user_id), "until": until.isoformat()})
    return item


def _arm_expiry(item_id: uuid.UUID, until: datetime) -> None:
    """Open the item again when the claim runs out (the periodic sweep catches a lost job)."""
    try:
        enqueue(
            "workers.moderation.expire_claim",
            str(item_id),
            job_id=f"claim-expiry-{item_id}-{int(until.timestamp())}",
            delay=claim_seconds() + 1,
            options=JobOptions(queue="default", retry_delays=(5, 30)),
        )
    except Exception:  # Redis down: the sweep (every 30 s) expires the claim instead
        log.exception("could not arm the expiry of claim on item %s", item_id)


def release(moderator: UserCaller, item_id: uuid.UUID) -> AuditItem:
    """Give one's own claim back to the queue (409 when the claim is someone else's or gone)."""
    item = _visible(moderator, item_id)
    released = db.session.execute(
        sa.update(ITEM)
        .where(
            ITEM.c.id == item_id,
            ITEM.c.claimed_by == moderator.user_id,
            ITEM.c.status == ItemStatus.CLAIMED.value,
            ITEM.c.claimed_until >= utcnow(),
        )
        .values(status=ItemStatus.OPEN.value, claimed_by=None, claimed_until=None)
    ).rowcount
    if not released:
        db.session.rollback()
        if item.status == ItemStatus.DECIDED:
            raise Conflict("This item was already decided.", errors={"item_id": ["decided"]})
        raise ClaimLost("You do not hold this item (someone else does, or your claim ran out).")
    db.session.commit()
    db.session.refresh(item)
    tell(item, "audit.released", {"by": str(moderator.user_id), "reason": "released"})
    return item


def expire_claim(item_id: uuid.UUID) -> bool:
    """A claim ran out: the item is open again and consoles are told (job and sweep)."""
    row = db.session.execute(
        sa.update(ITEM)
        .where(
            ITEM.c.id == item_id,
            ITEM.c.status == ItemStatus.CLAIMED.value,
            ITEM.c.claimed_until < utcnow(),
        )
        .values(status=ItemStatus.OPEN.value, claimed_by=None, claimed_until=None)
        .returning(ITEM.c.claimed_by)
    ).first()
    db.session.commit()
    if row is None:
        return False
    item = db.session.get(AuditItem, item_id)
    tell(item, "audit.released", {"by": None, "reason": "expired"})
    return True


def expired_claims() -> list[uuid.UUID]:
    """Items whose claim ran out without a verdict (the periodic sweep expires them)."""
    return list(
        db.session.scalars(
            sa.select(AuditItem.id).where(
                AuditItem.status == ItemStatus.CLAIMED, AuditItem.claimed_until < utcnow()
            )
        )
    )


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
    conflicts.check_not_linked(moderator, verdicts.answer_expert(item.answer_id), "audit")
    verdicts.apply(moderator, item, verdict, reasons, edited_body, note)
    item.status, item.decided_at = ItemStatus.DECIDED, utcnow()
    calibration.maybe_slip(moderator.user_id, item.company_id)
    after_commit(
        tell, item, "audit.decided", {"by": str(moderator.user_id), "verdict": verdict.value}
    )
    db.session.commit()
    return item


def tell(item: AuditItem, event: str, extra: dict[str, Any]) -> None:
    """An item event to the consoles that may show it (a calibration item: its moderator's)."""
    payload = {"item_id": str(item.id), **extra}
    if item.calibration_for is not None:
        broadcast.to_moderator(item.calibration_for, event, payload)
    else:
        broadcast.to_moderators(item.company_id, event, payload)


def item_detail(moderator: UserCaller, item_id: uuid.UUID) -> dict[str, Any]:
    """One item, blind: the answer beside its question, its automatic checks, the customer's
    feedback and the expert's recent answers at this company. The answer's current outcome,
    score and any edit are left out, so a calibration item looks like any other."""
    item = _visible(moderator, item_id)
    answer = db.session.get(Answer, item.answer_id)
    conflicts.check_not_linked(moderator, answer.expert_id, "audit")
    calibrating = sa.select(AuditItem.answer_id).where(
        AuditItem.calibration_for == moderator.user_id, AuditItem.status != ItemStatus.DECIDED
    )
    history = db.session.scalars(
        sa.select(Answer)
        .where(
            Answer.expert_id == answer.expert_id,
            Answer.company_id == item.company_id,
            Answer.id != answer.id,
            Answer.id.not_in(calibrating),
        )
        .order_by(Answer.created_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    feedback = db.session.scalars(
        sa.select(Feedback).filter_by(question_id=answer.question_id)
    ).one_or_none()
    signals = answer.signals or {}
    return {
        "item": item,
        "expert_id": answer.expert_id,
        "answer": {
            "id": answer.id,
            "body": answer.body,
            "created_at": answer.created_at,
            "released": answer.released_at is not None,
        },
        "checks": {"automatic": signals.get("automatic"), "signals": signals.get("signals", [])},
        "question": answer.question,
        "feedback": feedback,
        "history": history,
    }


def _check_verdict(verdict: Verdict, reasons: list[str], edited_body: str | None) -> None:
    errors: dict[str, list[str]] = {}
    known = {r.value for r in RejectReason}
    if verdict == Verdict.REJECT and not reasons:
        errors["reasons"] = [f"Give at least one of: {', '.join(sorted(known))}."]
    if verdict != Verdict.REJECT and reasons:
        errors["reasons"] = ["Only a rejection carries reasons (use the note)."]
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
        raise ClaimLost("Claim the item first (a claim lasts a limited time).")


def _in_scope(moderator: UserCaller, item: AuditItem) -> bool:
    if item.calibration_for is not None and item.calibration_for != moderator.user_id:
        return False
    return conflicts.in_scope(moderator, item.company_id)


def _visible(moderator: UserCaller, item_id: uuid.UUID) -> AuditItem:
    item = db.session.get(AuditItem, item_id)
    if item is None or not _in_scope(moderator, item):
        raise NotFound("No such audit item.")
    return item
