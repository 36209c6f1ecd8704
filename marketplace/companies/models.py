"""Tenants, their API keys and the brand pools experts are vetted into."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, Timestamps, UuidPk, enum_column, utcnow


class OfferMode(StrEnum):
    """How a question is offered: one expert at a time, or the top k at once."""

    SEQUENTIAL = "sequential"
    BROADCAST = "broadcast"


class PoolKind(StrEnum):
    """Crowd pools are paid through the ledger; staff pools are the company's own people."""

    CROWD = "crowd"
    STAFF = "staff"


class Company(UuidPk, Timestamps, Base):
    """A tenant: posts questions, owns pools, pays rewards from a prepaid budget."""

    __tablename__ = "companies"

    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    offer_mode: Mapped[OfferMode] = mapped_column(
        enum_column(OfferMode), default=OfferMode.SEQUENTIAL
    )
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ApiKey(UuidPk, Base):
    """A company API key. Only a hash of the secret is kept; the key is shown once."""

    __tablename__ = "api_keys"

    company_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    # The public part of the key, used to find the row without scanning hashes.
    prefix: Mapped[str] = mapped_column(sa.String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Pool(UuidPk, Timestamps, Base):
    """A brand pool of a company: the experts vetted to answer for that brand."""

    __tablename__ = "pools"
    __table_args__ = (sa.UniqueConstraint("company_id", "slug"),)

    company_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(120))
    brand: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[PoolKind] = mapped_column(enum_column(PoolKind), default=PoolKind.CROWD)
    offer_mode: Mapped[OfferMode | None] = mapped_column(enum_column(OfferMode))
    invite_only: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
