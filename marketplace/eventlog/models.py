"""Event rows. Never updated or deleted (PostgreSQL enforces it with a trigger)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, BigIntPk, utcnow


class Event(Base):
    """One state change of one entity."""

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_entity", "entity_type", "entity_id"),
        sa.Index("ix_events_company_id", "company_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPk, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[str | None] = mapped_column(sa.String(64))
    company_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
