"""Disputes: an expert appeals a rejection once; a different moderator's decision is final."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace import broadcast
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.answers import grading
from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.database import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching.claims import withdraw_question
from marketplace.moderation import conflicts, paging, sanctions
from marketplace.moderation.models import Audit, Dispute, DisputeStatus, Verdict
from marketplace.moderation.verdicts import answer_payload, release_answer
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS
from marketplace.queue import JobOptions, enqueue
from marketplace.webhooks.services import notify_company

NOTE_LIMIT = 2000
# The question went back to the queue after the rejection and nobody has taken it since.
REOPENED = frozenset({QS.QUEUED, QS.OFFERED})


def appeal(expert_id: uuid.UUID, answer_id: uuid.UUID, note: str, actor: Actor) -> Dispute:
    """Appeal a moderator's rejection of one's own answer, once, with a note."""
    answer = db.session.scalars(
        sa.select(Answer).filter_by(id=answer_id, expert_id=expert_id)
    ).one_or_none()
    if answer is None:
        raise NotFound("No such answer.")
    note = note.strip()
    if not note or len(note) > NOTE_LIMIT:
        raise InvalidInput(
            "Explain the appeal.", errors={"note": [f"Use 1 to {NOTE_LIMIT} characters."]}
        )
    rejection = db.session.scalars(
        sa.select(Audit)
        .filter_by(answer_id=answer_id, verdict=Verdict.REJECT, calibration=False)
        .order_by(Audit.created_at.desc())
        .limit(1)
    ).first()
    if answer.outcome != Outcome.REJECTED or rejection is None:
        raise Conflict(
            "Only a moderator's rejection can be appealed.",
            errors={"answer_id": ["not rejected by a moderator"]},
        )
    question = db.session.get(Question, answer.question_id)
    dispute = Dispute(
        answer_id=answer_id,
        expert_id=expert_id,
        company_id=question.company_id,
        note=note,
        rejected_by=rejection.moderator_id,
    )
    db.session.add(dispute)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "This rejection was already appealed; appeals are allowed once.",
            errors={"answer_id": ["already appealed"]},
        ) from None
    record(
        actor,
        "dispute.opened",
        "answer",
        answer_id,
        company_id=question.company_id,
        after={"note": note},
    )
    after_commit(
        broadcast.to_moderators,
        question.company_id,
        "dispute.created",
        {"dispute_id": str(dispute.id), "answer_id": str(answer_id)},
    )
    db.session.commit()
    return dispute


def list_disputes(
    moderator: UserCaller, status: DisputeStatus | None, cursor: str | None, limit: int
) -> tuple[list[Dispute], str | None]:
    """Disputes of the moderator's company, oldest first, leaving out the moderator's own
    rejections and experts they are linked to (they may not decide those)."""
    query = sa.select(Dispute).where(
        conflicts.scope(moderator, Dispute.company_id),
        conflicts.not_linked(moderator.user_id, Dispute.expert_id),
        Dispute.rejected_by != moderator.user_id,
    )
    if status is not None:
        query = query.where(Dispute.status == status)
    if cursor is not None:
        query = query.where(Dispute.id > paging.decode(cursor)["id"])
    rows = db.session.scalars(query.order_by(Dispute.id).limit(limit + 1)).all()
    page = list(rows[:limit])
    return page, paging.encode(id=page[-1].id) if len(rows) > limit else None


def decide(moderator: UserCaller, dispute_id: uuid.UUID, overturn: bool, note: str) -> Dispute:
    """Uphold or overturn; an overturn pays the expert and restores their reputation."""
    dispute = db.session.scalars(
        sa.select(Dispute).where(Dispute.id == dispute_id).with_for_update()
    ).one_or_none()
    if dispute is None or not conflicts.in_scope(moderator, dispute.company_id):
        raise NotFound("No such dispute.")
    if dispute.rejected_by == moderator.user_id:
        raise Forbidden("A different moderator must decide an appeal.")
    conflicts.check_not_linked(moderator, dispute.expert_id, "judge an appeal of")
    if dispute.status != DisputeStatus.OPEN:
        raise Conflict(
            "This dispute was already decided; the decision is final.",
            errors={"dispute_id": [dispute.status.value]},
        )
    dispute.status = DisputeStatus.OVERTURNED if overturn else DisputeStatus.UPHELD
    dispute.decided_by, dispute.decision_note, dispute.decided_at = (
        moderator.user_id,
        note.strip() or None,
        utcnow(),
    )
    answer = db.session.scalars(
        sa.select(Answer).where(Answer.id == dispute.answer_id).with_for_update()
    ).one()
    record(
        moderator.actor,
        f"dispute.{dispute.status.value}",
        "answer",
        answer.id,
        company_id=dispute.company_id,
        after={"note": dispute.decision_note},
    )
    if overturn:
        _overturn(moderator, answer, dispute)
    after_commit(
        broadcast.to_expert,
        dispute.expert_id,
        "dispute.decided",
        {
            "dispute_id": str(dispute.id),
            "answer_id": str(answer.id),
            "outcome": dispute.status.value,
            "note": dispute.decision_note,
        },
    )
    after_commit(
        broadcast.to_moderators,
        dispute.company_id,
        "dispute.decided",
        {"dispute_id": str(dispute.id), "outcome": dispute.status.value},
    )
    db.session.commit()
    return dispute


def _overturn(moderator: UserCaller, answer: Answer, dispute: Dispute) -> None:
    """The answer was right: accept it (its reward is paid again), give it to the company, and
    lift an automatic suspension the rejection caused.

    The question may have moved on since the rejection:
    - queued or offered again (nobody took it): the offers are revoked and the restored answer
      is the question's answer, paid from the question's hold;
    - assigned to another expert, answered again, in review, or closed (returned, expired,
      cancelled): that work stands, and the restored answer is released as well and paid too
      (`question.answer_restored`). While the question is open or another answer waits for
      its outcome the charge comes from the budget on top of the hold (docs/rewards.md); a
      budget that cannot cover it leaves the dispute open (402).
    """
    db.session.add(
        Audit(
            answer_id=answer.id,
            moderator_id=moderator.user_id,
            verdict=Verdict.APPROVE,
            reasons=[],
            note="appeal overturned",
        )
    )
    question = db.session.get(Question, answer.question_id)
    if question.status in REOPENED:
        # Closed first, so the reward comes out of the question's hold (an open one keeps it).
        withdraw_question(question.id, moderator.actor, reason="answered")
        release_answer(answer, moderator.actor, sources=REOPENED)
    else:
        answer.status, answer.released_at = AnswerStatus.RELEASED, utcnow()
        notify_company(
            question.company_id,
            "question.answer_restored",
            {
                "question_id": str(question.id),
                "external_id": question.external_id,
                "status": question.status.value,
                "answer": answer_payload(answer),
                "reason": "an appeal restored this answer; the question's other answer stands",
            },
        )
    grading.set_outcome(answer, Outcome.ACCEPTED, moderator.actor, reason="appeal overturned")
    sanctions.after_overturn(answer.expert_id)
    after_commit(
        enqueue,
        "workers.scoring.score_answer",
        str(answer.id),
        job_id=f"score-{answer.id}-{dispute.id}",
        options=JobOptions(queue="default"),
    )
    after_commit(grading.enqueue_reputation, answer.expert_id)
