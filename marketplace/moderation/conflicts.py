"""Who may act on what: the moderator's company, and conflicts of interest.

A moderator never audits, vets, judges an appeal of, or sanctions themselves or an expert they
declared a link to (family, friends, colleagues); such items are left out of their lists too.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller
from marketplace.errors import Forbidden
from marketplace.extensions import db
from marketplace.moderation.models import ModeratorLink


class ConflictOfInterest(Forbidden):
    """The moderator is the expert, or declared a link to them."""

    slug = "conflict-of-interest"
    title = "Conflict of interest"


def scope(moderator: UserCaller, company_column: Any) -> Any:
    """A SQL condition: rows of the moderator's company (platform admins: every company)."""
    if moderator.role == Role.PLATFORM_ADMIN:
        return sa.true()
    return company_column == moderator.company_id


def in_scope(moderator: UserCaller, company_id: uuid.UUID | None) -> bool:
    """Whether a company's things are the moderator's to see."""
    return moderator.role == Role.PLATFORM_ADMIN or (
        company_id is not None and company_id == moderator.company_id
    )


def not_linked(moderator_id: uuid.UUID, expert_column: Any) -> Any:
    """A SQL condition: the expert is neither the moderator nor linked to them."""
    linked = sa.select(ModeratorLink.expert_id).where(ModeratorLink.moderator_id == moderator_id)
    return sa.and_(expert_column != moderator_id, expert_column.not_in(linked))


def is_linked(moderator_id: uuid.UUID, expert_id: uuid.UUID) -> bool:
    """Whether the moderator is the expert or declared a link to them."""
    return (
        moderator_id == expert_id
        or db.session.get(ModeratorLink, (moderator_id, expert_id)) is not None
    )


def check_not_linked(moderator: UserCaller, expert_id: uuid.UUID, action: str) -> None:
    """Refuse (403 conflict-of-interest) when the moderator may not `action` this expert."""
    if is_linked(moderator.user_id, expert_id):
        db.session.rollback()
        raise ConflictOfInterest(f"You cannot {action} an expert you are linked to, or yourself.")
