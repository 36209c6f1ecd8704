"""What happens to offers and assignments: accept (atomic claim), decline, expire.

Every function here locks the question row before it touches an offer or an assignment (see
marketplace/matching/revocation.py for the lock order), so claims and expiries cannot deadlock.
"""

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
from marketplace.matching.revocation import (
    announce_revoked,
    lock_questions,
    refuse_closed,
    requeue_if_idle,
    revoke_offers_of_expert,
    revoke_pending,
    withdraw_question,
)
from marketplace.matching.schemas import AssignmentSchema
from marketplace.matching.services import (
    SYSTEM,
    AlreadyTaken,
    AtCapacity,
    OfferClosed,
    OfferExpired,
    OfferWithdrawn,
    release_capacity,
    settings_of,
)
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS
from marketplace.queue import JobOptions, enqueue
from marketplace.webhooks.services import notify_company

OFFER_TABLE = Offer.__table__
ASSIGNMENT_TABLE = Assignment.__table__
PROFILE = ExpertProfile.__table__

__all__ = [
    "AlreadyTaken",
    "AtCapacity",
    "OfferClosed",
    "OfferExpired",
    "OfferWithdrawn",
    "accept_offer",
    "decline_offer",
    "expire_assignment",
    "expire_offer",
    "pending_for_expert",
    "release_capacity",
    "revoke_offers_of_expert",
    "withdraw_question",
]


class _Lost(Exception):
    """The conditional update found the question or offer changed: say why, precisely."""


def accept_offer(expert_id: uuid.UUID, offer_id: uuid.UUID, actor: Actor) -> Assignment:
    """Claim the offered question. Only one caller can win; the others get a clear refusal."""
    now = utcnow()
    offer = _own_offer(expert_id, offer_id)
    refuse_closed(offer, now)
    question = offer.question
    try:
        # The question's row lock comes first (move_if), then the offer.
        moved = states.move_if(
            question.id, question.company_id, {QS.QUEUED, QS.OFFERED}, QS.ASSIGNED, actor
        )
        if moved is None or not _claim(offer_id, now):
            raise _Lost
        if not _take_capacity(expert_id, (now - offer.created_at).total_seconds()):
            raise AtCapacity("You already hold as many questions as your capacity allows.")
        assignment = _create_assignment(offer, question, now)
        db.session.commit()
    except _Lost:
        db.session.rollback()
        _refuse_after_race(expert_id, offer_id)
        raise AlreadyTaken("Another expert took this question first.") from None
    except IntegrityError:
        db.session.rollback()
        raise AlreadyTaken("Another expert took this question first.") from None
    except Exception:
        db.session.rollback()
        raise
    return assignment


def _claim(offer_id: uuid.UUID, now: Any) -> bool:
    return bool(
        db.session.execute(
            sa.update(OFFER_TABLE)
            .where(
                OFFER_TABLE.c.id == offer_id,
                OFFER_TABLE.c.status == OfferStatus.PENDING.value,
                OFFER_TABLE.c.expires_at > now,
            )
            .values(status=OfferStatus.ACCEPTED.value, responded_at=now)
        ).rowcount
    )


def _refuse_after_race(expert_id: uuid.UUID, offer_id: uuid.UUID) -> None:
    """Someone changed the offer or its question meanwhile: re-read and refuse accurately."""
    offer = db.session.scalars(
        sa.select(Offer)
        .filter_by(id=offer_id, expert_id=expert_id)
        .execution_options(populate_existing=True)
    ).one()
    refuse_closed(offer, utcnow())
    db.session.rollback()


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
    revoked = revoke_pending(question.id, "taken", now)
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
    announce_revoked(revoked, question.id, "taken", question.company_id)
    return assignment


def decline_offer(expert_id: uuid.UUID, offer_id: uuid.UUID, actor: Actor) -> Offer:
    """Turn an offer down; the question moves on to the next expert at once."""
    now = utcnow()
    offer = _own_offer(expert_id, offer_id)
    refuse_closed(offer, now)
    lock_questions([offer.question_id])
    closed = db.session.execute(
        sa.update(OFFER_TABLE)
        .where(OFFER_TABLE.c.id == offer_id, OFFER_TABLE.c.status == OfferStatus.PENDING.value)
        .values(status=OfferStatus.DECLINED.value, responded_at=now)
    ).rowcount
    if not closed:
        db.session.rollback()
        _refuse_after_race(expert_id, offer_id)
        raise OfferClosed("The offer is no longer open.")
    db.session.execute(
        sa.update(PROFILE)
        .where(PROFILE.c.user_id == expert_id)
        .values(
            missed_offers_in_row=0, response_seconds=_ewma((now - offer.created_at).total_seconds())
        )
    )
    record(actor, "offer.declined", "offer", offer.id, company_id=offer.question.company_id)
    requeue_if_idle(offer.question)
    after_commit(engine.deadline_store().discard, f"offer:{offer.id}")
    after_commit(engine.kick)
    db.session.commit()
    return offer


def expire_offer(offer_id: uuid.UUID) -> bool:
    """An offer's time ran out: count the miss, maybe set the expert away, move on."""
    now = utcnow()
    due = OFFER_TABLE.c.status == OfferStatus.PENDING.value, OFFER_TABLE.c.expires_at <= now
    question_id = db.session.scalar(
        sa.select(OFFER_TABLE.c.question_id).where(OFFER_TABLE.c.id == offer_id, *due)
    )
    if question_id is None:
        db.session.rollback()
        return False
    lock_questions([question_id])
    expert_id = db.session.scalar(
        sa.update(OFFER_TABLE)
        .where(OFFER_TABLE.c.id == offer_id, *due)
        .values(status=OfferStatus.EXPIRED.value, responded_at=now)
        .returning(OFFER_TABLE.c.expert_id)
    )
    if expert_id is None:  # accepted or revoked while we waited for the lock
        db.session.rollback()
        return False
    question = db.session.get(Question, question_id)
    record(SYSTEM, "offer.expired", "offer", offer_id, company_id=question.company_id)
    _count_miss(expert_id, settings_of(question).missed_offers_before_away)
    requeue_if_idle(question)
    after_commit(
        broadcast.to_expert,
        expert_id,
        "offer.expired",
        {"offer_id": str(offer_id), "question_id": str(question_id)},
    )
    after_commit(engine.kick)
    db.session.commit()
    return True


def _count_miss(expert_id: uuid.UUID, before_away: int) -> None:
    missed = db.session.execute(
        sa.update(PROFILE)
        .where(PROFILE.c.user_id == expert_id)
        .values(missed_offers_in_row=PROFILE.c.missed_offers_in_row + 1)
        .returning(PROFILE.c.missed_offers_in_row, PROFILE.c.availability)
    ).first()
    if missed and missed[0] >= before_away and missed[1] == Availability.ONLINE.value:
        _set_away(expert_id, missed[0])


def expire_assignment(assignment_id: uuid.UUID) -> bool:
    """The answer deadline passed: back to the queue, and it counts against the expert at once
    (the reputation recompute is queued after the commit)."""
    now = utcnow()
    due = (
        ASSIGNMENT_TABLE.c.status == AssignmentStatus.ACTIVE.value,
        ASSIGNMENT_TABLE.c.deadline <= now,
    )
    question_id = db.session.scalar(
        sa.select(ASSIGNMENT_TABLE.c.question_id).where(
            ASSIGNMENT_TABLE.c.id == assignment_id, *due
        )
    )
    if question_id is None:
        db.session.rollback()
        return False
    lock_questions([question_id])
    expert_id = db.session.scalar(
        sa.update(ASSIGNMENT_TABLE)
        .where(ASSIGNMENT_TABLE.c.id == assignment_id, *due)
        .values(status=AssignmentStatus.EXPIRED.value, finished_at=now)
        .returning(ASSIGNMENT_TABLE.c.expert_id)
    )
    if expert_id is None:  # answered or released while we waited for the lock
        db.session.rollback()
        return False
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
    after_commit(
        enqueue,
        "workers.scoring.recompute_reputation",
        str(expert_id),
        job_id=f"reputation-{expert_id}-missed-{assignment_id}",
        options=JobOptions(queue="low", retry_delays=(10, 60)),
    )
    after_commit(engine.kick)
    db.session.commit()
    return True


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
        raise NotFound("No such offer.", errors={"offer_id": ["No such offer of yours."]})
    return offer


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
