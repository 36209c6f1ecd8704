"""What finance sees of payout batches: the list, one batch with its items, its bank file."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.rewards.models import PayoutBatch, PayoutItem, PayoutItemStatus
from marketplace.rewards.payouts import payout_rows
from marketplace.rewards.providers import render_csv
from marketplace.rewards.reports import decode_cursor, encode_cursor


def list_batches(cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """Payout batches newest first, each with its item counts and totals per currency."""
    query = sa.select(PayoutBatch)
    if cursor is not None:
        query = query.where(PayoutBatch.id < decode_cursor(cursor))
    batches = list(db.session.scalars(query.order_by(PayoutBatch.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(batches[limit - 1].id) if len(batches) > limit else None
    batches = batches[:limit]
    summaries = _summaries([batch.id for batch in batches])
    return [_view(batch, summaries.get(batch.id, [])) for batch in batches], next_cursor


def batch_detail(batch_id: uuid.UUID) -> dict[str, Any]:
    """One batch with every item (payee, amount, status)."""
    batch = _batch(batch_id)
    items = list(
        db.session.scalars(
            sa.select(PayoutItem)
            .where(PayoutItem.batch_id == batch.id)
            .order_by(PayoutItem.currency, PayoutItem.id)
        )
    )
    return _view(batch, _summaries([batch.id]).get(batch.id, [])) | {
        "items": [
            {
                "payout_id": item.id,
                "expert_id": item.expert_id,
                "currency": item.currency,
                "amount": item.amount,
                "debt_recovered": item.debt_recovered,
                "status": item.status.value,
                "resolved_at": item.resolved_at,
            }
            for item in items
        ]
    }


def batch_file(batch_id: uuid.UUID) -> tuple[str, str]:
    """The batch's bank file (the same text the CSV provider writes) and its file name."""
    batch = _batch(batch_id)
    return render_csv(payout_rows(batch)), f"{batch.key}.csv"


def _batch(batch_id: uuid.UUID) -> PayoutBatch:
    batch = db.session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound("No such payout batch.")
    return batch


def _summaries(batch_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per batch and currency: how many items, how many still in flight, the total."""
    if not batch_ids:
        return {}
    flying = sa.func.sum(sa.case((PayoutItem.status == PayoutItemStatus.IN_FLIGHT, 1), else_=0))
    rows = db.session.execute(
        sa.select(
            PayoutItem.batch_id,
            PayoutItem.currency,
            sa.func.count(),
            flying,
            sa.func.sum(PayoutItem.amount),
        )
        .where(PayoutItem.batch_id.in_(batch_ids))
        .group_by(PayoutItem.batch_id, PayoutItem.currency)
        .order_by(PayoutItem.currency)
    )
    summaries: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for batch_id, currency, items, in_flight, total in rows:
        summaries.setdefault(batch_id, []).append(
            {
                "currency": currency,
                "items": items,
                "in_flight": int(in_flight),
                "amount": int(total),
            }
        )
    return summaries


def _view(batch: PayoutBatch, totals: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "batch_id": batch.id,
        "key": batch.key,
        "status": batch.status.value,
        "provider": batch.provider,
        "created_at": batch.created_at,
        "exported_at": batch.exported_at,
        "closed_at": batch.closed_at,
        "totals": totals,
    }
