"""`flask ledger check`, payouts: money in flight, each item's transactions, batch statuses."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.rewards.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    PayoutBatch,
    PayoutBatchStatus,
    PayoutItem,
    PayoutItemStatus,
)

E, T, A = LedgerEntry, LedgerTransaction, LedgerAccount
Leg = tuple[str, AccountKind, str, str]  # transaction kind, account kind, owner, currency
# Where a resolved item's money went: paid out, or back to earnings.
RESOLUTION = {
    PayoutItemStatus.PAID: ("payout_paid", AccountKind.EXPERT_PAID_OUT),
    PayoutItemStatus.FAILED: ("payout_failed", AccountKind.EXPERT_EARNINGS),
}


def payouts_in_flight() -> list[str]:
    """Money in flight equals the in-flight payout items, per expert and currency."""
    items = {
        (f"expert:{e}", c): int(s)
        for e, c, s in db.session.execute(
            sa.select(PayoutItem.expert_id, PayoutItem.currency, sa.func.sum(PayoutItem.amount))
            .where(PayoutItem.status == PayoutItemStatus.IN_FLIGHT)
            .group_by(PayoutItem.expert_id, PayoutItem.currency)
        )
    }
    accounts = {
        (o, c): b
        for o, c, b in db.session.execute(
            sa.select(A.owner, A.currency, A.balance).where(A.kind == AccountKind.PAYOUTS_IN_FLIGHT)
        )
    }
    problems = []
    for key in sorted(set(items) | set(accounts)):
        if items.get(key, 0) != accounts.get(key, 0):
            owner, currency = key
            problems.append(
                f"{owner} has {accounts.get(key, 0)} {currency} in flight "
                f"but in-flight payout items of {items.get(key, 0)}"
            )
    return problems


def payout_items() -> list[str]:
    """Each payout item's transactions move exactly its amount: earnings (less any recovered
    debt) into flight when the batch was built, then out as paid or back as failed, once."""
    legs: dict[str, dict[Leg, int]] = {}
    for reference, kind, account, owner, currency, total in db.session.execute(
        sa.select(T.reference_id, T.kind, A.kind, A.owner, A.currency, sa.func.sum(E.amount))
        .join(E, E.transaction_id == T.id)
        .join(A, A.id == E.account_id)
        .where(T.reference_type == "payout_item")
        .group_by(T.reference_id, T.kind, A.kind, A.owner, A.currency)
    ):
        legs.setdefault(reference, {})[(kind, account, owner, currency)] = int(total)
    problems = []
    for item in db.session.scalars(sa.select(PayoutItem).order_by(PayoutItem.id)):
        actual = {leg: amount for leg, amount in legs.pop(str(item.id), {}).items() if amount}
        expected = _expected_legs(item)
        if actual != expected:
            problems.append(
                f"payout item {item.id} ({item.status.value}, {item.amount} {item.currency}): "
                f"the ledger moved {_describe(actual)}; the item calls for {_describe(expected)}"
            )
    problems += [f"transactions reference payout item {ref}, which does not exist" for ref in legs]
    return problems


def _expected_legs(item: PayoutItem) -> dict[Leg, int]:
    owner, currency = f"expert:{item.expert_id}", item.currency
    expected: dict[Leg, int] = {
        ("payout", AccountKind.EXPERT_EARNINGS, owner, currency): -(
            item.amount + item.debt_recovered
        ),
        ("payout", AccountKind.PAYOUTS_IN_FLIGHT, owner, currency): item.amount,
    }
    if item.debt_recovered:
        expected[("payout", AccountKind.EXPERT_RECEIVABLE, owner, currency)] = item.debt_recovered
    if item.status in RESOLUTION:
        kind, destination = RESOLUTION[item.status]
        expected[(kind, AccountKind.PAYOUTS_IN_FLIGHT, owner, currency)] = -item.amount
        expected[(kind, destination, owner, currency)] = item.amount
    return expected


def batch_statuses() -> list[str]:
    """A batch is closed exactly when none of its items is in flight, and has items."""
    in_flight = sa.func.sum(sa.case((PayoutItem.status == PayoutItemStatus.IN_FLIGHT, 1), else_=0))
    rows = db.session.execute(
        sa.select(PayoutBatch.key, PayoutBatch.status, sa.func.count(PayoutItem.id), in_flight)
        .outerjoin(PayoutItem, PayoutItem.batch_id == PayoutBatch.id)
        .group_by(PayoutBatch.id, PayoutBatch.key, PayoutBatch.status)
        .order_by(PayoutBatch.key)
    )
    problems = []
    for key, status, items, flying in rows:
        flying = int(flying or 0)
        if items == 0:
            problems.append(f"payout batch {key} has no items")
        elif status == PayoutBatchStatus.CLOSED and flying:
            problems.append(f"payout batch {key} is closed with {flying} items still in flight")
        elif status == PayoutBatchStatus.OPEN and not flying:
            problems.append(f"payout batch {key} is open but none of its items is in flight")
    return problems


def _describe(legs: dict[Any, int]) -> str:
    moved = [
        f"{kind} {account.value} {owner} {amount:+d} {currency}"
        for (kind, account, owner, currency), amount in sorted(legs.items())
    ]
    return ", ".join(moved) or "nothing"
