"""Conflicts of interest between moderators and experts: declared links."""

from __future__ import annotations

import uuid

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import UserCaller
from marketplace.errors import NotFound
from marketplace.eventlog.services import record
from marketplace.extensions import db
from marketplace.moderation.calibration import retire_conflicted
from marketplace.moderation.models import ModeratorLink


def declare(moderator: UserCaller, expert_id: uuid.UUID, reason: str) -> ModeratorLink:
    """Record that the moderator knows the expert (idempotent); from now on the moderator is
    not shown, and may not act on, that expert's items, applications, appeals or sanctions."""
    expert = db.session.get(User, expert_id)
    if expert is None or expert.role != Role.EXPERT:
        raise NotFound("No such expert.")
    link = db.session.get(ModeratorLink, (moderator.user_id, expert_id))
    if link is None:
        link = ModeratorLink(moderator_id=moderator.user_id, expert_id=expert_id, reason=reason)
        db.session.add(link)
        db.session.flush()
        retire_conflicted(moderator.user_id)
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
