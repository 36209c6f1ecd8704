"""Offers and assignments: offering queued questions, claims, declines, expiries, withdrawal."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.companies.models import Company, Pool, PoolKind
from marketplace.database import utcnow
from marketplace.errors import Conflict
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import ExpertProfile
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.candidates import already_offered, available_experts
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.matching.ranking import Candidate, Ranked, rank, tier_at_least
from marketplace.matching.schemas import OfferSchema
from marketplace.matching.settings import MatchingSettings, Ring, settings_for
from marketplace.ops import metrics
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS

log = logging.getLogger(__name__)
SYSTEM = Actor.system("matching")
OPEN_FOR_OFFERS = frozenset({QS.QUEUED, QS.OFFERED})


class OfferClosed(Conflict):
    """The offer expired, was revoked or was already answered."""

    slug = "offer-closed"
    title = "Offer no longer open"


class AlreadyTaken(Conflict):
    """Another expert claimed the question first."""

    slug = "already-taken"
    title = "Already taken"


class AtCapacity(Conflict):
    """The expert holds as many questions as their capacity allows."""

    slug = "at-capacity"
    title = "At capacity"


def settings_of(question: Question) -> MatchingSettings:
    """The matching settings that apply to a question."""
    company = db.session.get(Company, question.company_id)
    pool = db.session.get(Pool, question.pool_id) if question.pool_id else None
    return settings_for(company, pool)


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


def drain(
    limit: int = 500, experts: Callable[[datetime], dict[uuid.UUID, Candidate]] | None = None
) -> int:
    """Offer queued questions, highest priority then oldest first; returns offers made.

    `experts` supplies the available experts (the engine passes a cache refreshed every few
    hundred ms; offers made here update it); by default they are loaded fresh.
    """
    now = utcnow()
    queued = db.session.scalars(
        sa.select(Question.id)
        .where(Question.status == QS.QUEUED)
        .order_by(Question.priority.desc(), Question.created_at, Question.id)
        .limit(limit)
    ).all()
    available = (experts or available_experts)(now) if queued else {}
    db.session.rollback()  # end the read transaction before the per-question writes
    made = 0
    for question_id in queued:
        if not any(c.has_room() for c in available.values()):
            break
        made += offer_next(question_id, available, now)
    return made


def offer_next(question_id: uuid.UUID, available: dict[uuid.UUID, Candidate], now: datetime) -> int:
    """Offer one question to the next expert(s) of its current ring; one transaction."""
    # SKIP LOCKED: another web process is offering this question right now; move on.
    question = db.session.scalars(
        sa.select(Question).where(Question.id == question_id).with_for_update(skip_locked=True)
    ).one_or_none()
    if question is None or question.status not in OPEN_FOR_OFFERS or _has_pending(question_id):
        db.session.rollback()
        return 0
    settings = settings_of(question)
    if question.ring >= len(settings.rings):
        db.session.rollback()
        return 0
    ring = settings.rings[question.ring]
    chosen = choose(question, ring, settings, available, now)
    if not chosen:
        db.session.rollback()
        return 0
    offers = _create_offers(question, chosen, settings, now)
    db.session.commit()
    for ranked in chosen:
        candidate = ranked.candidate
        candidate.load += 1
        candidate.offers_last_hour += 1
        candidate.last_offer_at = now
    return len(offers)


def choose(
    question: Question,
    ring: Ring,
    settings: MatchingSettings,
    available: dict[uuid.UUID, Candidate],
    now: datetime,
) -> list[Ranked]:
    """The experts to offer the question to in this round, best first."""
    offered = already_offered(question.id)
    pool_ids = _ring_pools(question, ring)
    language = question.language.split("-")[0]
    tags = question.tags
    eligible = [
        c
        for c in available.values()
        if c.expert_id not in offered
        and c.has_room()
        and language in c.languages
        and c.offers_last_hour < settings.hourly_offer_cap
        and any(p in c.pools and tier_at_least(c.pools[p][0], ring.min_tier) for p in pool_ids)
        and (not ring.require_tags or all(t in c.skills for t in tags))
    ]
    if not eligible:
        return []
    returning = _previous_answerer(question) if question.ring == 0 else None
    ranked = rank(eligible, question.pool_id, tags, now, settings.weights)
    for item in ranked:
        if item.candidate.expert_id == returning:
            return [Ranked(item.candidate, item.score, item.reasons | {"follow_up": "yes"})]
    return ranked[: settings.fanout(ring, question.offer_mode or settings.offer_mode)]


def _ring_pools(question: Question, ring: Ring) -> set[uuid.UUID]:
    if ring.pool == "staff":
        return set(
            db.session.scalars(
                sa.select(Pool.id).filter_by(company_id=question.company_id, kind=PoolKind.STAFF)
            )
        )
    return {question.pool_id} if question.pool_id else set()


def _previous_answerer(question: Question) -> uuid.UUID | None:
    """The expert who answered this customer's last question, if any (follow-ups go first)."""
    if not question.customer_ref:
        return None
    return db.session.scalars(
        sa.select(Assignment.expert_id)
        .join(Question, Question.id == Assignment.question_id)
        .where(
            Question.company_id == question.company_id,
            Question.customer_ref == question.customer_ref,
            Question.id != question.id,
            Assignment.status == AssignmentStatus.ANSWERED,
        )
        .order_by(Assignment.finished_at.desc())
        .limit(1)
    ).first()


def _create_offers(
    question: Question, chosen: list[Ranked], settings: MatchingSettings, now: datetime
) -> list[Offer]:
    expires = now + timedelta(seconds=settings.offer_timeout_seconds)
    offers = [
        Offer(
            question_id=question.id,
            expert_id=r.candidate.expert_id,
            status=OfferStatus.PENDING,
            ring=question.ring,
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
    db.session.execute(
        sa.update(ExpertProfile)
        .where(ExpertProfile.user_id.in_([o.expert_id for o in offers]))
        .values(last_offer_at=now)
    )
    db.session.flush()
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
    return offers


def _has_pending(question_id: uuid.UUID) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Offer)
            .where(Offer.question_id == question_id, Offer.status == OfferStatus.PENDING)
        )
        > 0
    )
