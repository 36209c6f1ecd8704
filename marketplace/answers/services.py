"""Take an expert's answer: sanitise it, close the assignment, tell the company, queue scoring."""

from __future__ import annotations

import html
import uuid

import nh3
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, AnswerStatus
from marketplace.database import new_id, utcnow
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.models import Assignment, AssignmentStatus
from marketplace.matching.revocation import lock_questions
from marketplace.matching.services import offered_through_staff, release_capacity
from marketplace.moderation.items import open_item, policy_for, tier_in_pool
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS
from marketplace.questions.schemas import clean_text
from marketplace.queue import JobOptions, enqueue
from marketplace.rewards import services as rewards
from marketplace.webhooks.services import notify_company

# Work on anything longer is refused before sanitising, to bound the cost.
RAW_LIMIT_FACTOR = 4


class AssignmentClosed(Conflict):
    """The assignment was already answered, expired or released."""

    slug = "assignment-closed"
    title = "Assignment closed"


def sanitize(text: str) -> str:
    """Plain text from whatever was sent: HTML tags (and script/style contents) removed by nh3."""
    stripped = nh3.clean(text, tags=set(), strip_comments=True)
    return clean_text(html.unescape(stripped))


def submit_answer(
    expert_id: uuid.UUID, assignment_id: uuid.UUID, body: str, idempotency_key: str, actor: Actor
) -> tuple[Answer, bool]:
    """Store the answer once (a repeated key returns the first); returns (answer, created)."""
    existing = _by_key(expert_id, idempotency_key)
    if existing is not None:
        return _same_or_conflict(existing, assignment_id), False
    assignment = db.session.scalars(
        sa.select(Assignment).filter_by(id=assignment_id, expert_id=expert_id)
    ).one_or_none()
    if assignment is None:
        raise NotFound("No such assignment.")
    text = _checked_text(body)
    try:
        answer = _record_answer(assignment, text, idempotency_key, actor)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _by_key(expert_id, idempotency_key)
        if existing is None:
            raise AssignmentClosed("This assignment already has an answer.") from None
        return _same_or_conflict(existing, assignment_id), False
    except Exception:
        db.session.rollback()
        raise
    return answer, True


def _record_answer(assignment: Assignment, text: str, key: str, actor: Actor) -> Answer:
    now = utcnow()
    table = Assignment.__table__
    lock_questions([assignment.question_id])  # the question first, as everywhere in matching
    closed = db.session.execute(
        sa.update(table)
        .where(table.c.id == assignment.id, table.c.status == AssignmentStatus.ACTIVE.value)
        .values(status=AssignmentStatus.ANSWERED.value, finished_at=now)
    ).rowcount
    if not closed:
        state = db.session.scalar(sa.select(table.c.status).where(table.c.id == assignment.id))
        raise AssignmentClosed(
            f"The assignment is {state}.", errors={"assignment_id": [f"is {state}"]}
        )
    question = db.session.get(Question, assignment.question_id)
    release_capacity(assignment.expert_id)
    answer = Answer(
        id=new_id(),
        assignment_id=assignment.id,
        question_id=question.id,
        company_id=question.company_id,
        expert_id=assignment.expert_id,
        idempotency_key=key,
        body=text,
        signals={},
    )
    staff = offered_through_staff(assignment.id)
    # Staff answer for their own company: no tier, no audit sample. A crowd expert no longer
    # in the pool (removed since the offer) is audited like a newcomer.
    tier = None if staff else tier_in_pool(assignment.expert_id, question.pool_id) or "probation"
    policy = policy_for(question.pool_id)
    reasons = policy.at_submission(answer.id, tier, question.is_gold) if tier else []
    held = policy.holds(reasons)
    answer.status = AnswerStatus.HELD if held else AnswerStatus.RELEASED
    answer.released_at = None if held else now
    target = QS.IN_REVIEW if held else QS.ANSWERED
    states.move_if(question.id, question.company_id, {QS.ASSIGNED}, target, actor)
    question.answered_at = now
    db.session.add(answer)
    db.session.flush()
    if reasons:
        open_item(answer, reasons, mandatory=held)
    if staff:  # offered through a staff ring or pool: not paid through the ledger
        rewards.release_question_hold(question.company_id, question.id)
    record(
        actor,
        "answer.submitted",
        "answer",
        answer.id,
        company_id=question.company_id,
        after={"question_id": str(question.id), "chars": len(text)},
    )
    if not held:
        notify_company(
            question.company_id,
            "question.answered",
            {
                "question_id": str(question.id),
                "external_id": question.external_id,
                "answer": {
                    "id": str(answer.id),
                    "body": text,
                    "submitted_at": now.isoformat(),
                    # Released before a moderator audited it (hold false, gold): flagged.
                    "audit": {"pending": bool(reasons)},
                },
            },
        )
    after_commit(engine.deadline_store().discard, f"assignment:{assignment.id}")
    after_commit(
        broadcast.to_expert,
        assignment.expert_id,
        "answer.submitted",
        {"answer_id": str(answer.id), "assignment_id": str(assignment.id)},
    )
    after_commit(
        enqueue,
        "workers.scoring.score_answer",
        str(answer.id),
        job_id=f"score-{answer.id}",
        options=JobOptions(queue="default"),
    )
    after_commit(engine.kick)
    return answer


def _checked_text(body: str) -> str:
    limit = current_app.config["ANSWER_MAX_CHARS"]
    if len(body) > limit * RAW_LIMIT_FACTOR:
        raise InvalidInput(
            "The answer is too long.", errors={"body": [f"Must be at most {limit} characters."]}
        )
    text = sanitize(body)
    if not text:
        raise InvalidInput("The answer is empty.", errors={"body": ["Must not be blank."]})
    if len(text) > limit:
        raise InvalidInput(
            "The answer is too long.", errors={"body": [f"Must be at most {limit} characters."]}
        )
    return text


def _by_key(expert_id: uuid.UUID, key: str) -> Answer | None:
    return db.session.scalars(
        sa.select(Answer).filter_by(expert_id=expert_id, idempotency_key=key)
    ).one_or_none()


def _same_or_conflict(answer: Answer, assignment_id: uuid.UUID) -> Answer:
    if answer.assignment_id != assignment_id:
        raise Conflict(
            "This idempotency key was used for another assignment.",
            errors={"idempotency_key": ["Already used for another assignment."]},
        )
    return answer
