"""Payout batches: gather experts' earnings above a minimum, export a bank file, confirm it.

Building a batch moves each payee's earnings into `payouts_in_flight` (after first recovering
what they owe from reversed rewards); the bank file goes to the provider; finance then marks
items paid (in flight -> paid out) or failed (in flight -> back to earnings).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.database import new_id, utcnow
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.rewards import ledger
from marketplace.rewards.currencies import MINOR_UNIT_EXPONENTS
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
from marketplace.rewards.policy import PAYOUT_MINIMUM_MINOR
from marketplace.rewards.providers import CsvBankFileProvider, PayoutProvider, PayoutRow

log = logging.getLogger(__name__)
audit_log = logging.getLogger("marketplace.audit.money")
OUTCOMES = {"paid": PayoutItemStatus.PAID, "failed": PayoutItemStatus.FAILED}


def payout_minimum(currency: str) -> int:
    """The smallest payout in a currency (minor units): config, policy, else 10 major units."""
    configured = current_app.config.get("PAYOUT_MINIMUM_MINOR") or {}
    if currency in configured:
        return int(configured[currency])
    return PAYOUT_MINIMUM_MINOR.get(currency, 10 * 10 ** MINOR_UNIT_EXPONENTS[currency])


def default_provider() -> PayoutProvider:
    """The CSV bank file provider writing under PAYOUT_DIRECTORY (default instance/payouts)."""
    directory = current_app.config.get("PAYOUT_DIRECTORY") or os.path.join(
        current_app.instance_path, "payouts"
    )
    return CsvBankFileProvider(directory)


def build_payout_batch(
    key: str | None = None,
    provider: PayoutProvider | None = None,
    actor: Actor | None = None,
) -> PayoutBatch | None:
    """Gather each expert's earnings at or above the minimum into one batch, once per key.

    The key defaults to today's UTC date, so a daily schedule builds one batch a day; running
    it again returns the same batch (re-exporting its file). None when nobody is due.
    """
    key = key or utcnow().date().isoformat()
    provider = provider or default_provider()
    existing = _batch_by_key(key)
    if existing is None:
        try:
            existing = _build(key, provider.name, actor or Actor.system("payouts"))
        except IntegrityError:
            db.session.rollback()  # a concurrent build of the same key won
            existing = _batch_by_key(key)
        if existing is None:
            return None
    export_batch(existing.id, provider)
    return existing


def _build(key: str, provider_name: str, actor: Actor) -> PayoutBatch | None:
    try:
        batch = PayoutBatch(key=key, provider=provider_name, status=PayoutBatchStatus.OPEN)
        db.session.add(batch)
        db.session.flush()
        items = _gather(batch)
        if not items:
            db.session.rollback()
            return None
        record(
            actor,
            "payout_batch.built",
            "payout_batch",
            batch.id,
            after={"key": key, "items": len(items), "totals": _totals(items)},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    audit_log.info("payout batch %s built: %d items %s", key, len(items), _totals(items))
    return batch


def _gather(batch: PayoutBatch) -> list[PayoutItem]:
    """Move due earnings into flight, one item and one transaction per expert and currency."""
    accounts = db.session.scalars(
        sa.select(LedgerAccount)
        .where(
            sa.or_(
                sa.and_(
                    LedgerAccount.kind == AccountKind.EXPERT_EARNINGS, LedgerAccount.balance > 0
                ),
                sa.and_(
                    LedgerAccount.kind == AccountKind.EXPERT_RECEIVABLE,
                    LedgerAccount.balance < 0,
                ),
            )
        )
        .order_by(LedgerAccount.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    owed = {(a.owner, a.currency): a for a in accounts if a.kind == AccountKind.EXPERT_RECEIVABLE}
    items, postings = [], []
    for earnings in (a for a in accounts if a.kind == AccountKind.EXPERT_EARNINGS):
        receivable = owed.get((earnings.owner, earnings.currency))
        debt = -receivable.balance if receivable is not None else 0
        amount = earnings.balance - debt
        if amount < payout_minimum(earnings.currency):
            continue
        item, posting = _item(batch, earnings, receivable, debt, amount)
        items.append(item)
        postings.append(posting)
    db.session.add_all(items)
    db.session.flush()
    for item, transaction_id in zip(items, ledger.post_many(postings), strict=True):
        item.transaction_id = transaction_id
    return items


def _item(
    batch: PayoutBatch,
    earnings: LedgerAccount,
    receivable: LedgerAccount | None,
    debt: int,
    amount: int,
) -> tuple[PayoutItem, ledger.Posting]:
    expert_id = uuid.UUID(earnings.owner.removeprefix("expert:"))
    in_flight = ledger.get_account(AccountKind.PAYOUTS_IN_FLIGHT, earnings.owner, earnings.currency)
    item = PayoutItem(
        id=new_id(),
        batch_id=batch.id,
        expert_id=expert_id,
        currency=earnings.currency,
        amount=amount,
        debt_recovered=debt,
        status=PayoutItemStatus.IN_FLIGHT,
        statement=_statement(earnings, amount, debt),
    )
    legs = [(earnings, -earnings.balance), (in_flight, amount)]
    if debt and receivable is not None:
        legs.append((receivable, debt))
    posting = ledger.Posting(
        f"payout:{batch.key}:{earnings.owner}:{earnings.currency}",
        "payout",
        ("payout_item", str(item.id)),
        legs,
    )
    return item, posting


def _statement(earnings: LedgerAccount, amount: int, debt: int) -> dict[str, Any]:
    """What this payout pays: earnings entries since the expert's previous payout."""
    previous = db.session.scalar(
        sa.select(sa.func.max(LedgerEntry.transaction_id))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account_id == earnings.id, LedgerTransaction.kind == "payout")
    )
    rows = db.session.execute(
        sa.select(LedgerEntry.amount, LedgerTransaction)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account_id == earnings.id, LedgerEntry.transaction_id > (previous or 0))
        .order_by(LedgerEntry.id)
    ).all()
    lines = [
        {
            "at": transaction.created_at.isoformat(),
            "kind": transaction.kind,
            "reward_id": _reward_of(transaction),
            "amount": entry_amount,
        }
        for entry_amount, transaction in rows
    ]
    listed = sum(line["amount"] for line in lines)
    return {
        "currency": earnings.currency,
        "carried_forward": earnings.balance - listed,
        "lines": lines,
        "credited": sum(line["amount"] for line in lines if line["amount"] > 0),
        "deducted": -sum(line["amount"] for line in lines if line["amount"] < 0),
        "debt_recovered": debt,
        "amount": amount,
    }


def _reward_of(transaction: LedgerTransaction) -> str | None:
    if transaction.reference_type == "reward":
        return transaction.reference_id
    memo = transaction.memo or ""
    return memo.removeprefix("reward:") if memo.startswith("reward:") else None


def export_batch(batch_id: uuid.UUID, provider: PayoutProvider | None = None) -> str:
    """(Re)write a batch's bank file through its provider; returns where it went."""
    provider = provider or default_provider()
    batch = db.session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound("No such payout batch.")
    location = provider.submit(batch.key, payout_rows(batch))
    batch.file_path, batch.exported_at = location, utcnow()
    db.session.commit()
    return location


def payout_rows(batch: PayoutBatch) -> list[PayoutRow]:
    """The transfers of a batch, as its bank file lists them (by currency, then payout id)."""
    rows = db.session.execute(
        sa.select(PayoutItem, User.display_name, User.email)
        .join(User, User.id == PayoutItem.expert_id)
        .where(PayoutItem.batch_id == batch.id)
        .order_by(PayoutItem.currency, PayoutItem.id)
    ).all()
    return [
        PayoutRow(item.id, batch.key, item.expert_id, name, email, item.currency, item.amount)
        for item, name, email in rows
    ]


def resolve_payouts(
    batch_ref: str, outcome: str, item_ids: Sequence[uuid.UUID] = (), actor: Actor | None = None
) -> PayoutBatch:
    """Mark a batch's in-flight items (or the given ones) paid or failed, exactly once each.

    Paid moves the money from in flight to paid out; failed returns it to the expert's
    earnings. Marking an item again with the same outcome is a no-op; naming an item that
    already has the other outcome is a Conflict and nothing is written.
    """
    if outcome not in OUTCOMES:
        raise InvalidInput("Unknown outcome.", errors={"outcome": ["Use paid or failed."]})
    batch = _batch_by_ref(batch_ref)
    items = _items_to_resolve(batch, item_ids, OUTCOMES[outcome])
    try:
        for item in items:
            _resolve(item, OUTCOMES[outcome])
        if not db.session.scalar(
            sa.select(sa.func.count()).where(
                PayoutItem.batch_id == batch.id, PayoutItem.status == PayoutItemStatus.IN_FLIGHT
            )
        ):
            batch.status, batch.closed_at = PayoutBatchStatus.CLOSED, utcnow()
        record(
            actor or Actor.system("payouts"),
            f"payout_batch.{outcome}",
            "payout_batch",
            batch.id,
            after={"items": [str(i.id) for i in items]},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return batch


def _items_to_resolve(
    batch: PayoutBatch, item_ids: Sequence[uuid.UUID], target: PayoutItemStatus
) -> list[PayoutItem]:
    query = sa.select(PayoutItem).where(PayoutItem.batch_id == batch.id)
    if item_ids:
        query = query.where(PayoutItem.id.in_(list(item_ids)))
    items = list(
        db.session.scalars(
            query.order_by(PayoutItem.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    missing = set(item_ids) - {item.id for item in items}
    if missing:
        db.session.rollback()
        raise NotFound(
            f"No payout item {sorted(map(str, missing))[0]} in batch {batch.key}.",
            errors={"items": [f"{i} is not in this batch" for i in sorted(map(str, missing))]},
        )
    # Naming items that already have the other outcome is a clash; a whole-batch mark only
    # touches what is still in flight (and clashes when nothing is).
    clashing = [i for i in items if i.status not in (PayoutItemStatus.IN_FLIGHT, target)]
    in_flight = [i for i in items if i.status == PayoutItemStatus.IN_FLIGHT]
    if clashing and (item_ids or not in_flight):
        db.session.rollback()
        raise Conflict(
            f"Payout item {clashing[0].id} is already {clashing[0].status.value}.",
            errors={"items": [f"{i.id} is {i.status.value}" for i in clashing]},
        )
    return in_flight


def _resolve(item: PayoutItem, target: PayoutItemStatus) -> None:
    owner = f"expert:{item.expert_id}"
    in_flight = ledger.get_account(AccountKind.PAYOUTS_IN_FLIGHT, owner, item.currency)
    kind = (
        AccountKind.EXPERT_PAID_OUT
        if target == PayoutItemStatus.PAID
        else AccountKind.EXPERT_EARNINGS
    )
    destination = ledger.get_account(kind, owner, item.currency)
    ledger.post(
        f"payout-{target.value}:{item.id}",
        f"payout_{target.value}",
        ("payout_item", str(item.id)),
        [(in_flight, -item.amount), (destination, item.amount)],
    )
    item.status, item.resolved_at = target, utcnow()
    audit_log.info("payout %s %s: %s %s", item.id, target.value, item.amount, item.currency)


def _batch_by_key(key: str) -> PayoutBatch | None:
    return db.session.scalars(sa.select(PayoutBatch).filter_by(key=key)).one_or_none()


def _batch_by_ref(ref: str) -> PayoutBatch:
    batch = _batch_by_key(ref)
    if batch is None:
        try:
            batch = db.session.get(PayoutBatch, uuid.UUID(ref))
        except ValueError:
            batch = None
    if batch is None:
        raise NotFound(f"No payout batch {ref!r}.")
    return batch


def _totals(items: Sequence[PayoutItem]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, 0) + item.amount
    return totals
