"""Taking offers back: why (the reasons experts are told), withdrawal, and refusing late actions.

Lock order, everywhere in matching: the question row first, then its offers and assignments,
then expert profiles. Whoever changes an offer locks its question before touching the offer, so
an accept (question -> offer) and an expiry or revocation never wait on each other in a cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.matching.services import (
    SYSTEM,
    AlreadyTaken,
    OfferClosed,
    OfferExpired,
    OfferWithdrawn,
    release_capacity,
)
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS

OFFER_TABLE = Offer.__table__

# Every reason an offer.revoked event (and a refused late accept) can carry, with its text.
REVOKE_REASONS: dict[str, tuple[str, str]] = {
    "taken": ("Another expert took this question first.", "该问题已被其他专家认领。"),
    "cancelled": ("The company cancelled this question.", "企业已取消该问题。"),
    "returned": ("The question went back to the company's own team.", "该问题已退回企业自有团队。"),
    "expired": ("The question's deadline passed.", "该问题已超过时限。"),
    "answered": ("The question already has an answer.", "该问题已有回答。"),
    "withdrawn": ("The question was withdrawn.", "该问题已被撤回。"),
    "away": ("You set yourself away.", "你已设为离开。"),
    "offline": ("You went offline.", "你已下线。"),
    "disconnected": ("Your phone was disconnected for too long.", "你的连接中断时间过长。"),
    "sanctioned": ("Your account is restricted.", "你的账户受到限制。"),
}
# What a withdrawn question's status says about why its offers were revoked.
REASON_BY_STATUS = {QS.CANCELLED: "cancelled", QS.RETURNED: "returned", QS.EXPIRED: "expired"}


def lock_questions(question_ids: Iterable[uuid.UUID]) -> None:
    """Row-lock questions (in id order, so two lockers never cross) before their offers."""
    ids = sorted(set(question_ids))
    if ids:
        db.session.execute(
            sa.select(Question.__table__.c.id)
            .where(Question.__table__.c.id.in_(ids))
            .order_by(Question.__table__.c.id)
            .with_for_update()
        ).all()


def revoke_pending(question_id: uuid.UUID, reason: str, now: Any) -> list[tuple[Any, Any]]:
    """Revoke the question's pending offers (its row is locked); returns (offer, expert) ids."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.update(OFFER_TABLE)
            .where(
                OFFER_TABLE.c.question_id == question_id,
                OFFER_TABLE.c.status == OfferStatus.PENDING.value,
            )
            .values(status=OfferStatus.REVOKED.value, responded_at=now, revoked_reason=reason)
            .returning(OFFER_TABLE.c.id, OFFER_TABLE.c.expert_id)
        ).all()
    ]


def announce_revoked(
    revoked: list[tuple[Any, Any]], question_id: uuid.UUID, reason: str, company_id: Any = None
) -> None:
    """Log each revocation and tell the expert, with the reason, after the commit."""
    for offer_id, expert_id in revoked:
        record(
            SYSTEM,
            "offer.revoked",
            "offer",
            offer_id,
            company_id=company_id,
            after={"reason": reason},
        )
        after_commit(engine.deadline_store().discard, f"offer:{offer_id}")
        payload = revoked_payload(offer_id, question_id, reason)
        after_commit(broadcast.to_expert, expert_id, "offer.revoked", payload)


def revoked_payload(offer_id: Any, question_id: Any, reason: str) -> dict[str, str]:
    """The offer.revoked event: ids, the reason code and its text in English and Chinese."""
    message, message_zh = REVOKE_REASONS.get(reason, REVOKE_REASONS["withdrawn"])
    return {
        "offer_id": str(offer_id),
        "question_id": str(question_id),
        "reason": reason,
        "message": message,
        "message_zh": message_zh,
    }


def withdraw_question(question_id: uuid.UUID, actor: Actor, reason: str | None = None) -> None:
    """Revoke pending offers and release the active assignment (caller's transaction).

    The caller holds the question's row lock and has already moved its status; without a
    `reason`, the new status says why (cancelled, returned, expired)."""
    now = utcnow()
    question = db.session.get(Question, question_id)
    reason = reason or REASON_BY_STATUS.get(question.status, "withdrawn")
    revoked = revoke_pending(question_id, reason, now)
    announce_revoked(revoked, question_id, reason, question.company_id)
    table = Assignment.__table__
    released = db.session.execute(
        sa.update(table)
        .where(table.c.question_id == question_id, table.c.status == AssignmentStatus.ACTIVE.value)
        .values(status=AssignmentStatus.RELEASED.value, finished_at=now)
        .returning(table.c.id, table.c.expert_id)
    ).all()
    for assignment_id, expert_id in released:
        release_capacity(expert_id)
        record(actor, "assignment.released", "assignment", assignment_id, after={"reason": reason})
        after_commit(engine.deadline_store().discard, f"assignment:{assignment_id}")
        payload = {
            "assignment_id": str(assignment_id),
            "question_id": str(question_id),
            "reason": reason,
        }
        after_commit(broadcast.to_expert, expert_id, "assignment.revoked", payload)
    if released:
        after_commit(engine.kick)


def revoke_offers_of_expert(
    expert_id: uuid.UUID, reason: str, pool_ids: list[uuid.UUID] | None = None
) -> int:
    """Take back an expert's pending offers (only those of `pool_ids` if given) so their
    questions are re-routed (caller commits).

    No autoflush: a caller's pending profile change must not lock the profile row before the
    questions are locked (that order would deadlock against an accept)."""
    now = utcnow()
    pending = sa.and_(
        OFFER_TABLE.c.expert_id == expert_id, OFFER_TABLE.c.status == OfferStatus.PENDING.value
    )
    if pool_ids is not None:
        in_pools = sa.select(Question.id).where(Question.pool_id.in_(pool_ids))
        pending = sa.and_(pending, OFFER_TABLE.c.question_id.in_(in_pools))
    with db.session.no_autoflush:
        questions = db.session.scalars(sa.select(OFFER_TABLE.c.question_id).where(pending)).all()
        lock_questions(questions)
        revoked = db.session.execute(
            sa.update(OFFER_TABLE)
            .where(pending)
            .values(status=OfferStatus.REVOKED.value, responded_at=now, revoked_reason=reason)
            .returning(OFFER_TABLE.c.id, OFFER_TABLE.c.question_id)
        ).all()
        for offer_id, question_id in revoked:
            question = db.session.get(Question, question_id)
            announce_revoked([(offer_id, expert_id)], question_id, reason, question.company_id)
            requeue_if_idle(question)
    if revoked:
        after_commit(engine.kick)
    return len(revoked)


def requeue_if_idle(question: Question) -> None:
    """An offered question with no pending offer left goes back to the queue."""
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OFFER_TABLE)
        .where(
            OFFER_TABLE.c.question_id == question.id,
            OFFER_TABLE.c.status == OfferStatus.PENDING.value,
        )
    )
    if not pending:
        states.move_if(question.id, question.company_id, {QS.OFFERED}, QS.QUEUED, SYSTEM)


def refuse_closed(offer: Offer, now: Any) -> None:
    """Raise the refusal that says exactly why an offer cannot be acted on (if it cannot)."""
    status = offer.status
    if status == OfferStatus.PENDING and offer.expires_at > now:
        return
    db.session.rollback()
    if status in {OfferStatus.PENDING, OfferStatus.EXPIRED}:
        raise OfferExpired(
            f"The offer expired at {offer.expires_at.isoformat()}.",
            errors={"offer_id": ["is expired"]},
        )
    if status == OfferStatus.REVOKED:
        reason = offer.revoked_reason or _legacy_reason(offer)
        if reason == "taken":
            raise AlreadyTaken("Another expert took this question first.")
        message, message_zh = REVOKE_REASONS.get(reason, REVOKE_REASONS["withdrawn"])
        raise OfferWithdrawn(
            message, errors={"offer_id": ["is withdrawn"]}, reason=reason, detail_zh=message_zh
        )
    state = "already accepted by you" if status == OfferStatus.ACCEPTED else "declined by you"
    raise OfferClosed(f"The offer was {state}.", errors={"offer_id": [f"is {status.value}"]})


def _legacy_reason(offer: Offer) -> str:
    """Offers revoked before reasons were stored: taken if someone else accepted."""
    accepted = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OFFER_TABLE)
        .where(
            OFFER_TABLE.c.question_id == offer.question_id,
            OFFER_TABLE.c.status == OfferStatus.ACCEPTED.value,
        )
    )
    return "taken" if accepted else "withdrawn"
