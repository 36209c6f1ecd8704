"""Offers and assignments: offering queued questions, claims, declines, expiries, withdrawal."""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.companies.models import Pool, PoolKind
from marketplace.database import new_id, utcnow
from marketplace.errors import Conflict
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import ExpertProfile
from marketplace.extensions import db, socketio
from marketplace.matching import engine
from marketplace.matching.candidates import Roster, available_experts
from marketplace.matching.models import Assignment, Offer, OfferStatus
from marketplace.matching.ranking import Ranked
from marketplace.matching.routing import DrainCache, Queued, choose, plan, settings_of
from marketplace.matching.schemas import OfferSchema
from marketplace.matching.settings import MatchingSettings
from marketplace.ops import metrics
from marketplace.questions import states
from marketplace.questions.models import Question, QuestionTag
from marketplace.questions.models import QuestionStatus as QS

log = logging.getLogger(__name__)
SYSTEM = Actor.system("matching")
OPEN_FOR_OFFERS = frozenset({QS.QUEUED, QS.OFFERED})


class OfferClosed(Conflict):
    """The expert already accepted or declined the offer."""

    slug = "offer-closed"
    title = "Offer no longer open"


class AlreadyTaken(Conflict):
    """Another expert claimed the question first."""

    slug = "already-taken"
    title = "Already taken"


class OfferExpired(OfferClosed):
    """The offer's time ran out before the expert answered it."""

    slug = "offer-expired"
    title = "Offer expired"


class OfferWithdrawn(OfferClosed):
    """The offer was taken back for another reason than a rival's claim (`reason` says why)."""

    slug = "offer-withdrawn"
    title = "Offer withdrawn"


class AtCapacity(Conflict):
    """The expert holds as many questions as their capacity allows."""

    slug = "at-capacity"
    title = "At capacity"


def question_posted(question: Question) -> None:
    """Enter ring 0 and arm the question's timers (in the caller's transaction)."""
    settings = settings_of(question)
    now = utcnow()
    question.ring = 0
    question.ring_deadline = min(
        now + timedelta(seconds=settings.rings[0].seconds), return_at(question, settings)
    )
    after_commit(
        arm_question_timers,
        question.id,
        question.ring_deadline,
        return_at(question, settings),
        question.sla_deadline,
    )
    after_commit(engine.kick)


def return_at(question: Question, settings: MatchingSettings) -> datetime:
    """When an unclaimed question goes back to the company, before its SLA is blown."""
    return question.sla_deadline - timedelta(seconds=settings.return_margin_seconds)


def arm_question_timers(
    question_id: uuid.UUID, ring_deadline: datetime, returns_at: datetime, sla: datetime
) -> None:
    """Arm the ring, return and SLA deadlines of a question."""
    store = engine.deadline_store()
    store.add(f"ring:{question_id}", ring_deadline.timestamp())
    store.add(f"return:{question_id}", returns_at.timestamp())
    store.add(f"sla:{question_id}", sla.timestamp())


def release_capacity(expert_id: uuid.UUID) -> None:
    """One assignment fewer held by the expert (never below zero)."""
    db.session.execute(
        sa.update(ExpertProfile.__table__)
        .where(ExpertProfile.user_id == expert_id, ExpertProfile.active_assignments > 0)
        .values(active_assignments=ExpertProfile.active_assignments - 1)
    )


def offered_through_staff(assignment_id: uuid.UUID) -> bool:
    """Whether an assignment came through a staff ring or belongs to a staff pool's question
    (its answer is not paid through the ledger, whatever pools the expert is also in)."""
    row = db.session.execute(
        sa.select(Offer.pool_kind, Pool.kind)
        .join(Assignment, Assignment.offer_id == Offer.id)
        .join(Question, Question.id == Assignment.question_id)
        .outerjoin(Pool, Pool.id == Question.pool_id)
        .where(Assignment.id == assignment_id)
    ).first()
    return row is not None and PoolKind.STAFF in row


def drain(
    limit: int = 5000,
    roster_of: Callable[[datetime], Roster] | None = None,
    page_size: int = 500,
    budget_seconds: float | None = None,
) -> int:
    """Offer queued questions, highest priority then oldest first; returns offers made.

    The queue is read page by page (up to `limit` questions). A question nobody available can
    take is passed over in memory (no query, no lock), so questions nobody can take never block
    newer ones. `roster_of` supplies the available experts (the engine passes a cache refreshed
    every few hundred ms; offers made here update it); by default they are loaded fresh. With
    `budget_seconds` the drain stops after about that long (the engine fires due deadlines
    and drains again, so a long queue never holds offer expiries back).
    """
    now = utcnow()
    page = _queued_page(None, min(page_size, limit))
    if not page:
        db.session.rollback()
        return 0
    roster = roster_of(now) if roster_of else Roster(available_experts(now))
    db.session.rollback()  # end the read transaction before the per-question writes
    cache, made, seen = DrainCache(), 0, 0
    stop_at = time.monotonic() + budget_seconds if budget_seconds else None
    while page and roster.room_left():
        offered = _offered_to(q.id for q in page)
        for queued in page:
            made += _offer_if_possible(queued, roster, cache, offered[queued.id], now)
            if made and not roster.room_left():
                break
            # Ranking is CPU work; under gevent, let requests (which may hold row locks)
            # run between questions instead of stalling the whole process for the drain.
            socketio.sleep(0)
            if stop_at is not None and time.monotonic() > stop_at:
                return made
        seen += len(page)
        last = page[-1]
        page = _queued_page(last, min(page_size, limit - seen)) if seen < limit else []
        db.session.rollback()
    return made


def _offer_if_possible(
    queued: Queued, roster: Roster, cache: DrainCache, offered: set[uuid.UUID], now: datetime
) -> int:
    """Offer one queued question if someone available fits it; a failure skips only it."""
    try:
        settings = cache.settings(queued)
        if settings is None or not plan(queued, settings, roster, offered, cache, probe=True)[1]:
            return 0
        return offer_next(queued.id, roster, now, cache)
    except Exception:
        log.exception("offering question %s failed; the next drain tries again", queued.id)
        db.session.rollback()
        return 0


def _queued_page(after: Queued | None, size: int) -> list[Queued]:
    """The next `size` queued questions in drain order, after `after` (keyset paging)."""
    query = sa.select(
        Question.id,
        Question.company_id,
        Question.pool_id,
        Question.language,
        Question.ring,
        Question.offer_mode,
        Question.customer_ref,
        Question.priority,
        Question.created_at,
    ).where(Question.status == QS.QUEUED)
    if after is not None:
        query = query.where(
            sa.or_(
                Question.priority < after.priority,
                sa.and_(
                    Question.priority == after.priority,
                    sa.or_(
                        Question.created_at > after.created_at,
                        sa.and_(Question.created_at == after.created_at, Question.id > after.id),
                    ),
                ),
            )
        )
    rows = db.session.execute(
        query.order_by(Question.priority.desc(), Question.created_at, Question.id).limit(size)
    ).all()
    page = [Queued(*row) for row in rows]
    by_id = {q.id: q for q in page}
    if by_id:
        for question_id, tag in db.session.execute(
            sa.select(QuestionTag.question_id, QuestionTag.tag)
            .where(QuestionTag.question_id.in_(by_id))
            .order_by(QuestionTag.position)
        ):
            by_id[question_id].tags.append(tag)
    return page


def _offered_to(question_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Experts each question was offered to before (declines and timeouts stay out)."""
    offered: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    ids = list(question_ids)
    for question_id, expert_id in db.session.execute(
        sa.select(Offer.question_id, Offer.expert_id).where(Offer.question_id.in_(ids))
    ):
        offered[question_id].add(expert_id)
    return offered


def offer_next(question_id: uuid.UUID, roster: Roster, now: datetime, cache: DrainCache) -> int:
    """Offer one question to the next expert(s) of its current ring; one transaction.

    `now` (the drain's start) is for ranking; the offer's own clock starts when it is made, or
    a long drain would hand its last offers a shorter time to answer."""
    # SKIP LOCKED: another web process is offering this question right now; move on.
    question = db.session.scalars(
        sa.select(Question).where(Question.id == question_id).with_for_update(skip_locked=True)
    ).one_or_none()
    if question is None or question.status not in OPEN_FOR_OFFERS:
        db.session.rollback()
        return 0
    pending, offered = _offers_so_far(question_id)
    settings = cache.settings(question)
    if pending or settings is None:
        db.session.rollback()
        return 0
    index, chosen = choose(question, settings, roster, now, offered, cache)
    if not chosen:
        db.session.rollback()
        return 0
    if index != question.ring:
        enter_ring(question, index, settings, "no free expert meets the ring's tier floor")
    ring = settings.rings[index]
    kind = PoolKind.STAFF if ring.pool == "staff" else cache.pool_kind(question.pool_id)
    made_at = utcnow()
    offers = _create_offers(question, chosen, settings, made_at, kind)
    db.session.commit()
    for ranked in chosen:
        roster.note_offer(ranked.candidate, made_at)
    return len(offers)


def enter_ring(question: Question, index: int, settings: MatchingSettings, why: str) -> None:
    """Move a (locked) question to ring `index` and arm its deadline (caller's transaction)."""
    ring = settings.rings[index]
    before = question.ring
    question.ring = index
    question.ring_deadline = min(
        utcnow() + timedelta(seconds=ring.seconds), return_at(question, settings)
    )
    record(
        SYSTEM,
        "question.escalated",
        "question",
        question.id,
        company_id=question.company_id,
        before={"ring": before},
        after={
            "ring": index,
            "ring_name": ring.name,
            "reason": why,
            "reward_raise": question.reward_raise,
        },
    )
    after_commit(
        engine.deadline_store().add, f"ring:{question.id}", question.ring_deadline.timestamp()
    )
    after_commit(engine.kick)


def _create_offers(
    question: Question,
    chosen: list[Ranked],
    settings: MatchingSettings,
    now: datetime,
    pool_kind: PoolKind,
) -> list[Offer]:
    expires = now + timedelta(seconds=settings.offer_timeout_seconds)
    # Ids and the question are set here, so the payloads and timers need no flush: the rows
    # and their events are written in one go by the autoflush of the UPDATE below.
    offers = [
        Offer(
            id=new_id(),
            question_id=question.id,
            question=question,
            expert_id=r.candidate.expert_id,
            status=OfferStatus.PENDING,
            ring=question.ring,
            pool_kind=pool_kind,
            rank=i,
            score=r.score,
            reasons=r.reasons,
            created_at=now,
            expires_at=expires,
        )
        for i, r in enumerate(chosen)
    ]
    db.session.add_all(offers)
    if question.status == QS.QUEUED:
        after_commit(metrics.observe_offer_latency, question.status_changed_at)
        states.move(question, QS.OFFERED, SYSTEM)
    for offer in offers:
        record(
            SYSTEM,
            "offer.created",
            "offer",
            offer.id,
            company_id=question.company_id,
            after={"expert_id": str(offer.expert_id), "ring": offer.ring, "reasons": offer.reasons},
        )
        payload = OfferSchema().dump(offer)
        after_commit(broadcast.to_expert, offer.expert_id, "offer.created", payload)
        after_commit(engine.deadline_store().add, f"offer:{offer.id}", expires.timestamp())
    db.session.execute(
        sa.update(ExpertProfile)
        .where(ExpertProfile.user_id.in_([o.expert_id for o in offers]))
        .values(last_offer_at=now)
    )
    return offers


def _offers_so_far(question_id: uuid.UUID) -> tuple[bool, set[uuid.UUID]]:
    """Whether the question has an offer pending, and every expert it was offered to before
    (declined or timed out stay out), in one query."""
    pending, offered = False, set()
    for expert_id, status in db.session.execute(
        sa.select(Offer.expert_id, Offer.status).where(Offer.question_id == question_id)
    ):
        pending = pending or status == OfferStatus.PENDING
        offered.add(expert_id)
    return pending, offered
