"""Moderation: the audit queue, verdicts, disputes, sanctions, vetting and calibration."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, UuidPk, enum_column, utcnow


class Verdict(StrEnum):
    """A moderator's decision on an answer."""

    APPROVE = "approve"
    APPROVE_WITH_EDIT = "approve_with_edit"
    REJECT = "reject"


class RejectReason(StrEnum):
    """Why an answer was rejected (documented in docs/moderation.md)."""

    WRONG = "wrong"
    INCOMPLETE = "incomplete"
    RUDE = "rude"
    OFF_BRAND = "off_brand"
    PERSONAL_DATA = "personal_data"
    COPIED = "copied"
    SPAM = "spam"


class AuditReason(StrEnum):
    """Why an answer is in the audit queue."""

    PROBATION = "probation"
    SAMPLE = "sample"
    LOW_SCORE = "low_score"
    LOW_RATING = "low_rating"
    COMPLAINT = "complaint"
    GOLD = "gold"
    CALIBRATION = "calibration"


class ItemStatus(StrEnum):
    """An audit item is open, claimed by one moderator for a while, or decided."""

    OPEN = "open"
    CLAIMED = "claimed"
    DECIDED = "decided"


class AuditItem(UuidPk, Base):
    """An answer waiting for a moderator. `mandatory` items hold the answer back until decided."""

    __tablename__ = "audit_items"
    __table_args__ = (
        # One live item per answer (several reasons are merged into it).
        sa.Index(
            "uq_audit_items_one_live",
            "answer_id",
            unique=True,
            sqlite_where=sa.text("status != 'decided' AND calibration_for IS NULL"),
            postgresql_where=sa.text("status != 'decided' AND calibration_for IS NULL"),
        ),
        # The queue's order: priority, then the question's SLA deadline, then age (the id).
        sa.Index("ix_audit_items_queue", "company_id", "status", "priority", "sla_deadline"),
    )

    answer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True
    )
    pool_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("pools.id"), index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("companies.id"))
    reasons: Mapped[list[str]] = mapped_column(default=list)
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=5)
    # Probation or sample: the answer's outcome (and reward) waits for this verdict.
    mandatory: Mapped[bool] = mapped_column(default=False)
    # The question's SLA deadline, copied so the queue sorts by it without a join.
    sla_deadline: Mapped[datetime | None]
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus), default=ItemStatus.OPEN)
    claimed_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_until: Mapped[datetime | None]
    # Calibration copies: a known-verdict answer slipped in to measure one moderator.
    calibration_for: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    expected_verdict: Mapped[str | None] = mapped_column(sa.String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


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
    item_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("audit_items.id"))
    # Calibration audits measure the moderator and change nothing else.
    calibration: Mapped[bool] = mapped_column(default=False)
    matches_expected: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisputeStatus(StrEnum):
    """Open until a different moderator decides; the decision is final."""

    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Dispute(UuidPk, Base):
    """An expert's one appeal against a rejection."""

    __tablename__ = "disputes"

    answer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("answers.id", ondelete="CASCADE"), unique=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    note: Mapped[str] = mapped_column(sa.Text)
    rejected_by: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[DisputeStatus] = mapped_column(
        enum_column(DisputeStatus), default=DisputeStatus.OPEN
    )
    decided_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class SanctionKind(StrEnum):
    """From a warning to a ban."""

    WARN = "warn"
    SUSPEND = "suspend"
    REMOVE_FROM_POOL = "remove_from_pool"
    BAN = "ban"


class Sanction(UuidPk, Base):
    """A recorded action against an expert, visible to them, with who, why and when.

    Scope: `company_id` None with suspend or ban is platform-wide (platform admins and the
    automatic triggers); a company moderator's suspension keeps the expert out of that
    company's pools only; remove_from_pool names its pool."""

    __tablename__ = "sanctions"

    expert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    company_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("companies.id"))
    pool_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("pools.id"))
    kind: Mapped[SanctionKind] = mapped_column(enum_column(SanctionKind))
    reason: Mapped[str] = mapped_column(sa.Text)
    # Automatic sanctions explain themselves in Chinese too (a moderator writes one text).
    reason_zh: Mapped[str | None] = mapped_column(sa.Text)
    until: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    automatic: Mapped[bool] = mapped_column(default=False)
    trigger: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An automatic suspension is lifted when an appeal removes the rejection behind it.
    lifted_at: Mapped[datetime | None]
    lifted_reason: Mapped[str | None] = mapped_column(sa.String(200))


class ModeratorLink(Base):
    """A moderator who knows an expert (family, friend, colleague) must not audit them."""

    __tablename__ = "moderator_links"

    moderator_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")


class QualificationAttempt(UuidPk, Base):
    """A pool's qualification test taken by an applicant: gold questions, graded, reviewed."""

    __tablename__ = "qualification_attempts"

    membership_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("pool_memberships.id", ondelete="CASCADE"), index=True
    )
    question_ids: Mapped[list[str]] = mapped_column()
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    grades: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[float | None]
    submitted_at: Mapped[datetime | None]
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PoolInvite(UuidPk, Base):
    """A link inviting a known fan into an invite-only pool (the token is stored hashed)."""

    __tablename__ = "pool_invites"

    pool_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pools.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    expires_at: Mapped[datetime]
    used_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
