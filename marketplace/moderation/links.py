"""Conflicts of interest between moderators and experts."""

from __future__ import annotations

import uuid

from marketplace.accounts.services import UserCaller
from marketplace.eventlog.services import record
from marketplace.extensions import db
from marketplace.moderation.models import ModeratorLink


def declare(moderator: UserCaller, expert_id: uuid.UUID, reason: str) -> ModeratorLink:
    """Record that the moderator knows the expert (idempotent)."""
    link = db.session.get(ModeratorLink, (moderator.user_id, expert_id))
    if link is None:
        link = ModeratorLink(moderator_id=moderator.user_id, expert_id=expert_id, reason=reason)
        db.session.add(link)
        record(
            moderator.actor,
            "moderator.linked",
            "user",
            expert_id,
            company_id=moderator.company_id,
            after={"reason": reason},
        )
    db.session.commit()
    return link
