"""Escalation: move a question through its pool's rings, raise the reward, return it, expire it."""

from __future__ import annotations

import logging
import math
import uuid

import sqlalchemy as sa

from marketplace.database import utcnow
from marketplace.errors import PaymentRequired
from marketplace.extensions import db
from marketplace.matching.revocation import withdraw_question
from marketplace.matching.services import SYSTEM, enter_ring, settings_of
from marketplace.matching.settings import MatchingSettings
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS
from marketplace.rewards import services as rewards
from marketplace.webhooks.services import notify_company

log = logging.getLogger(__name__)
WAITING = frozenset({QS.QUEUED, QS.OFFERED})


def ring_due(question_id: uuid.UUID) -> bool:
    """The current ring's time is up: move to the next ring, or return the question."""
    question = _lock(question_id)
    now = utcnow()
    if (
        question is None
        or question.status not in WAITING
        or (question.ring_deadline and question.ring_deadline > now)
    ):
        db.session.rollback()
        return False
    settings = settings_of(question)
    following = question.ring + 1
    if following >= len(settings.rings):
        _return(question, "no expert took it in time")
    else:
        _enter_ring(question, following, settings)
    db.session.commit()
    return True


def return_due(question_id: uuid.UUID) -> bool:
    """Close to the SLA and still unclaimed: hand it back to the company's in-house queue."""
    question = _lock(question_id)
    if question is None or question.status not in WAITING:
        db.session.rollback()
        return False
    _return(question, "the SLA deadline is near")
    db.session.commit()
    return True


def sla_due(question_id: uuid.UUID) -> bool:
    """The SLA passed without an answer: the question expires and its hold is released."""
    question = _lock(question_id)
    if question is None or question.status not in (WAITING | {QS.ASSIGNED}):
        db.session.rollback()
        return False
    states.move(question, QS.EXPIRED, SYSTEM, reason="SLA deadline passed")
    withdraw_question(question.id, SYSTEM)
    rewards.release_question_hold(question.company_id, question.id)
    _tell_company(question, "question.expired", "SLA deadline passed")
    db.session.commit()
    return True


def _enter_ring(question: Question, index: int, settings: MatchingSettings) -> None:
    ring = settings.rings[index]
    if ring.raise_percent:
        _raise_reward(question, ring.raise_percent, settings.max_raise_percent)
    enter_ring(question, index, settings, "the ring's time is up")


def _raise_reward(question: Question, percent: int, cap_percent: int) -> None:
    """Raise the reward within the company's cap, holding the extra cost; skip if unaffordable."""
    target = math.ceil(question.reward_amount * min(percent, cap_percent) / 100)
    extra = target - question.reward_raise
    if extra <= 0:
        return
    try:
        with db.session.begin_nested():
            rewards.hold_extra_for_raise(
                question.company_id,
                question.id,
                question.reward_amount,
                question.reward_raise + extra,
                question.reward_currency,
            )
            question.reward_raise += extra
    except PaymentRequired:
        log.info("no budget to raise the reward of question %s", question.id)


def _return(question: Question, reason: str) -> None:
    states.move(question, QS.RETURNED, SYSTEM, reason=reason)
    withdraw_question(question.id, SYSTEM)
    rewards.release_question_hold(question.company_id, question.id)
    _tell_company(question, "question.returned", reason)


def _tell_company(question: Question, event: str, reason: str) -> None:
    notify_company(
        question.company_id,
        event,
        {
            "question_id": str(question.id),
            "external_id": question.external_id,
            "status": question.status.value,
            "reason": reason,
            "at": utcnow().isoformat(),
        },
    )


def _lock(question_id: uuid.UUID) -> Question | None:
    return db.session.scalars(
        sa.select(Question).where(Question.id == question_id).with_for_update()
    ).one_or_none()
