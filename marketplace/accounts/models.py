"""User accounts and their roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, Timestamps, UuidPk, enum_column


class Role(StrEnum):
    """What a user may do; one role per account."""

    EXPERT = "expert"
    MODERATOR = "moderator"
    COMPANY_ADMIN = "company_admin"
    PLATFORM_ADMIN = "platform_admin"


class UserStatus(StrEnum):
    """Whether the account may act at all."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    BANNED = "banned"


class User(UuidPk, Timestamps, Base):
    """A person who logs in. Company admins, company moderators and staff belong to a company."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    status: Mapped[UserStatus] = mapped_column(enum_column(UserStatus), default=UserStatus.ACTIVE)
    suspended_until: Mapped[datetime | None]
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
