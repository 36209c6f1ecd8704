"""Clocks of the audit queue: claims that ran out, and held answers that would blow the SLA.

An audit must not make a customer wait past the SLA: when a held answer's question reaches its
return time (the SLA deadline minus the pool's return margin) before a moderator decided, the
answer is released to the company flagged `audit: {"pending": true}`. The audit item stays
open and mandatory, so the reward still waits for the verdict; a later rejection tells the
company (`question.answer_rejected`) and, the SLA being spent, returns the question to it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa

from marketplace.answers.models import Answer, AnswerStatus
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.extensions import db
from marketplace.matching.services import return_at, settings_of
from marketplace.moderation import audits, verdicts
from marketplace.questions.models import Question

log = logging.getLogger(__name__)
SYSTEM = Actor.system("moderation")
LONGEST_MARGIN = timedelta(hours=24)  # the largest return margin a pool may set


def release_if_overdue(answer_id: uuid.UUID) -> bool:
    """Release a still-held answer whose question reached its return time (idempotent)."""
    answer = db.session.scalars(
        sa.select(Answer).where(Answer.id == answer_id).with_for_update()
    ).one_or_none()
    if answer is None or answer.status != AnswerStatus.HELD:
        db.session.rollback()
        return False
    question = db.session.get(Question, answer.question_id)
    if return_at(question, settings_of(question)) > utcnow():
        db.session.rollback()
        return False
    verdicts.release_answer(answer, SYSTEM)  # audit_pending stays true: the flag is sent
    log.info("held answer %s released at its SLA before a verdict", answer_id)
    db.session.commit()
    return True


def overdue_holds() -> list[uuid.UUID]:
    """Held answers whose question is near enough its SLA to be checked."""
    return list(
        db.session.scalars(
            sa.select(Answer.id)
            .join(Question, Question.id == Answer.question_id)
            .where(
                Answer.status == AnswerStatus.HELD,
                Question.sla_deadline <= utcnow() + LONGEST_MARGIN,
            )
        )
    )


def sweep() -> dict[str, int]:
    """The periodic safety net: expire run-out claims, release overdue held answers."""
    expired = sum(audits.expire_claim(item_id) for item_id in audits.expired_claims())
    released = sum(release_if_overdue(answer_id) for answer_id in overdue_holds())
    db.session.remove()
    return {"claims_expired": expired, "holds_released": released}
