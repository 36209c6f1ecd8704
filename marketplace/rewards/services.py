"""Money flows a company sees: top-ups, holds on posted questions, releases, and balances."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from marketplace.answers.models import Answer, AnswerStatus, Outcome
from marketplace.companies.models import Company
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.questions.models import Question
from marketplace.questions.states import OPEN_STATUSES
from marketplace.rewards import ledger
from marketplace.rewards.currencies import is_currency
from marketplace.rewards.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Reward,
    RewardStatus,
)
from marketplace.rewards.policy import DEFAULT_POLICY

log = logging.getLogger(__name__)
audit_log = logging.getLogger("marketplace.audit.money")

# A single top-up above this many minor units is refused as a likely typo.
TOP_UP_MAX_MINOR = 10**12
SETTLE_JOB = "workers.rewards.settle_pending"


@dataclass(frozen=True)
class CompanyBalance:
    """A company's money in one currency, in minor units."""

    currency: str
    budget: int
    on_hold: int
    spent: int
    topped_up: int


def company_owner(company_id: uuid.UUID) -> str:
    """Ledger owner string of a company."""
    return ledger.owner_key("company", company_id)


def expert_owner(expert_id: uuid.UUID) -> str:
    """Ledger owner string of an expert."""
    return ledger.owner_key("expert", expert_id)


def top_up(
    company_id: uuid.UUID, amount: int, currency: str, idempotency_key: str, actor: Actor
) -> tuple[int, bool]:
    """Add prepaid money to a company's budget once per idempotency key; returns (id, new).

    Repeating a key with the same amount and currency is a no-op; with another amount or
    currency it is a Conflict and nothing is written.
    """
    _check_amount(amount, currency, TOP_UP_MAX_MINOR)
    _check_key(idempotency_key)
    if db.session.get(Company, company_id) is None:
        raise NotFound("No such company.")
    key = f"top-up:{company_id}:{idempotency_key}"
    existing = ledger.find_transaction(key)
    if existing is not None:
        _same_top_up_or_conflict(existing, amount, currency)
        db.session.rollback()
        return existing.id, False
    owner = company_owner(company_id)
    source = ledger.get_account(AccountKind.TOP_UPS, owner, currency)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, currency)
    transaction, posted = ledger.post(
        key, "top_up", ("company", str(company_id)), [(source, -amount), (budget, amount)]
    )
    if not posted:  # a concurrent request with the same key won the race
        _same_top_up_or_conflict(transaction, amount, currency)
    else:
        record(
            actor,
            "budget.topped_up",
            "company",
            company_id,
            company_id=company_id,
            after={"amount": amount, "currency": currency, "key": idempotency_key},
        )
        audit_log.info("top-up %s %s for company %s by %s", amount, currency, company_id, actor)
    db.session.commit()
    return transaction.id, posted


def _same_top_up_or_conflict(transaction: LedgerTransaction, amount: int, currency: str) -> None:
    credited = db.session.execute(
        sa.select(LedgerEntry.amount, LedgerEntry.currency)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerEntry.transaction_id == transaction.id,
            LedgerAccount.kind == AccountKind.COMPANY_BUDGET,
        )
    ).one()
    if tuple(credited) != (amount, currency):
        db.session.rollback()
        raise Conflict(
            "This idempotency key was already used for a different top-up.",
            errors={"idempotency_key": [f"Already used for {credited[0]} {credited[1]}."]},
        )


def budget_accounts(company_id: uuid.UUID) -> dict[tuple[AccountKind, str], LedgerAccount]:
    """The company's budget and holds accounts in every currency, by (kind, currency), in one
    query (posting a question checks the currency and holds its reward with them)."""
    rows = db.session.scalars(
        sa.select(LedgerAccount).where(
            LedgerAccount.owner == company_owner(company_id),
            LedgerAccount.kind.in_([AccountKind.COMPANY_BUDGET, AccountKind.COMPANY_HOLDS]),
        )
    )
    return {(account.kind, account.currency): account for account in rows}


def budget_currencies(company_id: uuid.UUID) -> set[str]:
    """The currencies the company has a budget in (it topped up at least once in each)."""
    return currencies_of(budget_accounts(company_id))


def currencies_of(accounts: dict[tuple[AccountKind, str], LedgerAccount]) -> set[str]:
    """The budget currencies among budget_accounts()' result."""
    return {currency for kind, currency in accounts if kind == AccountKind.COMPANY_BUDGET}


def currency_refusal(currency: str, currencies: set[str]) -> str | None:
    """Why a reward in `currency` cannot be paid from budgets in `currencies`, or None."""
    if currency in currencies:
        return None
    known = ", ".join(sorted(currencies)) or "no currency yet (top up first)"
    return f"Your budget is in {known}."


def hold_question_reward(
    company_id: uuid.UUID,
    question_id: uuid.UUID,
    reward: int,
    currency: str,
    accounts: dict[tuple[AccountKind, str], LedgerAccount] | None = None,
) -> int:
    """Move the most a question can cost from budget to holds (inside the caller's transaction).

    For a question created in this transaction: its key `hold:<id>` cannot exist yet, so it is
    posted without the idempotency probe (a clash still fails on the unique key). The caller's
    pending rows are flushed first and the hold is posted last, so the company's budget row,
    which every post of the company updates, stays locked only until the caller commits.
    """
    owner = company_owner(company_id)
    amount = DEFAULT_POLICY.max_charge(reward)
    accounts = accounts if accounts is not None else budget_accounts(company_id)
    budget = accounts.get((AccountKind.COMPANY_BUDGET, currency))
    if budget is None:
        budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, currency)
    holds = accounts.get((AccountKind.COMPANY_HOLDS, currency))
    if holds is None:
        holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, currency)
    db.session.flush()
    posting = ledger.Posting(
        f"hold:{question_id}",
        "hold",
        ("question", str(question_id)),
        [(budget, -amount), (holds, amount)],
    )
    ledger.post_many([posting])
    return amount


def hold_extra_for_raise(
    company_id: uuid.UUID, question_id: uuid.UUID, reward: int, new_raise: int, currency: str
) -> int:
    """Escalation raised a reward: hold the extra maximum cost (caller's transaction)."""
    # What the question must hold beyond its pending rewards, minus what it already does.
    amount = DEFAULT_POLICY.max_charge(reward + new_raise) - free_hold(question_id)
    if amount <= 0:
        return 0
    owner = company_owner(company_id)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, currency)
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, currency)
    ledger.post(
        f"hold:{question_id}:raise:{new_raise}",
        "hold",
        ("question", str(question_id)),
        [(budget, -amount), (holds, amount)],
    )
    return amount


def restore_open_hold(question_id: uuid.UUID) -> bool:
    """A question back in the queue must hold its maximum charge again (caller's transaction).

    A rejection voided or reversed its reward and released the hold; before the question is
    offered again the hold is placed anew from the budget, so the next accepted answer is
    covered. Returns False (and writes nothing) when the budget cannot cover it.
    """
    question = lock_question(question_id)
    if question is None:
        raise NotFound("No such question.")
    maximum = DEFAULT_POLICY.max_charge(question.reward_amount + question.reward_raise)
    needed = maximum - free_hold(question.id)
    if needed <= 0:
        return True
    owner = company_owner(question.company_id)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, question.reward_currency)
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, question.reward_currency)
    try:
        # The key counts the question's earlier holds: a retry in the same state is a no-op.
        ledger.post(
            f"hold:{question.id}:reopened:{_count(question.id, 'hold') + 1}",
            "hold",
            ("question", str(question.id)),
            [(budget, -needed), (holds, needed)],
        )
    except ledger.InsufficientFunds:
        audit_log.info("question %s cannot be re-held: budget below %s", question.id, needed)
        return False
    audit_log.info("re-held %s %s for reopened question %s", needed, owner, question.id)
    return True


def release_question_hold(company_id: uuid.UUID, question_id: uuid.UUID) -> int:
    """Return what is still held for a question to the budget (inside the caller's transaction).

    Money reserved by the question's pending rewards stays held until they settle.
    """
    question = lock_question(question_id)
    if question is None or question.company_id != company_id:
        raise NotFound("No such question.")
    return release_free_hold(question)


def release_for_question(question_id: uuid.UUID) -> int:
    """Release a rejected, cancelled, expired or returned question's hold (caller's transaction).

    Safe to call any number of times: it only returns what no pending reward still needs.
    """
    question = lock_question(question_id)
    if question is None:
        raise NotFound("No such question.")
    return release_free_hold(question)


def release_free_hold(question: Question, keep_for_others_than: uuid.UUID | None = None) -> int:
    """Release what the (locked) question holds beyond its pending rewards' charges.

    With `keep_for_others_than` (an answer whose reward was voided or reversed), the question
    keeps its maximum charge if it still awaits another answer (open, or another undecided).
    """
    free = free_hold(question.id)
    if keep_for_others_than is not None:
        free -= awaiting_answers([question.id], excluding=keep_for_others_than).get(question.id, 0)
    if free <= 0:
        return 0
    owner = company_owner(question.company_id)
    currency = question.reward_currency
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, currency)
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, currency)
    # The key counts earlier releases: the same state always gives the same key, so a retried
    # release is a no-op, while a later hold on the question can still be released.
    ledger.post(
        f"release:{question.id}:{_count(question.id, 'release') + 1}",
        "release",
        ("question", str(question.id)),
        [(holds, -free), (budget, free)],
    )
    audit_log.info("released %s %s held for question %s", free, currency, question.id)
    return free


def _count(question_id: uuid.UUID, kind: str) -> int:
    """How many transactions of a kind reference the question."""
    query = sa.select(sa.func.count()).where(
        LedgerTransaction.reference_type == "question",
        LedgerTransaction.reference_id == str(question_id),
        LedgerTransaction.kind == kind,
    )
    return int(db.session.scalar(query))


def lock_question(question_id: uuid.UUID) -> Question | None:
    """Lock a question row: every change to its hold is serialised on it."""
    query = sa.select(Question).where(Question.id == question_id).with_for_update()
    return db.session.scalars(query).one_or_none()


def free_hold(question_id: uuid.UUID) -> int:
    """What is held for a question beyond what its pending rewards will capture."""
    return held_for_question(question_id) - reserved_for_questions([question_id]).get(
        question_id, 0
    )


def held_for_question(question_id: uuid.UUID) -> int:
    """What the holds account still carries for one question (sum of its hold-account entries)."""
    return held_for_questions([question_id]).get(question_id, 0)


def held_for_questions(question_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """What is held per question, for many questions in one query."""
    if not question_ids:
        return {}
    by_text = {str(qid): qid for qid in question_ids}
    query = (
        sa.select(LedgerTransaction.reference_id, sa.func.sum(LedgerEntry.amount))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerTransaction.reference_type == "question",
            LedgerTransaction.reference_id.in_(list(by_text)),
            LedgerAccount.kind == AccountKind.COMPANY_HOLDS,
        )
        .group_by(LedgerTransaction.reference_id)
    )
    return {by_text[ref]: int(total) for ref, total in db.session.execute(query)}


def reserved_for_questions(
    question_ids: Sequence[uuid.UUID], excluding: Iterable[uuid.UUID] = ()
) -> dict[uuid.UUID, int]:
    """The charges of pending rewards per question (money their capture will take)."""
    if not question_ids:
        return {}
    query = (
        sa.select(Reward.question_id, sa.func.sum(Reward.payout + Reward.fee))
        .where(Reward.question_id.in_(list(question_ids)), Reward.status == RewardStatus.PENDING)
        .group_by(Reward.question_id)
    )
    excluded = list(excluding)
    if excluded:
        query = query.where(Reward.id.not_in(excluded))
    return {qid: int(total) for qid, total in db.session.execute(query)}


def undecided_answer() -> sa.ColumnElement[bool]:
    """An answer still waiting for its outcome: its question must keep a hold for it."""
    rewarded = sa.select(Reward.id).where(Reward.answer_id == Answer.id)
    return sa.and_(
        Answer.outcome == Outcome.PENDING,
        Answer.status != AnswerStatus.REJECTED,
        ~rewarded.exists(),
    )


def awaiting_answers(
    question_ids: Sequence[uuid.UUID], excluding: uuid.UUID | None = None
) -> dict[uuid.UUID, int]:
    """Questions that must keep their maximum charge held for an answer to come or to be
    decided (open, or with an undecided answer other than `excluding`): id -> that charge."""
    if not question_ids:
        return {}
    undecided = sa.select(Answer.id).where(Answer.question_id == Question.id, undecided_answer())
    if excluding is not None:
        undecided = undecided.where(Answer.id != excluding)
    rows = db.session.execute(
        sa.select(Question.id, Question.reward_amount, Question.reward_raise).where(
            Question.id.in_(list(question_ids)),
            sa.or_(Question.status.in_(list(OPEN_STATUSES)), undecided.exists()),
        )
    )
    return {qid: DEFAULT_POLICY.max_charge(amount + raised) for qid, amount, raised in rows}


def company_balances(company_id: uuid.UUID) -> list[CompanyBalance]:
    """Budget, holds, spend and total top-ups per currency (spent = in - budget - held)."""
    rows = db.session.execute(
        sa.select(LedgerAccount.kind, LedgerAccount.currency, LedgerAccount.balance).where(
            LedgerAccount.owner == company_owner(company_id)
        )
    ).all()
    by_currency: dict[str, dict[AccountKind, int]] = {}
    for kind, currency, balance in rows:
        by_currency.setdefault(currency, {})[kind] = balance
    result = []
    for currency, balances in sorted(by_currency.items()):
        budget = balances.get(AccountKind.COMPANY_BUDGET, 0)
        on_hold = balances.get(AccountKind.COMPANY_HOLDS, 0)
        topped_up = -balances.get(AccountKind.TOP_UPS, 0)
        result.append(
            CompanyBalance(currency, budget, on_hold, topped_up - budget - on_hold, topped_up)
        )
    return result


def schedule_settlement() -> None:
    """Queue the batched settlement job for the current time bucket (call after a commit).

    Every accept in the same REWARDS_SETTLE_SECONDS bucket maps to one job id, run when the
    bucket closes, so one job settles them all. A lost enqueue is caught by the periodic
    `flask rewards settle` sweep.
    """
    from marketplace.queue import JobOptions, enqueue

    if not current_app.config.get("REWARDS_AUTO_SETTLE", True):
        return
    every = float(current_app.config.get("REWARDS_SETTLE_SECONDS", 2.0))
    now = time.time()
    bucket = int(now // every) if every > 0 else int(now * 1000)
    delay = max((bucket + 1) * every - now, 0.0) + 0.05 if every > 0 else 0.0
    options = JobOptions(queue="default", timeout=600, retry_delays=(5, 30, 120, 600))
    try:
        enqueue(SETTLE_JOB, job_id=f"rewards-settle-{bucket}", delay=delay, options=options)
    except Exception:  # the money is safe in the database; the sweep settles it later
        log.exception("could not queue reward settlement for bucket %s", bucket)


def notify_reward_credited(reward_ids: Sequence[uuid.UUID]) -> None:
    """Tell each expert a reward was credited: `reward.credited` on their /expert room."""
    from marketplace import broadcast
    from marketplace.rewards.reports import reward_payload

    if not reward_ids:
        return
    rewards = db.session.scalars(sa.select(Reward).where(Reward.id.in_(list(reward_ids))))
    payloads: list[tuple[uuid.UUID, dict[str, Any]]] = [
        (reward.expert_id, reward_payload(reward)) for reward in rewards
    ]
    for expert_id, payload in payloads:
        broadcast.to_expert(expert_id, "reward.credited", payload)


def _check_amount(amount: int, currency: str, maximum: int) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount"] = ["Must be a positive whole number of minor units."]
    elif amount > maximum:
        errors["amount"] = [f"Must be at most {maximum} minor units."]
    if not isinstance(currency, str) or not is_currency(currency):
        errors["currency"] = ["Must be an ISO 4217 currency code such as CNY or USD."]
    if errors:
        raise InvalidInput("The amount is not acceptable.", errors=errors)


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= 100 or not key.isprintable():
        raise InvalidInput(
            "The idempotency key is not acceptable.",
            errors={"idempotency_key": ["Use 1 to 100 printable characters."]},
        )
