"""Questions and their tags."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.companies.models import OfferMode
from marketplace.database import Base, Timestamps, UuidPk, enum_column


class Channel(StrEnum):
    """Where the customer asked."""

    WEB = "web"
    APP = "app"
    EMAIL = "email"
    WECHAT = "wechat"
    WEIBO = "weibo"
    PHONE = "phone"
    OTHER = "other"


class QuestionStatus(StrEnum):
    """The question's life cycle; `questions.states` holds the allowed transitions."""

    QUEUED = "queued"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    IN_REVIEW = "in_review"  # answered; the answer waits for a mandatory audit
    ANSWERED = "answered"
    RETURNED = "returned"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Question(UuidPk, Timestamps, Base):
    """One customer question from a company's overflow queue."""

    __tablename__ = "questions"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "external_id"),
        sa.CheckConstraint("reward_amount > 0", name="reward_positive"),
        sa.CheckConstraint("priority BETWEEN 0 AND 9", name="priority_range"),
        # The matching queue drains highest priority, then oldest, first.
        sa.Index("ix_questions_queue", "status", "priority", "created_at"),
        # Listing pages walk a company's ids newest first (a backward index scan).
        sa.Index("ix_questions_company_listing", "company_id", "id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT")
    )
    pool_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("pools.id", ondelete="RESTRICT"), index=True
    )
    external_id: Mapped[str] = mapped_column(sa.String(128))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    customer_ref: Mapped[str | None] = mapped_column(sa.String(128))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(16))
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=5)
    reward_amount: Mapped[int] = mapped_column(sa.BigInteger)
    reward_currency: Mapped[str] = mapped_column(sa.String(3))
    sla_deadline: Mapped[datetime]
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus), default=QuestionStatus.QUEUED
    )
    offer_mode: Mapped[OfferMode | None] = mapped_column(enum_column(OfferMode))
    # A hash of the posted content: a repeated external_id with other content is a conflict.
    content_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    is_gold: Mapped[bool] = mapped_column(default=False)
    status_changed_at: Mapped[datetime | None]
    # Escalation: which ring of the pool's escalation list the question is in, and until when.
    ring: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    ring_deadline: Mapped[datetime | None]
    # Reward raised by escalation (minor units added on top of reward_amount).
    reward_raise: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    answered_at: Mapped[datetime | None]

    tag_rows: Mapped[list[QuestionTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="QuestionTag.position"
    )

    @property
    def tags(self) -> list[str]:
        """The question's tags in the order they were posted."""
        return [row.tag for row in self.tag_rows]


class QuestionTag(Base):
    """A tag on a question; a table (not JSON) so filters and matching can use an index."""

    __tablename__ = "question_tags"

    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)


class GoldReference(Base):
    """The known answer of a gold question: reference texts, required terms, a pass threshold."""

    __tablename__ = "gold_references"

    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    references: Mapped[list[str]] = mapped_column()
    required_terms: Mapped[list[str]] = mapped_column(default=list)
    threshold: Mapped[float] = mapped_column(default=0.25)
