"""Double-entry posting primitives. Callers own the transaction; these only add to it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.errors import PaymentRequired
from marketplace.extensions import db
from marketplace.rewards.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction

log = logging.getLogger(__name__)
audit_log = logging.getLogger("marketplace.audit.money")

# Accounts whose balance may never go below zero; the others may (top-ups mirror money in).
NON_NEGATIVE = {AccountKind.COMPANY_BUDGET, AccountKind.COMPANY_HOLDS, AccountKind.EXPERT_EARNINGS}


class InsufficientFunds(PaymentRequired):
    """A posting would take a non-negative account below zero."""


def owner_key(kind: str, owner_id: object | None = None) -> str:
    """The owner string of an account: 'company:<id>', 'expert:<id>' or 'platform'."""
    return f"{kind}:{owner_id}" if owner_id is not None else kind


def get_account(kind: AccountKind, owner: str, currency: str) -> LedgerAccount:
    """Fetch an account, creating it on first use (safe when two callers race to create it)."""
    query = sa.select(LedgerAccount).filter_by(kind=kind, owner=owner, currency=currency)
    account = db.session.scalars(query).one_or_none()
    if account is not None:
        return account
    try:
        with db.session.begin_nested():
            account = LedgerAccount(kind=kind, owner=owner, currency=currency, balance=0)
            db.session.add(account)
    except IntegrityError:
        account = db.session.scalars(query).one()
    return account


def find_transaction(idempotency_key: str) -> LedgerTransaction | None:
    """The transaction already posted under this key, if any."""
    query = sa.select(LedgerTransaction).filter_by(idempotency_key=idempotency_key)
    return db.session.scalars(query).one_or_none()


def post(
    idempotency_key: str,
    kind: str,
    reference: tuple[str, str],
    legs: Sequence[tuple[LedgerAccount, int]],
    memo: str | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Post a balanced transaction once. Returns (transaction, posted_now).

    A key already used returns the earlier transaction and posts nothing; a leg that would take
    a non-negative account below zero raises InsufficientFunds and posts nothing.
    """
    _check_balanced(legs)
    existing = find_transaction(idempotency_key)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            transaction = LedgerTransaction(
                idempotency_key=idempotency_key,
                kind=kind,
                reference_type=reference[0],
                reference_id=reference[1],
                memo=memo,
            )
            db.session.add(transaction)
            db.session.flush()
            for account, amount in legs:
                _apply(account, amount)
                db.session.add(
                    LedgerEntry(
                        transaction_id=transaction.id,
                        account_id=account.id,
                        amount=amount,
                        currency=account.currency,
                    )
                )
            db.session.flush()
    except IntegrityError:
        # Another caller posted the same key between our check and our insert.
        existing = find_transaction(idempotency_key)
        if existing is None:
            raise
        return existing, False
    audit_log.info("posted %s %s for %s:%s", kind, idempotency_key, *reference)
    return transaction, True


def _check_balanced(legs: Sequence[tuple[LedgerAccount, int]]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for account, amount in legs:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            raise ValueError(f"ledger legs must be non-zero integers, got {amount!r}")
        totals[account.currency] += amount
    unbalanced = {currency: total for currency, total in totals.items() if total}
    if unbalanced:
        raise ValueError(f"transaction does not balance: {unbalanced}")


def _apply(account: LedgerAccount, amount: int) -> None:
    """Move the cached balance with a conditional UPDATE, so concurrent posters cannot overdraw."""
    table = LedgerAccount.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == account.id)
        .values(balance=table.c.balance + amount)
        .returning(table.c.balance)
    )
    if account.kind in NON_NEGATIVE and amount < 0:
        statement = statement.where(table.c.balance + amount >= 0)
    new_balance = db.session.execute(statement).scalar_one_or_none()
    if new_balance is None:
        raise InsufficientFunds(
            f"the {account.kind.value.replace('_', ' ')} balance in {account.currency} "
            f"is too low for this ({-amount} minor units needed)"
        )
    db.session.expire(account, ["balance"])


def balance_from_entries(account_id: int) -> int:
    """Sum an account's entries (the truth the cached balance must match)."""
    query = sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.account_id == account_id
    )
    return int(db.session.scalar(query))
