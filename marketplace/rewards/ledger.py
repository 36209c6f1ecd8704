"""Double-entry posting primitives. Callers own the transaction; these only add to it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.errors import PaymentRequired
from marketplace.extensions import db
from marketplace.rewards.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction

log = logging.getLogger(__name__)
audit_log = logging.getLogger("marketplace.audit.money")

# Accounts whose balance may never go below zero, and those never above it (top-ups mirror
# money that came in; a receivable is what an expert owes back).
NON_NEGATIVE = frozenset(
    {
        AccountKind.COMPANY_BUDGET,
        AccountKind.COMPANY_HOLDS,
        AccountKind.EXPERT_EARNINGS,
        AccountKind.EXPERT_PAID_OUT,
        AccountKind.PAYOUTS_IN_FLIGHT,
        AccountKind.PLATFORM_FEES,
    }
)
NON_POSITIVE = frozenset({AccountKind.TOP_UPS, AccountKind.EXPERT_RECEIVABLE})
Leg = tuple[LedgerAccount, int]


@dataclass(frozen=True)
class Posting:
    """One balanced transaction to post with `post_many`."""

    idempotency_key: str
    kind: str
    reference: tuple[str, str]
    legs: Sequence[Leg]
    memo: str | None = None


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
            # Always lock account rows in id order, so concurrent posters cannot deadlock.
            for account, amount in sorted(legs, key=lambda leg: leg[0].id):
                _apply(account, amount)
            db.session.add_all(
                LedgerEntry(
                    transaction_id=transaction.id,
                    account_id=account.id,
                    amount=amount,
                    currency=account.currency,
                )
                for account, amount in legs
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


def post_many(postings: Sequence[Posting]) -> list[int]:
    """Post many new transactions with a few statements; returns their ids in order.

    Balances move once per account (summed, in account-id order, with the same overdraft
    check) before the entries are inserted: the account rows are locked in one order by
    every transaction (inserting the entries first took key-share locks in leg order, and
    two settlements deadlocked). A key already used raises IntegrityError: the caller rolls
    back and falls back to `post`, which is idempotent per key.
    """
    if not postings:
        return []
    for posting in postings:
        _check_balanced(posting.legs)
    now = utcnow()
    ids = _insert_transactions(postings, now)
    _apply_totals(postings)
    entries = [
        {
            "transaction_id": transaction_id,
            "account_id": account.id,
            "amount": amount,
            "currency": account.currency,
            "created_at": now,
        }
        for transaction_id, posting in zip(ids, postings, strict=True)
        for account, amount in posting.legs
    ]
    db.session.execute(sa.insert(LedgerEntry.__table__), entries)
    for p in postings:
        audit_log.info("posted %s %s for %s:%s", p.kind, p.idempotency_key, *p.reference)
    return ids


def _insert_transactions(postings: Sequence[Posting], now: datetime) -> list[int]:
    rows = [
        {
            "idempotency_key": p.idempotency_key,
            "kind": p.kind,
            "reference_type": p.reference[0],
            "reference_id": p.reference[1],
            "memo": p.memo,
            "created_at": now,
        }
        for p in postings
    ]
    table = LedgerTransaction.__table__
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def _apply_totals(postings: Sequence[Posting]) -> None:
    """Move each account's balance once by the sum of its legs, in account-id order."""
    totals: dict[int, int] = defaultdict(int)
    accounts: dict[int, LedgerAccount] = {}
    for posting in postings:
        for account, amount in posting.legs:
            totals[account.id] += amount
            accounts[account.id] = account
    for account_id in sorted(totals):
        if totals[account_id]:
            _apply(accounts[account_id], totals[account_id])


def accounts_by_key(keys: Iterable[tuple[AccountKind, str, str]]) -> dict[tuple, LedgerAccount]:
    """Fetch (creating when missing) many accounts by (kind, owner, currency) in few queries."""
    wanted = set(keys)
    found: dict[tuple, LedgerAccount] = {}
    owners = {owner for _, owner, _ in wanted}
    for chunk in _chunks(sorted(owners), 500):
        for account in db.session.scalars(
            sa.select(LedgerAccount).where(LedgerAccount.owner.in_(chunk))
        ):
            key = (account.kind, account.owner, account.currency)
            if key in wanted:
                found[key] = account
    for key in sorted(wanted - found.keys()):
        found[key] = get_account(*key)
    return found


def lock_accounts(accounts: Iterable[LedgerAccount]) -> dict[int, int]:
    """Lock account rows in id order (as every poster does) and return their balances."""
    ids = sorted({account.id for account in accounts})
    rows = db.session.execute(
        sa.select(LedgerAccount.id, LedgerAccount.balance)
        .where(LedgerAccount.id.in_(ids))
        .order_by(LedgerAccount.id)
        .with_for_update()
    )
    return {account_id: balance for account_id, balance in rows}


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    if account.kind in NON_POSITIVE and amount > 0:
        statement = statement.where(table.c.balance + amount <= 0)
    new_balance = db.session.execute(statement).scalar_one_or_none()
    if new_balance is None:
        raise InsufficientFunds(
            f"the {account.kind.value.replace('_', ' ')} balance in {account.currency} "
            f"is too low for this ({abs(amount)} minor units needed)"
        )
    db.session.expire(account, ["balance"])


def balance_from_entries(account_id: int) -> int:
    """Sum an account's entries (the truth the cached balance must match)."""
    query = sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.account_id == account_id
    )
    return int(db.session.scalar(query))
