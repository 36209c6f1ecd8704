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
from marketplace.companies.models import Pool, PoolKind
from marketplace.database import utcnow
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.claims import release_capacity
from marketplace.matching.models import Assignment, AssignmentStatus
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
    states.move_if(question.id, question.company_id, {QS.ASSIGNED}, QS.ANSWERED, actor)
    question.answered_at = now
    answer = Answer(
        assignment_id=assignment.id,
        question_id=question.id,
        expert_id=assignment.expert_id,
        idempotency_key=key,
        body=text,
        status=AnswerStatus.RELEASED,
        released_at=now,
        signals={},
    )
    db.session.add(answer)
    db.session.flush()
    if _is_staff_question(assignment):
        rewards.release_question_hold(question.company_id, question.id)
    record(
        actor,
        "answer.submitted",
        "answer",
        answer.id,
        company_id=question.company_id,
        after={"question_id": str(question.id), "chars": len(text)},
    )
    notify_company(
        question.company_id,
        "question.answered",
        {
            "question_id": str(question.id),
            "external_id": question.external_id,
            "answer": {"id": str(answer.id), "body": text, "submitted_at": now.isoformat()},
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


def _is_staff_question(assignment: Assignment) -> bool:
    """Answered from a staff pool? Staff are the company's own people, not paid by the ledger."""
    from marketplace.experts.models import MembershipStatus, PoolMembership

    question = db.session.get(Question, assignment.question_id)
    in_crowd = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PoolMembership)
        .join(Pool, Pool.id == PoolMembership.pool_id)
        .where(
            PoolMembership.expert_id == assignment.expert_id,
            PoolMembership.pool_id == question.pool_id,
            PoolMembership.status == MembershipStatus.APPROVED,
            Pool.kind == PoolKind.CROWD,
        )
    )
    return not in_crowd


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
