"""Fast money test data: experts without password hashing, questions through the real service."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Role, User, UserStatus
from marketplace.accounts.services import UserCaller
from marketplace.answers import grading
from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.companies.models import Pool, PoolKind
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.experts.models import ExpertProfile, MembershipStatus, PoolMembership, Tier
from marketplace.extensions import db
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.moderation import audits, disputes
from marketplace.moderation.items import open_item
from marketplace.moderation.models import AuditReason, Verdict
from marketplace.questions import services as questions
from marketplace.questions.models import Question, QuestionStatus
from marketplace.questions.schemas import QuestionCreateSchema
from marketplace.rewards import checks
from marketplace.rewards.models import LedgerAccount, LedgerTransaction, Reward
from tests.factories import question_payload

ACTOR = Actor.system("test")
_counter = itertools.count(1)


def expert(pool_id: uuid.UUID | None = None, tier: Tier = Tier.VETTED) -> uuid.UUID:
    """An expert (no real password), optionally approved into a pool at `tier`."""
    n = next(_counter)
    user = User(
        email=f"money-expert-{n}-{uuid.uuid4().hex[:6]}@example.test",
        password_hash="!",
        display_name=f"Expert {n}",
        role=Role.EXPERT,
        status=UserStatus.ACTIVE,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(ExpertProfile(user_id=user.id, tier=tier))
    db.session.flush()
    if pool_id is not None:
        db.session.add(
            PoolMembership(
                pool_id=pool_id, expert_id=user.id, status=MembershipStatus.APPROVED, tier=tier
            )
        )
    db.session.commit()
    return user.id


def pool_of(company_id: uuid.UUID, kind: PoolKind = PoolKind.CROWD) -> uuid.UUID:
    """The company's first pool of that kind (a staff pool is created on demand)."""
    pool = db.session.scalars(sa.select(Pool).filter_by(company_id=company_id, kind=kind)).first()
    if pool is None:
        pool = Pool(
            company_id=company_id, slug="staff", name="Staff", brand="Staff", kind=kind, settings={}
        )
        db.session.add(pool)
        db.session.commit()
    return pool.id


def post(company_id: uuid.UUID, amount: int = 1000, currency: str = "CNY", **extra) -> uuid.UUID:
    """Post a question through the real service (which holds its maximum cost)."""
    data = QuestionCreateSchema().load(
        question_payload(reward={"amount": amount, "currency": currency}, **extra)
    )
    return questions.create_question(company_id, data, ACTOR).question.id


def answered_many(company_id: uuid.UUID, experts: list[uuid.UUID], count: int) -> list[uuid.UUID]:
    """`count` questions posted in one batch (holds included), each answered; the answer ids."""
    payloads = [
        question_payload(reward={"amount": 200 + n, "currency": "CNY"}) for n in range(count)
    ]
    results = questions.create_questions_batch(company_id, payloads, ACTOR)
    assert all(result.status == 201 for result in results)
    answers = [
        answer(result.id, experts[n % len(experts)], used=(n % 4) / 4, commit=False)
        for n, result in enumerate(results)
    ]
    db.session.commit()
    return answers


def answer(
    question_id: uuid.UUID, expert_id: uuid.UUID, used: float = 0.75, commit: bool = True
) -> uuid.UUID:
    """Write the rows the answer flow writes; `used` is the share of the allowed hour taken."""
    question = db.session.get(Question, question_id)
    now = utcnow()
    started = now - timedelta(minutes=60 * used)
    # An earlier answer on this question was rejected: its offer and assignment are history.
    db.session.execute(
        sa.update(Offer)
        .where(Offer.question_id == question_id, Offer.status == OfferStatus.ACCEPTED)
        .values(status=OfferStatus.EXPIRED)
    )
    offer = Offer(
        question_id=question_id,
        expert_id=expert_id,
        status=OfferStatus.ACCEPTED,
        expires_at=started,
        responded_at=started,
        reasons={},
    )
    db.session.add(offer)
    db.session.flush()
    db.session.execute(
        sa.update(Assignment)
        .where(Assignment.question_id == question_id, Assignment.status == "answered")
        .values(status=AssignmentStatus.RELEASED)
    )
    assignment = Assignment(
        question_id=question_id,
        expert_id=expert_id,
        offer_id=offer.id,
        status=AssignmentStatus.ANSWERED,
        created_at=started,
        deadline=started + timedelta(hours=1),
        finished_at=now,
    )
    db.session.add(assignment)
    db.session.flush()
    answer_row = Answer(
        assignment_id=assignment.id,
        question_id=question_id,
        company_id=question.company_id,
        expert_id=expert_id,
        idempotency_key=uuid.uuid4().hex,
        body="Here is how to fix it.",
        status=AnswerStatus.RELEASED,
        released_at=now,
        created_at=now,
        signals={},
    )
    db.session.add(answer_row)
    question.status = QuestionStatus.ANSWERED
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return answer_row.id


def moderator(company_id: uuid.UUID) -> UserCaller:
    """A moderator of the company (no real password), as the services see a caller."""
    user = User(
        email=f"money-mod-{uuid.uuid4().hex[:8]}@example.test",
        password_hash="!",
        display_name="Moderator",
        role=Role.MODERATOR,
        status=UserStatus.ACTIVE,
        company_id=company_id,
    )
    db.session.add(user)
    db.session.commit()
    return UserCaller(user.id, Role.MODERATOR, company_id)


def accept(answer_id: uuid.UUID, score: float) -> None:
    """Scoring accepts the answer with this score (the outcome change money follows)."""
    row = db.session.get(Answer, answer_id)
    row.score = score
    grading.set_outcome(row, Outcome.ACCEPTED, ACTOR)
    db.session.commit()


def reject(answer_id: uuid.UUID, by: UserCaller) -> None:
    """A moderator rejects the answer through the audit queue (reverses, reopens the question)."""
    item = open_item(db.session.get(Answer, answer_id), [AuditReason.COMPLAINT])
    db.session.commit()
    audits.claim(by, item.id)
    audits.decide(by, item.id, Verdict.REJECT, ["wrong"], None, "wrong model")


def overturn(answer_id: uuid.UUID, by: UserCaller) -> None:
    """The expert appeals the rejection and another moderator overturns it (reinstates)."""
    disputes.decide(by, _appeal(answer_id), True, "correct after all")


def uphold(answer_id: uuid.UUID, by: UserCaller) -> None:
    """The expert appeals the rejection and another moderator upholds it."""
    disputes.decide(by, _appeal(answer_id), False, "still wrong")


def _appeal(answer_id: uuid.UUID) -> uuid.UUID:
    expert_id = db.session.get(Answer, answer_id).expert_id
    dispute = disputes.appeal(expert_id, answer_id, "the steps are right", Actor.user(expert_id))
    return dispute.id


def balance(kind, owner: str, currency: str = "CNY") -> int:
    """An account's cached balance (0 when it does not exist)."""
    value = db.session.scalar(
        sa.select(LedgerAccount.balance).filter_by(kind=kind, owner=owner, currency=currency)
    )
    return value or 0


def count(model, *where) -> int:
    """Rows of a model matching the conditions."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def captures_of(answer_id: uuid.UUID) -> int:
    """Capture transactions of an answer's rewards (all generations)."""
    reward_ids = db.session.scalars(sa.select(Reward.id).filter_by(answer_id=answer_id)).all()
    memos = [f"reward:{rid}" for rid in reward_ids]
    return count(
        LedgerTransaction, LedgerTransaction.kind == "capture", LedgerTransaction.memo.in_(memos)
    )


def assert_ledger_ok() -> None:
    """Every invariant of `flask ledger check` holds."""
    db.session.rollback()
    violations = checks.check_ledger()
    db.session.rollback()  # end the read: SQLite's BEGIN IMMEDIATE would block other writers
    assert violations == [], "\n".join(violations)
