"""Batched settlement: capture many pending rewards in one database transaction.

Per reward, one capture transaction (key `capture:<answer_id>[:<generation>]`) moves its
charge out of the company's holds: the payout to the expert's earnings, the fee to the
platform; the last reward of a question also returns the rest of the question's hold to the
budget, unless the question still awaits an answer (reopened, or another answer undecided).
The rewards are claimed with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite serialises
writers), and the captures and the `settled` marks commit together: a crash leaves either all
of a batch or none of it, and the unique keys make any rerun a no-op.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.questions.models import Question
from marketplace.rewards import ledger, services
from marketplace.rewards.models import (
    AccountKind,
    LedgerAccount,
    LedgerTransaction,
    Reward,
    RewardStatus,
)

log = logging.getLogger(__name__)
audit_log = logging.getLogger("marketplace.audit.money")

AccountKey = tuple[AccountKind, str, str]


def capture_key(reward: Reward) -> str:
    """The idempotency key of a reward's capture transaction."""
    suffix = f":{reward.generation}" if reward.generation > 1 else ""
    return f"capture:{reward.answer_id}{suffix}"


def settle_batch(limit: int = 500) -> list[uuid.UUID]:
    """Capture up to `limit` pending rewards in one transaction; returns the settled ids."""
    return _settle_batch(limit)[0]


def _settle_batch(limit: int) -> tuple[list[uuid.UUID], int]:
    """settle_batch, also returning how many rewards it claimed (settled or set aside)."""
    try:
        rewards = _claim(limit)
        if not rewards:
            db.session.rollback()
            return [], 0
        _lock_questions({reward.question_id for reward in rewards})
        captured, to_capture = _already_captured(rewards)
        to_capture, postings = _postings(to_capture, [r.id for r in rewards])
        transaction_ids = _post(postings)
        settling = [reward for reward, _ in captured] + to_capture
        _mark_settled(settling, [tid for _, tid in captured] + transaction_ids)
        settled = [reward.id for reward in settling]  # read before the commit expires them
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _notify_credited(settled)
    return settled, len(rewards)


def _notify_credited(reward_ids: list[uuid.UUID]) -> None:
    """Tell the experts; the money is committed, so a failure here is logged, never raised
    (a raise would fail the job and make RQ run the money job again)."""
    if not reward_ids:
        return
    try:
        services.notify_reward_credited(reward_ids)
    except Exception:
        log.exception("reward.credited for %d settled rewards was not sent", len(reward_ids))
    finally:
        db.session.rollback()  # end the read: the next batch starts its own transaction


def settle_all(limit: int = 500, max_seconds: float = 60.0) -> tuple[int, bool]:
    """Settle batches until no pending reward is left or time is up: (settled, finished)."""
    deadline = time.monotonic() + max_seconds
    total = 0
    while True:
        settled, claimed = _settle_batch(limit)
        total += len(settled)
        if claimed < limit:
            return total, True
        if time.monotonic() > deadline:
            return total, False


def blocked_rewards(limit: int = 1000) -> list[Reward]:
    """Pending rewards settlement set aside, oldest first (`flask rewards blocked`)."""
    return list(
        db.session.scalars(
            sa.select(Reward)
            .where(Reward.status == RewardStatus.PENDING, Reward.blocked_at.is_not(None))
            .order_by(Reward.blocked_at, Reward.id)
            .limit(limit)
        )
    )


def unblock(reward_ids: Sequence[uuid.UUID] = ()) -> int:
    """Let settlement try set-aside rewards again (all, or the given ones); how many."""
    table = Reward.__table__
    statement = sa.update(table).where(
        table.c.status == RewardStatus.PENDING.value, table.c.blocked_at.is_not(None)
    )
    if reward_ids:
        statement = statement.where(table.c.id.in_(list(reward_ids)))
    count = db.session.execute(statement.values(blocked_at=None, blocked_reason=None)).rowcount
    db.session.commit()
    audit_log.info("unblocked %d rewards for settlement", count)
    return count


def _claim(limit: int) -> list[Reward]:
    query = (
        sa.select(Reward)
        .where(Reward.status == RewardStatus.PENDING, Reward.blocked_at.is_(None))
        .order_by(Reward.created_at, Reward.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Reward)
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(query))


def _lock_questions(question_ids: set[uuid.UUID]) -> None:
    """Lock the questions in id order: accepts and releases of the same question wait."""
    db.session.execute(
        sa.select(Question.id)
        .where(Question.id.in_(sorted(question_ids)))
        .order_by(Question.id)
        .with_for_update()
    ).all()


def _already_captured(rewards: list[Reward]) -> tuple[list[tuple[Reward, int]], list[Reward]]:
    """Rewards whose capture exists (a rerun after a partial failure) are only linked to it."""
    keys = {capture_key(reward): reward for reward in rewards}
    found = dict(
        db.session.execute(
            sa.select(LedgerTransaction.idempotency_key, LedgerTransaction.id).where(
                LedgerTransaction.idempotency_key.in_(list(keys))
            )
        ).all()
    )
    captured = [(keys[key], transaction_id) for key, transaction_id in found.items()]
    return captured, [reward for key, reward in keys.items() if key not in found]


def _postings(
    rewards: list[Reward], batch_ids: list[uuid.UUID]
) -> tuple[list[Reward], list[ledger.Posting]]:
    """The capture of each reward; rewards whose hold falls short are left pending."""
    by_question: dict[uuid.UUID, list[Reward]] = defaultdict(list)
    for reward in rewards:
        by_question[reward.question_id].append(reward)
    question_ids = sorted(by_question)
    held = services.held_for_questions(question_ids)
    others = services.reserved_for_questions(question_ids, excluding=batch_ids)
    # A question reopened (or with another answer to decide) keeps its hold for that answer.
    keep = services.awaiting_answers(question_ids)
    accounts = ledger.accounts_by_key(key for r in rewards for key in _account_keys(r))
    kept: list[Reward] = []
    postings: list[ledger.Posting] = []
    for question_id in question_ids:
        group = by_question[question_id]
        available = held.get(question_id, 0) - others.get(question_id, 0)
        rest = available - sum(r.charge for r in group)
        if rest < 0:
            _block(
                group, f"question {question_id} holds {available}, its rewards need {-rest} more"
            )
            continue
        for index, reward in enumerate(group):
            release = max(rest - keep.get(question_id, 0), 0) if index == len(group) - 1 else 0
            postings.append(_capture(reward, release, accounts))
            kept.append(reward)
    return kept, postings


def _block(rewards: list[Reward], reason: str) -> None:
    """Set rewards aside (committed with the batch): later claims skip them, so they cannot
    starve the rewards behind them; `flask ledger check` and `flask rewards blocked` show them."""
    log.error("%s; %d rewards set aside", reason, len(rewards))
    table = Reward.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id.in_([reward.id for reward in rewards]))
        .values(blocked_at=utcnow(), blocked_reason=reason[:200])
    )


def _account_keys(reward: Reward) -> list[AccountKey]:
    company = services.company_owner(reward.company_id)
    return [
        (AccountKind.COMPANY_HOLDS, company, reward.currency),
        (AccountKind.COMPANY_BUDGET, company, reward.currency),
        (AccountKind.EXPERT_EARNINGS, services.expert_owner(reward.expert_id), reward.currency),
        (AccountKind.PLATFORM_FEES, "platform", reward.currency),
    ]


def _capture(
    reward: Reward, release: int, accounts: dict[AccountKey, LedgerAccount]
) -> ledger.Posting:
    holds, budget, earnings, fees = (accounts[key] for key in _account_keys(reward))
    legs = [
        (holds, -(reward.charge + release)),
        (earnings, reward.payout),
        (fees, reward.fee),
        (budget, release),
    ]
    return ledger.Posting(
        idempotency_key=capture_key(reward),
        kind="capture",
        reference=("question", str(reward.question_id)),
        legs=[(account, amount) for account, amount in legs if amount],
        memo=f"reward:{reward.id}",
    )


def _post(postings: Sequence[ledger.Posting]) -> list[int]:
    """Post the captures in bulk; if a key exists already, fall back to one idempotent post each."""
    try:
        with db.session.begin_nested():
            return ledger.post_many(postings)
    except IntegrityError:
        log.warning("a capture of this batch was already posted; posting one by one")
        return [
            ledger.post(p.idempotency_key, p.kind, p.reference, p.legs, p.memo)[0].id
            for p in postings
        ]


def _mark_settled(rewards: list[Reward], transaction_ids: list[int]) -> None:
    now = utcnow()
    rows = [
        {
            "id": reward.id,
            "status": RewardStatus.SETTLED,
            "settled_at": now,
            "capture_transaction_id": transaction_id,
        }
        for reward, transaction_id in zip(rewards, transaction_ids, strict=True)
    ]
    if rows:
        db.session.execute(sa.update(Reward), rows)
    total = sum(reward.charge for reward in rewards)
    audit_log.info("settled %d rewards, %d minor units captured", len(rows), total)
