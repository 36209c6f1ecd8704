"""Answers and customer feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import Base, Timestamps, UuidPk, enum_column, utcnow

if TYPE_CHECKING:
    from marketplace.questions.models import Question


class AnswerStatus(StrEnum):
    """Held answers wait for a moderator; released ones are visible to the company."""

    SUBMITTED = "submitted"
    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"


class Outcome(StrEnum):
    """Whether the answer counts as good (paid, reputation up) or bad; decided once, changed
    only by a moderator's verdict or a dispute."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Answer(UuidPk, Timestamps, Base):
    """The expert's answer to an assignment (sanitised text)."""

    __tablename__ = "answers"
    __table_args__ = (
        sa.UniqueConstraint("expert_id", "idempotency_key"),
        # Copy checks read a company's most recent answers.
        sa.Index("ix_answers_company_recent", "company_id", "created_at"),
    )

    assignment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("assignments.id", ondelete="CASCADE"), unique=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    # The question's company, kept on the answer so tenant queries need no join.
    company_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("companies.id"))
    expert_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    idempotency_key: Mapped[str] = mapped_column(sa.String(64))
    body: Mapped[str] = mapped_column(sa.Text)
    # A moderator's "approve with edit" text; the company sees it, the original is kept.
    edited_body: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[AnswerStatus] = mapped_column(
        enum_column(AnswerStatus), default=AnswerStatus.SUBMITTED
    )
    score: Mapped[float | None]
    score_confidence: Mapped[float | None]
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    released_at: Mapped[datetime | None]
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), default=Outcome.PENDING)
    decided_at: Mapped[datetime | None]
    # Gold questions only: did the answer match the known answer?
    gold_passed: Mapped[bool | None]
    # A moderator has yet to audit it: the company sees `audit: {"pending": true}` (moderation).
    audit_pending: Mapped[bool] = mapped_column(default=False)
    # Peer reviewers' consensus (Dawid-Skene posterior that the answer is good).
    peer_good_probability: Mapped[float | None]

    question: Mapped[Question] = relationship(lazy="joined", innerjoin=True, viewonly=True)


class Feedback(UuidPk, Base):
    """The customer's verdict on an answered question, relayed by the company."""

    __tablename__ = "feedback"
    __table_args__ = (sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    resolved: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PeerReview(UuidPk, Base):
    """Another expert's grade (1-5) of an answer in a pool they belong to."""

    __tablename__ = "peer_reviews"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "reviewer_id"),
        sa.CheckConstraint("grade BETWEEN 1 AND 5", name="grade_range"),
    )

    answer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    grade: Mapped[int] = mapped_column(sa.SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
