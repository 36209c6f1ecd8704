"""The double-entry ledger: accounts, transactions and their entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, BigIntPk, enum_column, utcnow


class AccountKind(StrEnum):
    """What an account holds. Every transaction moves money between accounts and sums to zero."""

    COMPANY_BUDGET = "company_budget"  # prepaid money a company can still commit
    COMPANY_HOLDS = "company_holds"  # committed to open questions, not yet spent
    EXPERT_EARNINGS = "expert_earnings"  # credited to an expert, not yet paid out
    EXPERT_PAID_OUT = "expert_paid_out"  # paid out to the expert's bank or wallet
    PLATFORM_FEES = "platform_fees"  # the marketplace's cut
    TOP_UPS = "top_ups"  # money from outside; its balance is minus what came in


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
