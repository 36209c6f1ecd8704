"""Money flows a company sees: top-ups, holds on posted questions, releases, and balances."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.errors import InvalidInput
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.rewards import ledger
from marketplace.rewards.currencies import is_currency
from marketplace.rewards.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from marketplace.rewards.policy import DEFAULT_POLICY

# A single top-up above this many minor units is refused as a likely typo.
TOP_UP_MAX_MINOR = 10**12


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


def top_up(
    company_id: uuid.UUID, amount: int, currency: str, idempotency_key: str, actor: Actor
) -> tuple[int, bool]:
    """Add prepaid money to a company's budget once per idempotency key; returns (id, new)."""
    _check_amount(amount, currency, TOP_UP_MAX_MINOR)
    owner = company_owner(company_id)
    source = ledger.get_account(AccountKind.TOP_UPS, owner, currency)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, currency)
    transaction, posted = ledger.post(
        f"top-up:{company_id}:{idempotency_key}",
        "top_up",
        ("company", str(company_id)),
        [(source, -amount), (budget, amount)],
    )
    if posted:
        record(
            actor,
            "budget.topped_up",
            "company",
            company_id,
            company_id=company_id,
            after={"amount": amount, "currency": currency},
        )
    db.session.commit()
    return transaction.id, posted


def hold_question_reward(
    company_id: uuid.UUID, question_id: uuid.UUID, reward: int, currency: str
) -> int:
    """Move the most a question can cost from budget to holds (inside the caller's transaction)."""
    owner = company_owner(company_id)
    amount = DEFAULT_POLICY.max_charge(reward)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, currency)
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, currency)
    ledger.post(
        f"hold:{question_id}",
        "hold",
        ("question", str(question_id)),
        [(budget, -amount), (holds, amount)],
    )
    return amount


def release_question_hold(company_id: uuid.UUID, question_id: uuid.UUID) -> int:
    """Return what is still held for a question to the budget (inside the caller's transaction)."""
    held = held_for_question(question_id)
    if held <= 0:
        return 0
    currency = _hold_currency(question_id)
    owner = company_owner(company_id)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, owner, currency)
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, currency)
    ledger.post(
        f"release:{question_id}",
        "release",
        ("question", str(question_id)),
        [(holds, -held), (budget, held)],
    )
    return held


def held_for_question(question_id: uuid.UUID) -> int:
    """What the holds account still carries for one question (sum of its hold-account entries)."""
    query = (
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerTransaction.reference_type == "question",
            LedgerTransaction.reference_id == str(question_id),
            LedgerAccount.kind == AccountKind.COMPANY_HOLDS,
        )
    )
    return int(db.session.scalar(query))


def _hold_currency(question_id: uuid.UUID) -> str:
    query = (
        sa.select(LedgerEntry.currency)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerTransaction.idempotency_key == f"hold:{question_id}")
        .limit(1)
    )
    return db.session.scalars(query).one()


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


def _check_amount(amount: int, currency: str, maximum: int) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount"] = ["Must be a positive whole number of minor units."]
    elif amount > maximum:
        errors["amount"] = [f"Must be at most {maximum} minor units."]
    if not is_currency(currency):
        errors["currency"] = ["Must be an ISO 4217 currency code such as CNY or USD."]
    if errors:
        raise InvalidInput("The amount is not acceptable.", errors=errors)


def hold_extra_for_raise(
    company_id: uuid.UUID, question_id: uuid.UUID, reward: int, new_raise: int, currency: str
) -> int:
    """Escalation raised a reward: hold the extra maximum cost (caller's transaction)."""
    extra = DEFAULT_POLICY.max_charge(reward + new_raise) - DEFAULT_POLICY.max_charge(reward)
    already = held_for_question(question_id) - DEFAULT_POLICY.max_charge(reward)
    amount = extra - max(already, 0)
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
