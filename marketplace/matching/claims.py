"""What happens to offers and assignments: accept (atomic claim), decline, expire, withdraw."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import Availability, ExpertConnection, ExpertProfile
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.matching.schemas import AssignmentSchema
from marketplace.matching.services import (
    SYSTEM,
    AlreadyTaken,
    AtCapacity,
    OfferClosed,
    settings_of,
)
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS
from marketplace.webhooks.services import notify_company

OFFER_TABLE = Offer.__table__
PROFILE = ExpertProfile.__table__


def accept_offer(expert_id: uuid.UUID, offer_id: uuid.UUID, actor: Actor) -> Assignment:
    """Claim the offered question. Only one caller can win; the others get a clear refusal."""
    now = utcnow()
    offer = _own_offer(expert_id, offer_id)
    _check_open(offer, now)
    question = offer.question
    try:
        moved = states.move_if(
            question.id, question.company_id, {QS.QUEUED, QS.OFFERED}, QS.ASSIGNED, actor
        )
        if moved is None:
            raise AlreadyTaken("Another expert took this question first.")
        claimed = db.session.execute(
            sa.update(OFFER_TABLE)
            .where(
                OFFER_TABLE.c.id == offer_id,
                OFFER_TABLE.c.status == OfferStatus.PENDING.value,
                OFFER_TABLE.c.expires_at > now,
            )
            .values(status=OfferStatus.ACCEPTED.value, responded_at=now)
        ).rowcount
        if not claimed:
            raise OfferClosed("The offer expired or was withdrawn.")
        if not _take_capacity(expert_id, (now - offer.created_at).total_seconds()):
            raise AtCapacity("You already hold as many questions as your capacity allows.")
        assignment = _create_assignment(offer, question, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyTaken("Another expert took this question first.") from None
    except Exception:
        db.session.rollback()
        raise
    return assignment


def _create_assignment(offer: Offer, question: Question, now: Any) -> Assignment:
    settings = settings_of(question)
    assignment = Assignment(
        question_id=question.id,
        expert_id=offer.expert_id,
        offer_id=offer.id,
        status=AssignmentStatus.ACTIVE,
        created_at=now,
        deadline=now + timedelta(minutes=settings.answer_minutes),
    )
    db.session.add(assignment)
    db.session.flush()
    revoked = _revoke_pending(question.id, now)
    record(
        Actor.user(offer.expert_id),
        "offer.accepted",
        "offer",
        offer.id,
        company_id=question.company_id,
    )
    record(
        SYSTEM,
        "assignment.created",
        "assignment",
        assignment.id,
        company_id=question.company_id,
        after={"expert_id": str(offer.expert_id), "deadline": assignment.deadline.isoformat()},
    )
    payload = AssignmentSchema().dump(assignment)
    after_commit(broadcast.to_expert, offer.expert_id, "assignment.created", payload)
    after_commit(engine.deadline_store().discard, f"offer:{offer.id}")
    after_commit(
        engine.deadline_store().add, f"assignment:{assignment.id}", assignment.deadline.timestamp()
    )
    notify_company(
        question.company_id,
        "question.assigned",
        {
            "question_id": str(question.id),
            "external_id": question.external_id,
            "assigned_at": now.isoformat(),
            "answer_deadline": assignment.deadline.isoformat(),
        },
    )
    _announce_revoked(revoked)
    return assignment


def decline_offer(expert_id: uuid.UUID, offer_id: uuid.UUID, actor: Actor) -> Offer:
    """Turn an offer down; the question moves on to the next expert at once."""
    now = utcnow()
    offer = _own_offer(expert_id, offer_id)
    _check_open(offer, now)
    closed = db.session.execute(
        sa.update(OFFER_TABLE)
        .where(OFFER_TABLE.c.id == offer_id, OFFER_TABLE.c.status == OfferStatus.PENDING.value)
        .values(status=OfferStatus.DECLINED.value, responded_at=now)
    ).rowcount
    if not closed:
        db.session.rollback()
        raise OfferClosed("The offer expired or was withdrawn.")
    db.session.execute(
        sa.update(PROFILE)
        .where(PROFILE.c.user_id == expert_id)
        .values(
            missed_offers_in_row=0, response_seconds=_ewma((now - offer.created_at).total_seconds())
        )
    )
    record(actor, "offer.declined", "offer", offer.id, company_id=offer.question.company_id)
    _requeue_if_idle(offer.question)
    after_commit(engine.deadline_store().discard, f"offer:{offer.id}")
    after_commit(engine.kick)
    db.session.commit()
    return offer


def expire_offer(offer_id: uuid.UUID) -> bool:
    """An offer's time ran out: count the miss, maybe set the expert away, move on."""
    now = utcnow()
    row = db.session.execute(
        sa.update(OFFER_TABLE)
        .where(
            OFFER_TABLE.c.id == offer_id,
            OFFER_TABLE.c.status == OfferStatus.PENDING.value,
            OFFER_TABLE.c.expires_at <= now,
        )
        .values(status=OfferStatus.EXPIRED.value, responded_at=now)
        .returning(OFFER_TABLE.c.expert_id, OFFER_TABLE.c.question_id)
    ).first()
    if row is None:
        db.session.rollback()
        return False
    expert_id, question_id = row
    question = db.session.get(Question, question_id)
    record(SYSTEM, "offer.expired", "offer", offer_id, company_id=question.company_id)
    missed = db.session.execute(
        sa.update(PROFILE)
        .where(PROFILE.c.user_id == expert_id)
        .values(missed_offers_in_row=PROFILE.c.missed_offers_in_row + 1)
        .returning(PROFILE.c.missed_offers_in_row, PROFILE.c.availability)
    ).first()
    if (
        missed
        and missed[0] >= settings_of(question).missed_offers_before_away
        and missed[1] == Availability.ONLINE.value
    ):
        _set_away(expert_id, missed[0])
    _requeue_if_idle(question)
    after_commit(
        broadcast.to_expert,
        expert_id,
        "offer.expired",
        {"offer_id": str(offer_id), "question_id": str(question_id)},
    )
    after_commit(engine.kick)
    db.session.commit()
    return True


def expire_assignment(assignment_id: uuid.UUID) -> bool:
    """The answer deadline passed: back to the queue, and it counts against the expert."""
    now = utcnow()
    table = Assignment.__table__
    row = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == assignment_id,
            table.c.status == AssignmentStatus.ACTIVE.value,
            table.c.deadline <= now,
        )
        .values(status=AssignmentStatus.EXPIRED.value, finished_at=now)
        .returning(table.c.expert_id, table.c.question_id)
    ).first()
    if row is None:
        db.session.rollback()
        return False
    expert_id, question_id = row
    question = db.session.get(Question, question_id)
    release_capacity(expert_id)
    record(
        SYSTEM,
        "assignment.expired",
        "assignment",
        assignment_id,
        company_id=question.company_id,
        after={"expert_id": str(expert_id)},
    )
    states.move_if(
        question_id,
        question.company_id,
        {QS.ASSIGNED},
        QS.QUEUED,
        SYSTEM,
        reason="answer deadline missed",
    )
    after_commit(
        broadcast.to_expert,
        expert_id,
        "assignment.expired",
        {"assignment_id": str(assignment_id), "question_id": str(question_id)},
    )
    after_commit(engine.kick)
    db.session.commit()
    return True


def withdraw_question(question_id: uuid.UUID, actor: Actor) -> None:
    """Revoke pending offers and release the active assignment (in the caller's transaction)."""
    now = utcnow()
    _announce_revoked(_revoke_pending(question_id, now))
    table = Assignment.__table__
    released = db.session.execute(
        sa.update(table)
        .where(table.c.question_id == question_id, table.c.status == AssignmentStatus.ACTIVE.value)
        .values(status=AssignmentStatus.RELEASED.value, finished_at=now)
        .returning(table.c.id, table.c.expert_id)
    ).all()
    for assignment_id, expert_id in released:
        release_capacity(expert_id)
        record(actor, "assignment.released", "assignment", assignment_id)
        after_commit(engine.deadline_store().discard, f"assignment:{assignment_id}")
        after_commit(
            broadcast.to_expert,
            expert_id,
            "assignment.revoked",
            {"assignment_id": str(assignment_id), "question_id": str(question_id)},
        )
    if released:
        after_commit(engine.kick)


def revoke_offers_of_expert(
    expert_id: uuid.UUID, reason: str, pool_ids: list[uuid.UUID] | None = None
) -> int:
    """Take back an expert's pending offers (only those of `pool_ids` if given) so their
    questions are re-routed (caller commits)."""
    now = utcnow()
    condition = sa.and_(
        OFFER_TABLE.c.expert_id == expert_id, OFFER_TABLE.c.status == OfferStatus.PENDING.value
    )
    if pool_ids is not None:
        in_pools = sa.select(Question.id).where(Question.pool_id.in_(pool_ids))
        condition = sa.and_(condition, OFFER_TABLE.c.question_id.in_(in_pools))
    revoked = db.session.execute(
        sa.update(OFFER_TABLE)
        .where(condition)
        .values(status=OfferStatus.REVOKED.value, responded_at=now)
        .returning(OFFER_TABLE.c.id, OFFER_TABLE.c.question_id)
    ).all()
    for offer_id, question_id in revoked:
        record(SYSTEM, "offer.revoked", "offer", offer_id, after={"reason": reason})
        _requeue_if_idle(db.session.get(Question, question_id))
        after_commit(engine.deadline_store().discard, f"offer:{offer_id}")
        after_commit(
            broadcast.to_expert,
            expert_id,
            "offer.revoked",
            {"offer_id": str(offer_id), "question_id": str(question_id), "reason": reason},
        )
    if revoked:
        after_commit(engine.kick)
    return len(revoked)


def release_capacity(expert_id: uuid.UUID) -> None:
    """One assignment fewer held by the expert (never below zero)."""
    db.session.execute(
        sa.update(PROFILE)
        .where(PROFILE.c.user_id == expert_id, PROFILE.c.active_assignments > 0)
        .values(active_assignments=PROFILE.c.active_assignments - 1)
    )


def pending_for_expert(expert_id: uuid.UUID) -> dict[str, Any]:
    """What a (re)connecting client must show: availability, open offers, assignments."""
    now = utcnow()
    profile = db.session.get(ExpertProfile, expert_id)
    offers = db.session.scalars(
        sa.select(Offer)
        .where(
            Offer.expert_id == expert_id,
            Offer.status == OfferStatus.PENDING,
            Offer.expires_at > now,
        )
        .order_by(Offer.created_at)
    ).all()
    assignments = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.expert_id == expert_id, Assignment.status == AssignmentStatus.ACTIVE)
        .order_by(Assignment.deadline)
    ).all()
    connected = (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(ExpertConnection).filter_by(expert_id=expert_id)
        )
        > 0
    )
    return {
        "availability": profile.availability.value if profile else "offline",
        "connected": connected,
        "offers": offers,
        "assignments": assignments,
    }


def _own_offer(expert_id: uuid.UUID, offer_id: uuid.UUID) -> Offer:
    offer = db.session.scalars(
        sa.select(Offer).filter_by(id=offer_id, expert_id=expert_id)
    ).one_or_none()
    if offer is None:
        db.session.rollback()
        raise NotFound("No such offer.")
    return offer


def _check_open(offer: Offer, now: Any) -> None:
    if offer.status == OfferStatus.PENDING and offer.expires_at > now:
        return
    db.session.rollback()
    if offer.status == OfferStatus.REVOKED and offer.question.status != QS.QUEUED:
        raise AlreadyTaken("Another expert took this question first.")
    state = "expired" if offer.status == OfferStatus.PENDING else offer.status.value
    raise OfferClosed(f"The offer is {state}.", errors={"offer_id": [f"is {state}"]})


def _take_capacity(expert_id: uuid.UUID, response_seconds: float) -> bool:
    return bool(
        db.session.execute(
            sa.update(PROFILE)
            .where(
                PROFILE.c.user_id == expert_id, PROFILE.c.active_assignments < PROFILE.c.capacity
            )
            .values(
                active_assignments=PROFILE.c.active_assignments + 1,
                missed_offers_in_row=0,
                response_seconds=_ewma(response_seconds),
            )
        ).rowcount
    )


def _ewma(seconds: float) -> Any:
    """Recent response speed: 70 % the previous average, 30 % this response."""
    current = PROFILE.c.response_seconds
    return sa.case((current.is_(None), seconds), else_=current * 0.7 + seconds * 0.3)


def _revoke_pending(question_id: uuid.UUID, now: Any) -> list[tuple[uuid.UUID, uuid.UUID]]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.update(OFFER_TABLE)
            .where(
                OFFER_TABLE.c.question_id == question_id,
                OFFER_TABLE.c.status == OfferStatus.PENDING.value,
            )
            .values(status=OfferStatus.REVOKED.value, responded_at=now)
            .returning(OFFER_TABLE.c.id, OFFER_TABLE.c.expert_id)
        ).all()
    ]


def _announce_revoked(revoked: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    for offer_id, expert_id in revoked:
        record(SYSTEM, "offer.revoked", "offer", offer_id)
        after_commit(engine.deadline_store().discard, f"offer:{offer_id}")
        after_commit(
            broadcast.to_expert,
            expert_id,
            "offer.revoked",
            {"offer_id": str(offer_id), "reason": "taken"},
        )


def _requeue_if_idle(question: Question) -> None:
    """An offered question with no pending offer left goes back to the queue."""
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Offer)
        .where(Offer.question_id == question.id, Offer.status == OfferStatus.PENDING)
    )
    if not pending:
        states.move_if(question.id, question.company_id, {QS.OFFERED}, QS.QUEUED, SYSTEM)


def _set_away(expert_id: uuid.UUID, missed: int) -> None:
    db.session.execute(
        sa.update(PROFILE)
        .where(PROFILE.c.user_id == expert_id)
        .values(availability=Availability.AWAY.value)
    )
    record(
        SYSTEM,
        "expert.away",
        "user",
        expert_id,
        before={"availability": "online"},
        after={"availability": "away", "missed_offers_in_row": missed},
    )
    after_commit(
        broadcast.to_expert,
        expert_id,
        "availability.changed",
        {"availability": "away", "reason": "missed_offers", "missed": missed},
    )
