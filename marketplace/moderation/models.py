"""Audits of answers by moderators."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, UuidPk, enum_column, utcnow


class Verdict(StrEnum):
    """A moderator's decision on an answer."""

    APPROVE = "approve"
    APPROVE_WITH_EDIT = "approve_with_edit"
    REJECT = "reject"


class Audit(UuidPk, Base):
    """One moderator's verdict on one answer, with reasons."""

    __tablename__ = "audits"

    answer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True
    )
    moderator_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict))
    reasons: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
