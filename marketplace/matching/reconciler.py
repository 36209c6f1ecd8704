"""Find and re-drive anything stuck: missed deadlines, lost timers, questions nobody drained."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from marketplace.database import utcnow
from marketplace.experts import presence
from marketplace.extensions import db
from marketplace.matching import claims, escalation, services
from marketplace.matching.engine import deadline_store
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS

log = logging.getLogger(__name__)
SLACK = timedelta(seconds=2)  # leave deadlines the engines are about to fire alone


def reconcile() -> dict[str, int]:
    """Fire whatever is overdue, re-arm every live timer (a restarted Redis forgets), drain."""
    now = utcnow()
    done = {
        "offers_expired": _each(
            sa.select(Offer.id).where(
                Offer.status == OfferStatus.PENDING, Offer.expires_at < now - SLACK
            ),
            claims.expire_offer,
        ),
        "assignments_expired": _each(
            sa.select(Assignment.id).where(
                Assignment.status == AssignmentStatus.ACTIVE, Assignment.deadline < now - SLACK
            ),
            claims.expire_assignment,
        ),
        "questions_expired": _each(
            sa.select(Question.id).where(
                Question.status.in_([QS.QUEUED, QS.OFFERED, QS.ASSIGNED]),
                Question.sla_deadline < now - SLACK,
            ),
            escalation.sla_due,
        ),
        "rings_advanced": _each(
            sa.select(Question.id).where(
                Question.status.in_([QS.QUEUED, QS.OFFERED]), Question.ring_deadline < now - SLACK
            ),
            escalation.ring_due,
        ),
        # Only experts whose last connection ended more than the grace period ago lose
        # their offers; a phone that blipped keeps them (presence.grace_over re-checks).
        "experts_dropped": _each(presence.past_grace_with_offers(), presence.grace_over),
    }
    done["timers_rearmed"] = _rearm()
    done["offers_made"] = services.drain()
    if any(done.values()):
        log.info("reconciled: %s", done)
    return done


def _each(query: sa.Select, handler) -> int:  # type: ignore[no-untyped-def]
    ids = list(db.session.scalars(query.limit(1000)))
    db.session.rollback()
    return sum(1 for item in ids if handler(item))


def _rearm() -> int:
    """Arm again every deadline the database knows (idempotent)."""
    store = deadline_store()
    count = 0
    for offer_id, at in db.session.execute(
        sa.select(Offer.id, Offer.expires_at).where(Offer.status == OfferStatus.PENDING)
    ):
        store.add(f"offer:{offer_id}", at.timestamp())
        count += 1
    for assignment_id, at in db.session.execute(
        sa.select(Assignment.id, Assignment.deadline).where(
            Assignment.status == AssignmentStatus.ACTIVE
        )
    ):
        store.add(f"assignment:{assignment_id}", at.timestamp())
        count += 1
    for question in db.session.scalars(
        sa.select(Question).where(Question.status.in_([QS.QUEUED, QS.OFFERED, QS.ASSIGNED]))
    ):
        settings = services.settings_of(question)
        services.arm_question_timers(
            question.id,
            question.ring_deadline or question.sla_deadline,
            services.return_at(question, settings),
            question.sla_deadline,
        )
        count += 3
    db.session.rollback()
    return count
