"""Offers and assignments: withdrawing them when a question leaves the marketplace."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from marketplace.database import utcnow
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus


def withdraw_question(question_id: uuid.UUID, actor: Actor) -> None:
    """Revoke pending offers and release the active assignment (in the caller's transaction)."""
    now = utcnow()
    revoked = (
        db.session.execute(
            sa.update(Offer)
            .where(Offer.question_id == question_id, Offer.status == OfferStatus.PENDING)
            .values(status=OfferStatus.REVOKED, responded_at=now)
            .returning(Offer.id)
        )
        .scalars()
        .all()
    )
    released = (
        db.session.execute(
            sa.update(Assignment)
            .where(
                Assignment.question_id == question_id, Assignment.status == AssignmentStatus.ACTIVE
            )
            .values(status=AssignmentStatus.RELEASED, finished_at=now)
            .returning(Assignment.id)
        )
        .scalars()
        .all()
    )
    for offer_id in revoked:
        record(actor, "offer.revoked", "offer", offer_id)
    for assignment_id in released:
        record(actor, "assignment.released", "assignment", assignment_id)
