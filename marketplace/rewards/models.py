"""The double-entry ledger (accounts, transactions, entries), rewards and payout batches."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, BigIntPk, UuidPk, enum_column, utcnow


class AccountKind(StrEnum):
    """What an account holds. Every transaction moves money between accounts and sums to zero."""

    COMPANY_BUDGET = "company_budget"  # prepaid money a company can still commit
    COMPANY_HOLDS = "company_holds"  # committed to open questions, not yet spent
    EXPERT_EARNINGS = "expert_earnings"  # credited to an expert, not yet paid out
    EXPERT_PAID_OUT = "expert_paid_out"  # paid out to the expert's bank or wallet
    PLATFORM_FEES = "platform_fees"  # the marketplace's cut
    TOP_UPS = "top_ups"  # money from outside; its balance is minus what came in
    PAYOUTS_IN_FLIGHT = "payouts_in_flight"  # in a payout batch, bank transfer not confirmed
    # Reversed rewards the expert had already been paid out: a negative balance is owed back
    # and is recovered from the expert's next payout.
    EXPERT_RECEIVABLE = "expert_receivable"


class LedgerAccount(Base):
    """One account per kind, owner and currency. `balance` caches the sum of its entries."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (sa.UniqueConstraint("kind", "owner", "currency"),)

    id: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    # "company:<uuid>", "expert:<uuid>" or "platform": a string so the unique key has no NULLs.
    owner: Mapped[str] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    balance: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerTransaction(Base):
    """A balanced group of entries; the idempotency key makes every money move happen once."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        sa.Index("ix_ledger_transactions_reference", "reference_type", "reference_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    reference_type: Mapped[str] = mapped_column(sa.String(40))
    reference_id: Mapped[str] = mapped_column(sa.String(64))
    memo: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerEntry(Base):
    """An immutable signed amount in minor units on one account."""

    __tablename__ = "ledger_entries"
    __table_args__ = (sa.CheckConstraint("amount <> 0", name="amount_nonzero"),)

    id: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ledger_accounts.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RewardStatus(StrEnum):
    """pending -> settled (captured) -> reversed (dispute); void: nothing to pay."""

    PENDING = "pending"
    SETTLED = "settled"
    REVERSED = "reversed"
    VOID = "void"


LIVE_REWARD_STATUSES = (RewardStatus.PENDING, RewardStatus.SETTLED)


class Reward(UuidPk, Base):
    """What one accepted answer earns: the breakdown, and the ledger transactions that paid it.

    Multipliers are stored in basis points (10000 = x1.0). `charge` = payout + fee is what the
    company pays. A reinstated answer gets a new row with the next `generation`; at most one
    row per answer is live (pending or settled).
    """

    __tablename__ = "rewards"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "generation"),
        sa.Index(
            "uq_rewards_one_live_per_answer",
            "answer_id",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'settled')"),
            postgresql_where=sa.text("status IN ('pending', 'settled')"),
        ),
        # Settlement drains pending rewards oldest first.
        sa.Index("ix_rewards_status_created", "status", "created_at"),
        sa.Index("ix_rewards_expert_listing", "expert_id", "id"),
        sa.Index("ix_rewards_company_settled", "company_id", "settled_at"),
        sa.CheckConstraint("base_amount > 0", name="base_positive"),
        sa.CheckConstraint("payout >= 0 AND fee >= 0", name="amounts_non_negative"),
        sa.CheckConstraint("generation >= 1", name="generation_positive"),
        sa.CheckConstraint(
            "status NOT IN ('settled', 'reversed') OR capture_transaction_id IS NOT NULL",
            name="settled_has_capture",
        ),
        sa.CheckConstraint(
            "status <> 'reversed' OR reversal_transaction_id IS NOT NULL",
            name="reversed_has_reversal",
        ),
        sa.CheckConstraint("status <> 'pending' OR payout > 0", name="pending_pays_something"),
    )

    answer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("answers.id", ondelete="RESTRICT"))
    generation: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="RESTRICT"), index=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    company_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT")
    )
    currency: Mapped[str] = mapped_column(sa.String(3))
    base_amount: Mapped[int] = mapped_column(sa.BigInteger)
    quality: Mapped[float]
    quality_bp: Mapped[int]
    speed_bp: Mapped[int]
    tier: Mapped[str] = mapped_column(sa.String(24))
    tier_bp: Mapped[int]
    capped: Mapped[bool] = mapped_column(default=False)
    payout: Mapped[int] = mapped_column(sa.BigInteger)
    fee: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[RewardStatus] = mapped_column(
        enum_column(RewardStatus), default=RewardStatus.PENDING
    )
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    # Settlement could not capture it (its question's hold falls short): set aside, so it
    # never blocks the rewards behind it, until `flask rewards unblock` retries it.
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]
    reversed_at: Mapped[datetime | None]
    capture_transaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), unique=True
    )
    reversal_transaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), unique=True
    )

    @property
    def charge(self) -> int:
        """What the company pays for this reward: payout plus platform fee."""
        return self.payout + self.fee


class PayoutBatchStatus(StrEnum):
    """A batch is open while any item's transfer is unconfirmed, then closed."""

    OPEN = "open"
    CLOSED = "closed"


class PayoutItemStatus(StrEnum):
    """An item's money is in flight until the bank confirms it paid, or it failed."""

    IN_FLIGHT = "in_flight"
    PAID = "paid"
    FAILED = "failed"


class PayoutBatch(UuidPk, Base):
    """A set of payouts to experts, exported as one bank file."""

    __tablename__ = "payout_batches"

    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[PayoutBatchStatus] = mapped_column(
        enum_column(PayoutBatchStatus), default=PayoutBatchStatus.OPEN
    )
    provider: Mapped[str] = mapped_column(sa.String(40))
    file_path: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    exported_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class PayoutItem(UuidPk, Base):
    """One expert's payout in one currency within a batch, with the statement it pays."""

    __tablename__ = "payout_items"
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "expert_id", "currency"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index("ix_payout_items_expert", "expert_id", "id"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("payout_batches.id", ondelete="RESTRICT"), index=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    debt_recovered: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    status: Mapped[PayoutItemStatus] = mapped_column(
        enum_column(PayoutItemStatus), default=PayoutItemStatus.IN_FLIGHT
    )
    statement: Mapped[dict[str, Any]] = mapped_column(default=dict)
    transaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
