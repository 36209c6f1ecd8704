"""A reward's life: accept an answer for payment, reverse it after a dispute, reinstate it.

Money only moves through new ledger transactions: accepting reserves the charge inside the
question's hold (topping the hold up from the budget if escalation or a reinstatement needs
more), settlement captures it (see settlement.py), a reversal pays it back. Nothing is edited.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import replace
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer
from marketplace.companies.models import Pool, PoolKind
from marketplace.database import utcnow
from marketplace.errors import InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import ExpertProfile, PoolMembership
from marketplace.extensions import db
from marketplace.matching.models import Assignment
from marketplace.questions.models import Question
from marketplace.rewards import ledger, services
from marketplace.rewards.models import (
    LIVE_REWARD_STATUSES,
    AccountKind,
    Reward,
    RewardStatus,
)
from marketplace.rewards.policy import DEFAULT_POLICY

audit_log = logging.getLogger("marketplace.audit.money")
STAFF_REASON = "staff pool: the company's own people are not paid through the ledger"


def accept_answer_reward(answer_id: uuid.UUID, quality: float, actor: Actor) -> Reward:
    """Accept an answer for payment: compute its reward and reserve the money, once per answer.

    `quality` is the answer's score in [0, 1]. Calling again returns the existing reward
    (pending, settled, reversed or void) and changes nothing. Raises NotFound for an unknown
    answer, InvalidInput for a bad score, PaymentRequired when the hold plus the budget cannot
    cover the charge (only possible after an un-held raise); nothing is written then.
    """
    return _accept(answer_id, quality, actor, reinstating=False, reason=None)


def reinstate_reward(
    answer_id: uuid.UUID, quality: float, actor: Actor, reason: str = "dispute upheld"
) -> Reward:
    """A dispute turned a rejection (or a reversal) into acceptance: pay the answer once more.

    If the answer already has a live (pending or settled) reward it is returned unchanged;
    otherwise a new reward with the next generation is created and reserved like an accept.
    """
    _check_reason(reason)
    return _accept(answer_id, quality, actor, reinstating=True, reason=reason)


def reverse_reward(answer_id: uuid.UUID, reason: str, actor: Actor) -> Reward:
    """Undo an answer's reward after a dispute with new transactions (idempotent).

    A pending reward becomes void and its reservation is released; a settled one is paid back
    to the company (payout from the expert's earnings, or owed by the expert if already paid
    out, and the fee from the platform). Returns the reversed or void reward.
    """
    try:
        reward = reverse_in_transaction(answer_id, reason, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return reward


def reverse_in_transaction(answer_id: uuid.UUID, reason: str, actor: Actor) -> Reward:
    """reverse_reward inside the caller's transaction (a verdict reverses with its decision)."""
    _check_reason(reason)
    reward = db.session.scalars(
        sa.select(Reward)
        .where(Reward.answer_id == answer_id, Reward.status.in_(LIVE_REWARD_STATUSES))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if reward is None:
        latest = _latest_reward(answer_id)
        if latest is None:
            raise NotFound("This answer has no reward.")
        return latest
    question = services.lock_question(reward.question_id)
    before = {"status": reward.status.value}
    if reward.status == RewardStatus.PENDING:
        reward.status, reward.reason = RewardStatus.VOID, reason
        db.session.flush()
        services.release_free_hold(question, keep_for_others_than=answer_id)
    else:
        _post_reversal(reward, reason)
    record(
        actor,
        f"reward.{reward.status.value}",
        "reward",
        reward.id,
        company_id=reward.company_id,
        before=before,
        after={"status": reward.status.value, "reason": reason},
    )
    audit_log.info("reward %s of answer %s %s: %s", reward.id, answer_id, reward.status, reason)
    return reward


def _accept(
    answer_id: uuid.UUID, quality: float, actor: Actor, *, reinstating: bool, reason: str | None
) -> Reward:
    try:
        reward = accept_in_transaction(
            answer_id, quality, actor, reinstating=reinstating, reason=reason
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return reward


def accept_in_transaction(
    answer_id: uuid.UUID,
    quality: float,
    actor: Actor,
    *,
    reinstating: bool = False,
    reason: str | None = None,
) -> Reward:
    """Accept (or reinstate) inside the caller's transaction; settlement is queued after commit.

    A racing accept of the same answer hits the unique key inside a SAVEPOINT and the winner's
    reward is returned, so each answer is paid once whoever calls.
    """
    score = _score(quality)
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        raise NotFound("No such answer.")
    question = services.lock_question(answer.question_id)
    existing = _live_reward(answer_id) if reinstating else _latest_reward(answer_id)
    if existing is not None:
        return existing
    latest = _latest_reward(answer_id)
    generation = latest.generation + 1 if latest is not None else 1
    try:
        with db.session.begin_nested():
            reward = _create(answer, question, score, generation, reason)
    except IntegrityError:
        existing = _live_reward(answer_id) or _latest_reward(answer_id)
        if existing is None:
            raise
        return existing
    after = {"answer_id": str(answer_id), "status": reward.status.value,
             "payout": reward.payout, "fee": reward.fee}  # fmt: skip
    action = "reward.reinstated" if reinstating else "reward.accepted"
    record(actor, action, "reward", reward.id, company_id=reward.company_id, after=after)
    if reward.status == RewardStatus.PENDING:
        after_commit(services.schedule_settlement)
    return reward


def _create(
    answer: Answer, question: Question, score: Decimal, generation: int, reason: str | None
) -> Reward:
    """Compute and insert the reward, then reserve its charge (or release a void one's hold)."""
    pool = db.session.get(Pool, question.pool_id) if question.pool_id else None
    tier = _tier(answer.expert_id, question.pool_id)
    base = question.reward_amount + question.reward_raise
    breakdown = DEFAULT_POLICY.compute(base, score, _used_share(answer), tier)
    # Staff: the question's pool is a staff pool, or the answer came through the staff ring
    # from someone outside the question's crowd pool (matching offers staff only that way).
    staff = (pool is not None and pool.kind == PoolKind.STAFF) or not _crowd_member(
        answer.expert_id, question.pool_id
    )
    if staff:
        breakdown = replace(breakdown, payout=0, fee=0)
    void_reason = STAFF_REASON if staff else "payout rounds to zero"
    void = staff or breakdown.payout == 0
    reward = Reward(
        answer_id=answer.id, generation=generation, question_id=question.id,
        expert_id=answer.expert_id, company_id=question.company_id,
        currency=question.reward_currency, base_amount=base, quality=float(score),
        quality_bp=breakdown.quality_bp, speed_bp=breakdown.speed_bp, tier=tier,
        tier_bp=breakdown.tier_bp, capped=breakdown.capped, payout=breakdown.payout,
        fee=breakdown.fee, status=RewardStatus.VOID if void else RewardStatus.PENDING,
        reason=void_reason if void else reason,
    )  # fmt: skip
    db.session.add(reward)
    db.session.flush()
    if void:
        services.release_free_hold(question, keep_for_others_than=answer.id)
    else:
        _reserve(reward, question)
    audit_log.info("reward %s for answer %s: %s payout %s fee %s %s", reward.id, answer.id,
                   reward.status, reward.payout, reward.fee, reward.currency)  # fmt: skip
    return reward


def _reserve(reward: Reward, question: Question) -> None:
    """Make sure the question's hold covers every pending charge, topping up from the budget.

    A reinstated answer must not take the hold of the answer still to come or to be decided:
    while the question is open, or another answer of it waits for its outcome, the question
    keeps its maximum charge on top.
    """
    shortfall = -services.free_hold(question.id)
    if _awaits_another_answer(question, reward.answer_id):
        shortfall += DEFAULT_POLICY.max_charge(question.reward_amount + question.reward_raise)
    if shortfall <= 0:
        return
    owner = services.company_owner(question.company_id)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, reward.currency)
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, reward.currency)
    ledger.post(
        f"hold:{question.id}:reward:{reward.answer_id}:{reward.generation}",
        "hold",
        ("question", str(question.id)),
        [(budget, -shortfall), (holds, shortfall)],
        memo=f"reward:{reward.id}",
    )


def _awaits_another_answer(question: Question, answer_id: uuid.UUID) -> bool:
    """Open (queued, offered, assigned), or another answer still waits for its outcome."""
    return question.id in services.awaiting_answers([question.id], excluding=answer_id)


def _post_reversal(reward: Reward, reason: str) -> None:
    expert, company = (
        services.expert_owner(reward.expert_id),
        services.company_owner(reward.company_id),
    )
    accounts = ledger.accounts_by_key(
        [
            (AccountKind.EXPERT_EARNINGS, expert, reward.currency),
            (AccountKind.EXPERT_RECEIVABLE, expert, reward.currency),
            (AccountKind.COMPANY_BUDGET, company, reward.currency),
            (AccountKind.PLATFORM_FEES, "platform", reward.currency),
        ]
    )
    earnings = accounts[(AccountKind.EXPERT_EARNINGS, expert, reward.currency)]
    balances = ledger.lock_accounts(accounts.values())
    from_earnings = min(reward.payout, balances[earnings.id])
    legs = [
        (earnings, -from_earnings),
        (
            accounts[(AccountKind.EXPERT_RECEIVABLE, expert, reward.currency)],
            -(reward.payout - from_earnings),
        ),
        (accounts[(AccountKind.PLATFORM_FEES, "platform", reward.currency)], -reward.fee),
        (accounts[(AccountKind.COMPANY_BUDGET, company, reward.currency)], reward.charge),
    ]
    transaction, _ = ledger.post(
        f"reverse:{reward.id}",
        "reversal",
        ("reward", str(reward.id)),
        [(account, amount) for account, amount in legs if amount],
        memo=reason[:200],
    )
    reward.status = RewardStatus.REVERSED
    reward.reason = reason
    reward.reversal_transaction_id = transaction.id
    reward.reversed_at = utcnow()


def _latest_reward(answer_id: uuid.UUID) -> Reward | None:
    query = sa.select(Reward).where(Reward.answer_id == answer_id)
    return db.session.scalars(query.order_by(Reward.generation.desc()).limit(1)).first()


def _live_reward(answer_id: uuid.UUID) -> Reward | None:
    query = sa.select(Reward).where(
        Reward.answer_id == answer_id, Reward.status.in_(LIVE_REWARD_STATUSES)
    )
    return db.session.scalars(query).one_or_none()


def _crowd_member(expert_id: uuid.UUID, pool_id: uuid.UUID | None) -> bool:
    """Whether the expert is a member of the question's pool (staff answer from outside it)."""
    if pool_id is None:
        return True
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PoolMembership)
            .filter_by(pool_id=pool_id, expert_id=expert_id)
        )
        > 0
    )


def _tier(expert_id: uuid.UUID, pool_id: uuid.UUID | None) -> str:
    """The expert's tier in the question's pool, else their profile tier."""
    tier = None
    if pool_id is not None:
        tier = db.session.scalar(
            sa.select(PoolMembership.tier).filter_by(pool_id=pool_id, expert_id=expert_id)
        )
    if tier is None:
        tier = db.session.scalar(sa.select(ExpertProfile.tier).filter_by(user_id=expert_id))
    return tier.value if tier is not None else "probation"


def _used_share(answer: Answer) -> Decimal:
    """How much of the allowed time (assignment to deadline) the expert used; 1 if unknown."""
    assignment = db.session.get(Assignment, answer.assignment_id)
    if assignment is None:
        return Decimal(1)
    allowed = assignment.deadline - assignment.created_at
    used = answer.created_at - assignment.created_at
    if allowed.total_seconds() <= 0:
        return Decimal(1)
    return max(Decimal(0), Decimal(used.total_seconds()) / Decimal(allowed.total_seconds()))


def _score(quality: float) -> Decimal:
    valid = (
        isinstance(quality, int | float | Decimal)
        and not isinstance(quality, bool)
        and math.isfinite(quality)
        and 0 <= quality <= 1
    )
    try:
        if valid:
            return Decimal(str(quality))
    except InvalidOperation:
        pass
    raise InvalidInput(
        "The quality score is not acceptable.", errors={"quality": ["Must be between 0 and 1."]}
    )


def _check_reason(reason: str) -> None:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
        raise InvalidInput(
            "A reason is required.", errors={"reason": ["Give a reason of 1 to 200 characters."]}
        )
