"""What a verdict does: the answer's outcome (and so its reward), its release, the question, and
who is told (the expert gets the reasons in English and Chinese, moderation/reasons.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.answers import grading
from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.answers.services import sanitize
from marketplace.database import new_id, utcnow
from marketplace.errors import InvalidInput
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.matching.services import settings_of
from marketplace.moderation import sanctions
from marketplace.moderation.calibration import kind as calibration_kind
from marketplace.moderation.models import Audit, AuditItem, Verdict
from marketplace.moderation.reasons import explain
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS
from marketplace.queue import JobOptions, enqueue
from marketplace.rewards import services as rewards
from marketplace.webhooks.services import notify_company

# A rejected answer's question goes back to the queue only if this much of its SLA is left.
REQUEUE_MARGIN = timedelta(minutes=10)


def apply(
    moderator: UserCaller,
    item: AuditItem,
    verdict: Verdict,
    reasons: list[str],
    edited_body: str | None,
    note: str | None,
) -> Audit:
    """Record the verdict and carry it out (caller's transaction)."""
    answer = db.session.scalars(
        sa.select(Answer).where(Answer.id == item.answer_id).with_for_update()
    ).one()
    audit = Audit(
        id=new_id(),
        answer_id=answer.id,
        moderator_id=moderator.user_id,
        verdict=verdict,
        reasons=sorted(set(reasons)),
        note=note,
        item_id=item.id,
    )
    if item.calibration_for is not None:  # measures the moderator, changes nothing else
        audit.calibration = True
        audit.matches_expected = calibration_kind(verdict.value) == item.expected_verdict
        db.session.add(audit)
        return audit
    db.session.add(audit)
    answer.audit_pending = False  # one live item per answer, and this one is decided now
    record(
        moderator.actor,
        f"answer.{verdict.value}",
        "answer",
        answer.id,
        company_id=item.company_id,
        after={"verdict": verdict.value, "reasons": audit.reasons, "note": note},
    )
    if verdict == Verdict.REJECT:
        _reject(moderator, answer, audit.reasons)
    else:
        _approve(moderator, answer, edited_body, verdict)
    after_commit(broadcast.to_expert, answer.expert_id, "answer.verdict", verdict_payload(audit))
    after_commit(
        enqueue,
        "workers.scoring.score_answer",
        str(answer.id),
        job_id=f"score-{answer.id}-{audit.id}",
        options=JobOptions(queue="default"),
    )
    return audit


def verdict_payload(audit: Audit) -> dict[str, Any]:
    """What the expert is told of a verdict (event answer.verdict, and their answer list)."""
    return {
        "answer_id": str(audit.answer_id),
        "verdict": audit.verdict.value,
        "reasons": explain(audit.reasons),
        "note": audit.note,
        "at": (audit.created_at or utcnow()).isoformat(),
    }


def _approve(
    moderator: UserCaller, answer: Answer, edited_body: str | None, verdict: Verdict
) -> None:
    if edited_body is not None:
        text = sanitize(edited_body)
        if not text:
            raise InvalidInput("The edit is empty.", errors={"edited_body": ["Must not be blank."]})
        answer.edited_body = text
    if answer.outcome != Outcome.ACCEPTED:
        grading.set_outcome(answer, Outcome.ACCEPTED, moderator.actor)
    if answer.status == AnswerStatus.HELD:
        release_answer(answer, moderator.actor)
    elif answer.status == AnswerStatus.RELEASED:
        # The company already has it (hold false, a later audit): the flag clears, and an
        # edit replaces the text it shows.
        question = db.session.get(Question, answer.question_id)
        notify_company(
            question.company_id,
            "question.answer_audited",
            {
                "question_id": str(question.id),
                "external_id": question.external_id,
                "verdict": verdict.value,
                "answer": answer_payload(answer),
            },
        )


def release_answer(
    answer: Answer, actor: Actor, sources: frozenset[QS] = frozenset({QS.IN_REVIEW})
) -> None:
    """The answer reaches the company now (`audit.pending` says whether a verdict is due);
    the question becomes answered if it is in one of `sources`."""
    question = db.session.get(Question, answer.question_id)
    answer.status, answer.released_at = AnswerStatus.RELEASED, utcnow()
    states.move_if(question.id, question.company_id, sources, QS.ANSWERED, actor)
    notify_company(
        question.company_id,
        "question.answered",
        {
            "question_id": str(question.id),
            "external_id": question.external_id,
            "answer": answer_payload(answer),
        },
    )


def answer_payload(answer: Answer) -> dict[str, object]:
    """The answer as webhooks show it: the edited text if there is one, and the audit flag."""
    return {
        "id": str(answer.id),
        "body": answer.edited_body or answer.body,
        "submitted_at": answer.created_at.isoformat(),
        "edited": answer.edited_body is not None,
        "audit": {"pending": answer.audit_pending},
    }


def _reject(moderator: UserCaller, answer: Answer, reasons: list[str]) -> None:
    question = db.session.get(Question, answer.question_id)
    was_released = answer.status == AnswerStatus.RELEASED
    grading.set_outcome(answer, Outcome.REJECTED, moderator.actor, reason=", ".join(reasons))
    answer.status = AnswerStatus.REJECTED
    if was_released:
        notify_company(
            question.company_id,
            "question.answer_rejected",
            {
                "question_id": str(question.id),
                "external_id": question.external_id,
                "answer_id": str(answer.id),
                "reasons": reasons,
            },
        )
    reopen(question, moderator)
    sanctions.after_rejection(answer.expert_id, reasons)


def reopen(question: Question, moderator: UserCaller) -> None:
    """The question lost its answer: back to the queue, or to the company if time is short.

    Not when another answer of it still stands (an appeal restored one)."""
    if question.status not in {QS.ANSWERED, QS.IN_REVIEW} or _another_answer_stands(question.id):
        return
    time_left = question.sla_deadline - utcnow() > REQUEUE_MARGIN + timedelta(
        seconds=settings_of(question).return_margin_seconds
    )
    # Back in the queue, the question must hold its maximum charge again for the next answer.
    if time_left and rewards.restore_open_hold(question.id):
        states.move(question, QS.QUEUED, moderator.actor, reason="answer rejected")
        _step_aside(question.id)
        after_commit(engine.kick)
        return
    reason, reason_zh = (
        ("answer rejected near the SLA deadline", "回答被驳回，且临近服务时限")
        if not time_left
        else (
            "answer rejected; the budget cannot cover offering it again",
            "回答被驳回，预算不足以再次发布",
        )
    )
    states.move(question, QS.RETURNED, moderator.actor, reason=reason)
    rewards.release_question_hold(question.company_id, question.id)
    notify_company(
        question.company_id,
        "question.returned",
        {
            "question_id": str(question.id),
            "external_id": question.external_id,
            "status": "returned",
            "reason": reason,
            "reason_zh": reason_zh,
            "at": utcnow().isoformat(),
        },
    )


def _step_aside(question_id: uuid.UUID) -> None:
    """The rejected answer's offer and assignment no longer count as the question's claim, so
    matching may give it to someone else (one accepted offer, one live assignment at a time)."""
    db.session.execute(
        sa.update(Offer.__table__)
        .where(Offer.question_id == question_id, Offer.status == OfferStatus.ACCEPTED)
        .values(status=OfferStatus.SUPERSEDED.value)
    )
    db.session.execute(
        sa.update(Assignment.__table__)
        .where(
            Assignment.question_id == question_id, Assignment.status == AssignmentStatus.ANSWERED
        )
        .values(status=AssignmentStatus.REJECTED.value)
    )


def _another_answer_stands(question_id: uuid.UUID) -> bool:
    """A released answer that is not rejected (autoflush sees this verdict's change)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Answer)
            .where(
                Answer.question_id == question_id,
                Answer.status == AnswerStatus.RELEASED,
                Answer.outcome != Outcome.REJECTED,
            )
        )
        > 0
    )


def answer_expert(answer_id: uuid.UUID) -> uuid.UUID:
    """Who wrote an answer."""
    return db.session.scalar(sa.select(Answer.expert_id).where(Answer.id == answer_id))
