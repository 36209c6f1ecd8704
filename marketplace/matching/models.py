"""Offers made to experts and the assignments they turn into."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.companies.models import PoolKind
from marketplace.database import Base, UuidPk, enum_column, utcnow

if TYPE_CHECKING:
    from marketplace.questions.models import Question


class OfferStatus(StrEnum):
    """An offer is pending until accepted, declined, expired or revoked."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    REVOKED = "revoked"
    # Accepted, but a moderator rejected the answer and the question was offered again.
    SUPERSEDED = "superseded"


class AssignmentStatus(StrEnum):
    """An assignment is active until answered, expired (deadline missed) or released."""

    ACTIVE = "active"
    ANSWERED = "answered"
    EXPIRED = "expired"
    RELEASED = "released"
    # Answered, but a moderator rejected the answer and the question was offered again.
    REJECTED = "rejected"


class Offer(UuidPk, Base):
    """A question offered to one expert, with why the expert was chosen."""

    __tablename__ = "offers"
    __table_args__ = (
        # An expert is never offered the same question twice (declined or timed out stays out).
        sa.UniqueConstraint("question_id", "expert_id"),
        # At most one accepted offer per question: the database decides who won a race.
        sa.Index(
            "uq_offers_one_accepted",
            "question_id",
            unique=True,
            sqlite_where=sa.text("status = 'accepted'"),
            postgresql_where=sa.text("status = 'accepted'"),
        ),
        sa.Index("ix_offers_expert_status", "expert_id", "status"),
    )

    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[OfferStatus] = mapped_column(
        enum_column(OfferStatus), default=OfferStatus.PENDING
    )
    ring: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # The kind of pool the expert was offered the question through (a crowd ring or the staff
    # ring): staff answers are not paid through the ledger, whatever pools the expert is in.
    pool_kind: Mapped[PoolKind] = mapped_column(
        enum_column(PoolKind), default=PoolKind.CROWD, server_default=PoolKind.CROWD.value
    )
    rank: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    score: Mapped[float] = mapped_column(default=0.0)
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    # Why a revoked offer was taken back (claims.REVOKE_REASONS), so a late accept is told.
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(32))

    question: Mapped[Question] = relationship(lazy="joined", innerjoin=True)


class Assignment(UuidPk, Base):
    """A question claimed by one expert, with its own answer deadline."""

    __tablename__ = "assignments"
    __table_args__ = (
        sa.Index(
            "uq_assignments_one_live",
            "question_id",
            unique=True,
            sqlite_where=sa.text("status IN ('active', 'answered')"),
            postgresql_where=sa.text("status IN ('active', 'answered')"),
        ),
        sa.Index("ix_assignments_expert_status", "expert_id", "status"),
    )

    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    offer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("offers.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus), default=AssignmentStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    question: Mapped[Question] = relationship(lazy="joined", innerjoin=True)
