"""`flask ledger check`: verify every money invariant against the entries, list violations."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from marketplace.answers.models import Answer
from marketplace.extensions import db
from marketplace.questions.models import Question, QuestionStatus
from marketplace.questions.states import OPEN_STATUSES
from marketplace.rewards import ledger, payout_checks
from marketplace.rewards.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Reward,
    RewardStatus,
)
from marketplace.rewards.policy import DEFAULT_POLICY
from marketplace.rewards.services import undecided_answer

Check = Callable[[], list[str]]
E, T, A = LedgerEntry, LedgerTransaction, LedgerAccount
CAPTURED = (RewardStatus.SETTLED, RewardStatus.REVERSED)


def check_ledger() -> list[str]:
    """Run every check; an empty list means the ledger is sound."""
    violations: list[str] = []
    for check in CHECKS:
        violations.extend(check())
    return violations


def transactions_balance() -> list[str]:
    """Every transaction sums to zero per currency and has entries in its accounts' currency."""
    unbalanced = db.session.execute(
        sa.select(E.transaction_id, E.currency, sa.func.sum(E.amount))
        .group_by(E.transaction_id, E.currency)
        .having(sa.func.sum(E.amount) != 0)
    )
    empty = db.session.scalars(
        sa.select(T.idempotency_key).outerjoin(E, E.transaction_id == T.id).where(E.id.is_(None))
    )
    mismatched = db.session.scalars(
        sa.select(E.id).join(A, A.id == E.account_id).where(A.currency != E.currency)
    )
    return (
        [f"transaction {t} does not balance in {c}: sums to {s}" for t, c, s in unbalanced]
        + [f"transaction {key} has no entries" for key in empty]
        + [f"entry {entry} is not in its account's currency" for entry in mismatched]
    )


def cached_balances() -> list[str]:
    """Every account's cached balance equals the sum of its entries."""
    total = sa.func.coalesce(sa.func.sum(E.amount), 0)
    rows = db.session.execute(
        sa.select(A.id, A.kind, A.owner, A.currency, A.balance, total)
        .outerjoin(E, E.account_id == A.id)
        .group_by(A.id, A.kind, A.owner, A.currency, A.balance)
        .having(A.balance != total)
    )
    return [
        f"account {i} ({k.value} {o} {c}) caches {b} but its entries sum to {s}"
        for i, k, o, c, b, s in rows
    ]


def signs() -> list[str]:
    """No non-negative account below zero, no non-positive one above."""
    rows = db.session.execute(
        sa.select(A.kind, A.owner, A.currency, A.balance).where(
            sa.or_(
                sa.and_(A.kind.in_(ledger.NON_NEGATIVE), A.balance < 0),
                sa.and_(A.kind.in_(ledger.NON_POSITIVE), A.balance > 0),
            )
        )
    )
    return [f"{k.value} of {o} is {b} {c}: wrong sign" for k, o, c, b in rows]


def captures() -> list[str]:
    """Each settled or reversed reward has exactly one capture paying its payout and fee."""
    counts = db.session.execute(
        sa.select(T.memo, sa.func.count()).where(T.kind == "capture").group_by(T.memo)
    ).all()
    captured = {
        f"reward:{rid}": (status, tid)
        for rid, status, tid in db.session.execute(
            sa.select(Reward.id, Reward.status, Reward.capture_transaction_id)
        )
    }
    problems = [f"{memo} was captured {n} times" for memo, n in counts if n != 1]
    problems += [
        f"{memo} is {captured[memo][0].value} but has a capture"
        if memo in captured
        else f"capture {memo} belongs to no reward"
        for memo, _ in counts
        if captured.get(memo, (None,))[0] not in CAPTURED
    ]
    seen = {memo for memo, _ in counts}
    problems += [
        f"{memo} is {status.value} but has no capture"
        for memo, (status, _) in captured.items()
        if status in CAPTURED and memo not in seen
    ]
    return problems + _capture_amounts()


def _capture_amounts() -> list[str]:
    credited = sa.func.sum(sa.case((A.kind == AccountKind.EXPERT_EARNINGS, E.amount), else_=0))
    fees = sa.func.sum(sa.case((A.kind == AccountKind.PLATFORM_FEES, E.amount), else_=0))
    rows = db.session.execute(
        sa.select(Reward.id, Reward.payout, Reward.fee, credited, fees)
        .join(T, T.id == Reward.capture_transaction_id)
        .join(E, E.transaction_id == T.id)
        .join(A, A.id == E.account_id)
        .group_by(Reward.id, Reward.payout, Reward.fee)
        .having(sa.or_(credited != Reward.payout, fees != Reward.fee))
    )
    return [f"reward {r} captured {c}+{f}, not {p}+{fee}" for r, p, fee, c, f in rows]


def reversals() -> list[str]:
    """Each reversed reward has exactly one reversal; no other reward has one."""
    counts = dict(
        db.session.execute(
            sa.select(T.reference_id, sa.func.count())
            .where(T.kind == "reversal", T.reference_type == "reward")
            .group_by(T.reference_id)
        ).all()
    )
    statuses = {
        str(rid): status for rid, status in db.session.execute(sa.select(Reward.id, Reward.status))
    }
    problems = [f"reward {rid} was reversed {n} times" for rid, n in counts.items() if n != 1]
    problems += [
        f"reward {rid} is {statuses.get(rid)} but has a reversal"
        for rid in counts
        if statuses.get(rid) != RewardStatus.REVERSED
    ]
    problems += [
        f"reward {rid} is reversed without a reversal transaction"
        for rid, status in statuses.items()
        if status == RewardStatus.REVERSED and rid not in counts
    ]
    return problems + _reversals_mirror_captures()


def _reversals_mirror_captures() -> list[str]:
    """A reversal gives back exactly what its capture paid: the expert's credit (from earnings
    or owed), the fee, all to the company's budget, and touches nothing else."""
    rewards = db.session.execute(
        sa.select(
            Reward.id,
            Reward.expert_id,
            Reward.company_id,
            Reward.capture_transaction_id,
            Reward.reversal_transaction_id,
        ).where(Reward.status == RewardStatus.REVERSED)
    ).all()
    legs = _legs_of([t for r in rewards for t in (r[3], r[4]) if t is not None])
    problems = []
    for reward_id, expert_id, company_id, capture_id, reversal_id in rewards:
        expert, company = f"expert:{expert_id}", f"company:{company_id}"
        captured = legs.get(capture_id, {})
        paid = captured.get((AccountKind.EXPERT_EARNINGS, expert), 0)
        fee = captured.get((AccountKind.PLATFORM_FEES, "platform"), 0)
        expected = {
            (AccountKind.EXPERT_EARNINGS, expert): -paid,
            (AccountKind.PLATFORM_FEES, "platform"): -fee,
            (AccountKind.COMPANY_BUDGET, company): paid + fee,
        }
        actual = dict(legs.get(reversal_id, {}))
        actual[(AccountKind.EXPERT_EARNINGS, expert)] = actual.get(
            (AccountKind.EXPERT_EARNINGS, expert), 0
        ) + actual.pop((AccountKind.EXPERT_RECEIVABLE, expert), 0)
        if {k: v for k, v in actual.items() if v} != {k: v for k, v in expected.items() if v}:
            problems.append(
                f"reversal of reward {reward_id} does not mirror its capture: it moved "
                f"{_describe(actual)}; the capture calls for {_describe(expected)}"
            )
    return problems


def _legs_of(transaction_ids: list[int]) -> dict[int, dict[tuple[AccountKind, str], int]]:
    """Per transaction, the sum of its entries per (account kind, owner)."""
    legs: dict[int, dict[tuple[AccountKind, str], int]] = {}
    for start in range(0, len(transaction_ids), 500):
        rows = db.session.execute(
            sa.select(E.transaction_id, A.kind, A.owner, sa.func.sum(E.amount))
            .join(A, A.id == E.account_id)
            .where(E.transaction_id.in_(transaction_ids[start : start + 500]))
            .group_by(E.transaction_id, A.kind, A.owner)
        )
        for transaction_id, kind, owner, total in rows:
            legs.setdefault(transaction_id, {})[(kind, owner)] = int(total)
    return legs


def _describe(legs: dict[tuple[AccountKind, str], int]) -> str:
    moved = [
        f"{kind.value} {owner} {amount:+d}"
        for (kind, owner), amount in sorted(legs.items())
        if amount
    ]
    return ", ".join(moved) or "nothing"


def live_rewards() -> list[str]:
    """At most one pending or settled reward per answer: every accepted answer is paid once."""
    rows = db.session.execute(
        sa.select(Reward.answer_id, sa.func.count())
        .where(Reward.status.in_([RewardStatus.PENDING, RewardStatus.SETTLED]))
        .group_by(Reward.answer_id)
        .having(sa.func.count() > 1)
    )
    return [f"answer {answer} has {n} live rewards" for answer, n in rows]


def _held_per_question() -> dict[str, int]:
    """What each question holds: the sum of its holds entries (question id as text)."""
    rows = db.session.execute(
        sa.select(T.reference_id, sa.func.sum(E.amount))
        .join(E, E.transaction_id == T.id)
        .join(A, A.id == E.account_id)
        .where(A.kind == AccountKind.COMPANY_HOLDS, T.reference_type == "question")
        .group_by(T.reference_id)
    )
    return {q: int(total) for q, total in rows}


def _pending_per_question() -> dict[str, int]:
    """The charges of each question's pending rewards (question id as text)."""
    rows = db.session.execute(
        sa.select(Reward.question_id, sa.func.sum(Reward.payout + Reward.fee))
        .where(Reward.status == RewardStatus.PENDING)
        .group_by(Reward.question_id)
    )
    return {str(q): int(total) for q, total in rows}


def holds() -> list[str]:
    """Holds move only for questions, never go negative, cover pending rewards, then empty."""
    stray = db.session.scalars(
        sa.select(T.idempotency_key)
        .join(E, E.transaction_id == T.id)
        .join(A, A.id == E.account_id)
        .where(A.kind == AccountKind.COMPANY_HOLDS, T.reference_type != "question")
    )
    held, pending = _held_per_question(), _pending_per_question()
    problems = [f"transaction {key} moves holds for no question" for key in stray]
    problems += [f"question {q} holds {h} (negative)" for q, h in held.items() if h < 0]
    problems += [
        f"question {q} holds {held.get(q, 0)}, less than its pending rewards' {p}"
        for q, p in pending.items()
        if held.get(q, 0) < p
    ]
    return problems + _finished_questions_hold_nothing(held, pending)


def _finished_questions_hold_nothing(held: dict[str, int], pending: dict[str, int]) -> list[str]:
    # A question back in the queue after a reversal holds for its next answer, and keeps
    # holding while that answer waits for its outcome.
    waiting = sa.select(Answer.id).where(Answer.question_id == Question.id, undecided_answer())
    settled = {
        str(q)
        for q in db.session.scalars(
            sa.select(Reward.question_id)
            .join(Question, Question.id == Reward.question_id)
            .where(
                Reward.status.in_(CAPTURED),
                Question.status.not_in(list(OPEN_STATUSES)),
                ~waiting.exists(),
            )
            .distinct()
        )
    }
    final = {
        str(q)
        for q in db.session.scalars(
            sa.select(Question.id).where(
                Question.status.in_(
                    [QuestionStatus.CANCELLED, QuestionStatus.EXPIRED, QuestionStatus.RETURNED]
                )
            )
        )
    }
    return [
        f"question {q} is finished but still holds {held[q]}"
        for q in sorted((settled | final) - set(pending))
        if held.get(q, 0) != 0
    ]


def open_questions_hold_their_maximum() -> list[str]:
    """Every open question (queued, offered, assigned) holds its maximum charge for the answer
    to come, beyond what its pending rewards will take."""
    held, pending = _held_per_question(), _pending_per_question()
    rows = db.session.execute(
        sa.select(Question.id, Question.status, Question.reward_amount, Question.reward_raise)
        .where(Question.status.in_(list(OPEN_STATUSES)))
        .order_by(Question.id)
    )
    problems = []
    for question_id, status, amount, raised in rows:
        q = str(question_id)
        free, maximum = (
            held.get(q, 0) - pending.get(q, 0),
            DEFAULT_POLICY.max_charge(amount + raised),
        )
        if free < maximum:
            problems.append(
                f"question {q} is {status.value} but holds {free} beyond its pending rewards, "
                f"less than its maximum charge {maximum}"
            )
    return problems


def blocked_rewards() -> list[str]:
    """No pending reward is set aside by settlement: each one is money owed and not paid."""
    rows = db.session.execute(
        sa.select(Reward.id, Reward.answer_id, Reward.blocked_at, Reward.blocked_reason)
        .where(Reward.status == RewardStatus.PENDING, Reward.blocked_at.is_not(None))
        .order_by(Reward.blocked_at, Reward.id)
    )
    return [
        f"reward {r} (answer {a}) is blocked since {at.isoformat()}: {why}; "
        "fix the hold, then run `flask rewards unblock`"
        for r, a, at, why in rows
    ]


CHECKS: tuple[Check, ...] = (
    transactions_balance,
    cached_balances,
    signs,
    captures,
    reversals,
    live_rewards,
    holds,
    open_questions_hold_their_maximum,
    blocked_rewards,
    payout_checks.payouts_in_flight,
    payout_checks.payout_items,
    payout_checks.batch_statuses,
)
