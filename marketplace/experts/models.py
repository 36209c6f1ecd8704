"""What the marketplace knows about an expert, and which pools they are vetted into."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, Timestamps, UuidPk, enum_column


class Tier(StrEnum):
    """Trust level; probation answers are all audited."""

    PROBATION = "probation"
    VETTED = "vetted"
    TRUSTED = "trusted"


class Availability(StrEnum):
    """Whether the expert can be offered questions right now."""

    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class MembershipStatus(StrEnum):
    """Where an expert stands with a pool, from application to approval or removal."""

    INVITED = "invited"
    APPLIED = "applied"
    TESTING = "testing"
    REVIEW = "review"
    APPROVED = "approved"
    REJECTED = "rejected"
    REMOVED = "removed"


class InterestKind(StrEnum):
    """What an expert said they know at sign-up: a brand, or a topic in their own words."""

    BRAND = "brand"
    TOPIC = "topic"


class ExpertProfile(Timestamps, Base):
    """The expert side of a user account."""

    __tablename__ = "expert_profiles"
    __table_args__ = (
        sa.CheckConstraint("capacity BETWEEN 1 AND 20", name="capacity_range"),
        sa.CheckConstraint("active_assignments >= 0", name="active_non_negative"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str] = mapped_column(sa.String(200), default="")
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    capacity: Mapped[int] = mapped_column(default=2)
    tier: Mapped[Tier] = mapped_column(enum_column(Tier), default=Tier.PROBATION)
    reputation_mean: Mapped[float] = mapped_column(default=0.5)
    reputation_lower: Mapped[float] = mapped_column(default=0.0)
    availability: Mapped[Availability] = mapped_column(
        enum_column(Availability), default=Availability.OFFLINE
    )
    # Assignments held now; claims bump it with a conditional UPDATE bounded by capacity.
    active_assignments: Mapped[int] = mapped_column(default=0)
    missed_offers_in_row: Mapped[int] = mapped_column(default=0)
    # Exponentially weighted seconds from offer to response: "recent response speed".
    response_seconds: Mapped[float | None]
    last_seen_at: Mapped[datetime | None]
    last_offer_at: Mapped[datetime | None]


class ExpertLanguage(Base):
    """A language an expert answers in (BCP 47 primary tag, e.g. en, zh)."""

    __tablename__ = "expert_languages"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("expert_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(sa.String(16), primary_key=True)


class ExpertSkill(Base):
    """A topic tag an expert knows, at a level from 1 (basic) to 5 (authority)."""

    __tablename__ = "expert_skills"
    __table_args__ = (sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    expert_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("expert_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)
    level: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    # Measured skill on this tag: reputation lower bound shrunk toward the expert's overall one.
    estimate: Mapped[float | None]


class ExpertInterest(Base):
    """A brand or topic the expert knows (from sign-up), shown to moderators vetting them."""

    __tablename__ = "expert_interests"

    expert_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("expert_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[InterestKind] = mapped_column(enum_column(InterestKind), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)


class PoolMembership(UuidPk, Timestamps, Base):
    """An expert's standing in one brand pool; tier and reputation are per pool."""

    __tablename__ = "pool_memberships"
    __table_args__ = (sa.UniqueConstraint("pool_id", "expert_id"),)

    pool_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("pools.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("expert_profiles.user_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus), default=MembershipStatus.APPLIED
    )
    tier: Mapped[Tier] = mapped_column(enum_column(Tier), default=Tier.PROBATION)
    reputation_mean: Mapped[float] = mapped_column(default=0.5)
    reputation_lower: Mapped[float] = mapped_column(default=0.0)
    # A company moderator's suspension: no offers from this pool until then (moderation).
    suspended_until: Mapped[datetime | None]


class ExpertConnection(Base):
    """A live Socket.IO connection of an expert; the web process refreshes `seen_at`."""

    __tablename__ = "expert_connections"

    sid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("expert_profiles.user_id", ondelete="CASCADE"), index=True
    )
    server_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    connected_at: Mapped[datetime]
    seen_at: Mapped[datetime]
