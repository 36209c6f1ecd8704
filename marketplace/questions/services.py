"""Post, list, read, cancel questions and take customer feedback, always within one company."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, AnswerStatus, Feedback
from marketplace.companies.models import Pool
from marketplace.companies.services import find_pool
from marketplace.database import new_id, utcnow
from marketplace.errors import Conflict, DomainError, InvalidInput, NotFound
from marketplace.eventlog.models import Event
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching.claims import withdraw_question
from marketplace.matching.services import question_posted
from marketplace.moderation.items import open_item, policy_for
from marketplace.moderation.models import AuditReason
from marketplace.questions import states
from marketplace.questions.models import GoldReference, Question, QuestionStatus, QuestionTag
from marketplace.questions.schemas import QuestionCreateSchema
from marketplace.queue import JobOptions, enqueue
from marketplace.rewards import services as rewards
from marketplace.rewards.models import AccountKind, LedgerAccount
from marketplace.rewards.policy import DEFAULT_POLICY
from marketplace.rewards.table import reward_from_table

SLA_MIN = timedelta(minutes=1)
SLA_MAX = timedelta(days=30)
# A question's trail is short; the bound only guards against a runaway loop of events.
HISTORY_LIMIT = 500


@dataclass(frozen=True)
class QuestionView:
    """A question with the answer and feedback its company may see."""

    question: Question
    answer: Answer | None = None
    feedback: Feedback | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.question, name)


@dataclass(frozen=True)
class CreateResult:
    """A posted question and whether this call created it (False: same external_id seen)."""

    question: Question
    created: bool


@dataclass(frozen=True)
class BatchItemResult:
    """One batch item's outcome, as an HTTP-like status."""

    index: int
    status: int
    id: uuid.UUID | None = None
    external_id: str | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class QuestionFilters:
    """What GET /questions may filter on."""

    status: QuestionStatus | None = None
    channel: str | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def create_question(company_id: uuid.UUID, data: dict[str, Any], actor: Actor) -> CreateResult:
    """Post one validated question and hold its maximum cost; a repeated external_id is a no-op."""
    existing = _existing_or_conflict(company_id, data)
    if existing is not None:
        return CreateResult(existing, False)
    try:
        question = _insert(company_id, data, actor)
        db.session.commit()
    except IntegrityError:
        # Another request posted the same external_id at the same moment.
        db.session.rollback()
        existing = _existing_or_conflict(company_id, data)
        if existing is None:
            raise
        return CreateResult(existing, False)
    except DomainError:
        db.session.rollback()
        raise
    return CreateResult(question, True)


def create_gold_question(company_id: uuid.UUID, data: dict[str, Any], actor: Actor) -> CreateResult:
    """Post a gold question with its known answer; experts cannot tell it from the others."""
    from marketplace.knowledge.services import scoring_settings  # knowledge reads questions

    gold = {k: data.pop(k) for k in ("reference_answers", "required_terms", "threshold")}
    data = data | {"is_gold": True}
    result = create_question(company_id, data, actor)
    if result.created:
        db.session.add(
            GoldReference(
                question_id=result.question.id,
                references=gold["reference_answers"],
                required_terms=gold["required_terms"],
                threshold=gold["threshold"]
                if gold["threshold"] is not None
                else scoring_settings(company_id).gold_threshold,
            )
        )
        db.session.commit()
    return result


def create_questions_batch(
    company_id: uuid.UUID, items: Sequence[Any], actor: Actor
) -> list[BatchItemResult]:
    """Post up to 1,000 questions in one transaction; each item succeeds or fails on its own."""
    schema = QuestionCreateSchema()
    results: list[BatchItemResult] = []
    for index, raw in enumerate(items):
        try:
            data = schema.load(raw)
        except ValidationError as error:
            messages = (
                error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
            )
            results.append(_failure(index, raw, InvalidInput("Invalid item.", errors=messages)))
            continue
        results.append(_create_in_savepoint(company_id, index, data, actor))
    db.session.commit()
    return results


def _create_in_savepoint(
    company_id: uuid.UUID, index: int, data: dict[str, Any], actor: Actor
) -> BatchItemResult:
    try:
        existing = _existing_or_conflict(company_id, data)
        if existing is not None:
            return BatchItemResult(index, 200, existing.id, existing.external_id)
        with db.session.begin_nested():
            question = _insert(company_id, data, actor)
        return BatchItemResult(index, 201, question.id, question.external_id)
    except DomainError as error:
        return _failure(index, data, error)


def _failure(index: int, raw: Any, error: DomainError) -> BatchItemResult:
    external_id = raw.get("external_id") if isinstance(raw, dict) else None
    return BatchItemResult(
        index,
        error.status,
        None,
        external_id if isinstance(external_id, str) else None,
        error.to_problem(),
    )


def _insert(company_id: uuid.UUID, data: dict[str, Any], actor: Actor) -> Question:
    pool = find_pool(company_id, data["pool"])
    reward = data["reward"] or _reward_from_pool(pool, data)
    accounts = rewards.budget_accounts(company_id)
    _check_reward(accounts, reward["amount"], reward["currency"])
    now = utcnow()
    question = Question(
        id=new_id(),
        company_id=company_id,
        pool_id=pool.id,
        external_id=data["external_id"],
        channel=data["channel"],
        customer_ref=data["customer_ref"],
        subject=data["subject"],
        body=data["body"],
        language=data["language"],
        priority=data["priority"],
        reward_amount=reward["amount"],
        reward_currency=reward["currency"],
        sla_deadline=_sla_deadline(data["sla_deadline"], now),
        offer_mode=data["offer_mode"],
        content_fingerprint=fingerprint(data),
        is_gold=data.get("is_gold", False),
        status=QuestionStatus.QUEUED,
        status_changed_at=now,
        tag_rows=[QuestionTag(tag=tag, position=i) for i, tag in enumerate(data["tags"])],
    )
    # Entering ring 0 before the question is in the session: its first INSERT carries the
    # ring deadline (no UPDATE after a flush).
    question_posted(question)
    db.session.add(question)
    held = DEFAULT_POLICY.max_charge(reward["amount"])
    record(
        actor,
        "question.posted",
        "question",
        question.id,
        company_id=company_id,
        after={"external_id": question.external_id, "status": "queued", "held": held},
    )
    # Last: the hold updates the company's budget row, which every post of the company waits on.
    rewards.hold_question_reward(
        company_id, question.id, reward["amount"], reward["currency"], accounts
    )
    return question


def fingerprint(data: dict[str, Any]) -> str:
    """A stable hash of the posted content, to tell a retry from a different question."""
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _existing_or_conflict(company_id: uuid.UUID, data: dict[str, Any]) -> Question | None:
    query = sa.select(Question).filter_by(company_id=company_id, external_id=data["external_id"])
    existing = db.session.scalars(query).one_or_none()
    if existing is not None and existing.content_fingerprint != fingerprint(data):
        raise Conflict(
            "This external_id was already used for a question with different content.",
            errors={"external_id": ["Already used with different content."]},
            question_id=str(existing.id),
        )
    return existing


def _reward_from_pool(pool: Pool, data: dict[str, Any]) -> dict[str, Any]:
    """A question posted without a reward takes the one its pool's reward table gives."""
    table = (pool.settings or {}).get("reward_table")
    reward = reward_from_table(table, data["channel"].value, data["priority"])
    if reward is not None:
        return reward
    why = (
        f"No row of pool {pool.slug}'s reward table fits channel {data['channel'].value}, "
        f"priority {data['priority']}."
        if table
        else f"Pool {pool.slug} has no reward table."
    )
    raise InvalidInput("The question needs a reward.", errors={"reward": [f"Required. {why}"]})


def _check_reward(
    accounts: dict[tuple[AccountKind, str], LedgerAccount], amount: int, currency: str
) -> None:
    maximum = current_app.config["REWARD_MAX_MINOR"]
    if amount > maximum:
        raise InvalidInput(
            "The reward is too large.",
            errors={"reward": {"amount": [f"Must be at most {maximum}."]}},
        )
    refusal = rewards.currency_refusal(currency, rewards.currencies_of(accounts))
    if refusal:
        raise InvalidInput(
            "The company has no budget in this currency.",
            errors={"reward": {"currency": [refusal]}},
        )


def _sla_deadline(requested: datetime | None, now: datetime) -> datetime:
    if requested is None:
        return now + timedelta(minutes=current_app.config["DEFAULT_SLA_MINUTES"])
    if not now + SLA_MIN <= requested <= now + SLA_MAX:
        raise InvalidInput(
            "The SLA deadline is out of range.",
            errors={"sla_deadline": ["Must be between 1 minute and 30 days ahead."]},
        )
    return requested


def posted_view(company_id: uuid.UUID, result: CreateResult) -> QuestionView:
    """What POST /questions answers: a question created just now has no answer or feedback to
    look up; a repeat is read like any other question."""
    if result.created:
        return QuestionView(result.question)
    return get_question(company_id, result.question.id)


def get_question(company_id: uuid.UUID, question_id: uuid.UUID) -> QuestionView:
    """One of the company's questions with its released answer; others' ids are not found."""
    question = _own_question(company_id, question_id)
    return _views([question])[0]


def list_questions(
    company_id: uuid.UUID, filters: QuestionFilters, cursor: str | None, limit: int
) -> tuple[list[QuestionView], str | None]:
    """A page of the company's questions, newest first, and the next page's cursor."""
    query = sa.select(Question).where(Question.company_id == company_id)
    if filters.status is not None:
        query = query.where(Question.status == filters.status)
    if filters.channel is not None:
        query = query.where(Question.channel == filters.channel)
    if filters.tag is not None:
        tagged = sa.select(QuestionTag.question_id).where(QuestionTag.tag == filters.tag.lower())
        query = query.where(Question.id.in_(tagged))
    if filters.created_after is not None:
        query = query.where(Question.created_at >= filters.created_after)
    if filters.created_before is not None:
        query = query.where(Question.created_at < filters.created_before)
    if cursor is not None:
        query = query.where(Question.id < decode_cursor(cursor))
    rows = list(db.session.scalars(query.order_by(Question.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return _views(rows[:limit]), next_cursor


def cancel_question(company_id: uuid.UUID, question_id: uuid.UUID, actor: Actor) -> QuestionView:
    """Withdraw an open question: revoke offers, release any assignment and the reward hold."""
    question = _own_question(company_id, question_id, lock=True)
    if question.status == QuestionStatus.CANCELLED:
        return _views([question])[0]
    states.move(question, QuestionStatus.CANCELLED, actor)
    withdraw_question(question.id, actor)
    rewards.release_question_hold(company_id, question.id)
    db.session.commit()
    return _views([question])[0]


def record_feedback(
    company_id: uuid.UUID, question_id: uuid.UUID, data: dict[str, Any], actor: Actor
) -> tuple[Feedback, bool]:
    """Store the customer's rating of an answered question once; an identical repeat is a no-op."""
    question = _own_question(company_id, question_id)
    existing = db.session.scalars(sa.select(Feedback).filter_by(question_id=question.id)).first()
    if existing is not None:
        same = (existing.rating, existing.resolved, existing.comment) == (
            data["rating"],
            data["resolved"],
            data["comment"],
        )
        if not same:
            raise Conflict(
                "Feedback was already given for this question.",
                errors={"rating": ["Feedback already recorded."]},
            )
        return existing, False
    if _released_answer(question.id) is None:
        raise Conflict(
            "The question has no answer to give feedback on yet.",
            errors={"question": [f"is {question.status.value}"]},
        )
    feedback = Feedback(
        question_id=question.id,
        rating=data["rating"],
        resolved=data["resolved"],
        comment=data["comment"],
    )
    db.session.add(feedback)
    record(
        actor,
        "feedback.recorded",
        "question",
        question.id,
        company_id=company_id,
        after={"rating": data["rating"], "resolved": data["resolved"]},
    )
    _audit_if_unhappy(question, data)
    after_commit(
        enqueue,
        "workers.scoring.rescore_question",
        str(question.id),
        job_id=f"rescore-{question.id}",
        options=JobOptions(queue="default"),
    )
    db.session.commit()
    return feedback, True


def _audit_if_unhappy(question: Question, data: dict[str, Any]) -> None:
    """A low rating or a complaint (unresolved, with a comment) sends the answer to audit."""
    answer = _released_answer(question.id)
    complaint = data["resolved"] is False and bool(data["comment"])
    if answer is not None and (
        complaint or data["rating"] <= policy_for(question.pool_id).low_rating
    ):
        open_item(answer, [AuditReason.COMPLAINT if complaint else AuditReason.LOW_RATING])


def encode_cursor(last_id: uuid.UUID) -> str:
    """An opaque cursor: the last id seen, base64url-encoded."""
    return base64.urlsafe_b64encode(json.dumps({"after": str(last_id)}).encode()).decode()


def decode_cursor(cursor: str) -> uuid.UUID:
    """Read a cursor back; a damaged one is a 422 on the `cursor` field."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return uuid.UUID(json.loads(base64.urlsafe_b64decode(padded))["after"])
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError) as error:
        raise InvalidInput(
            "Invalid cursor.", errors={"cursor": ["Not a cursor we issued."]}
        ) from error


def _own_question(company_id: uuid.UUID, question_id: uuid.UUID, lock: bool = False) -> Question:
    query = sa.select(Question).filter_by(id=question_id, company_id=company_id)
    if lock:
        query = query.with_for_update()
    question = db.session.scalars(query).one_or_none()
    if question is None:
        raise NotFound("No such question.")
    return question


def _released_answer(question_id: uuid.UUID) -> Answer | None:
    query = (
        sa.select(Answer)
        .filter_by(question_id=question_id, status=AnswerStatus.RELEASED)
        .order_by(Answer.created_at.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def _views(questions: list[Question]) -> list[QuestionView]:
    """Attach released answers and feedback with two queries for the whole page."""
    ids = [q.id for q in questions]
    if not ids:
        return []
    answers: dict[uuid.UUID, Answer] = {}
    for answer in db.session.scalars(
        sa.select(Answer)
        .where(Answer.question_id.in_(ids), Answer.status == AnswerStatus.RELEASED)
        .order_by(Answer.created_at)
    ):
        answers[answer.question_id] = answer
    feedback = {
        f.question_id: f
        for f in db.session.scalars(sa.select(Feedback).where(Feedback.question_id.in_(ids)))
    }
    return [QuestionView(q, answers.get(q.id), feedback.get(q.id)) for q in questions]


def question_history(company_id: uuid.UUID, question_id: uuid.UUID) -> list[Event]:
    """The event log of one of the company's questions and its answers, oldest first: status
    moves, escalations, answers, feedback and (once moderation records them) verdicts."""
    question = _own_question(company_id, question_id)
    answer_ids = [
        str(i) for i in db.session.scalars(sa.select(Answer.id).filter_by(question_id=question.id))
    ]
    about = sa.and_(Event.entity_type == "question", Event.entity_id == str(question.id))
    if answer_ids:
        about = sa.or_(
            about, sa.and_(Event.entity_type == "answer", Event.entity_id.in_(answer_ids))
        )
    query = (
        sa.select(Event)
        .where(Event.company_id == company_id, about)
        .order_by(Event.id)
        .limit(HISTORY_LIMIT)
    )
    return list(db.session.scalars(query))
