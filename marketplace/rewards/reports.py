"""What experts and companies see: earnings, reward breakdowns, payout statements, spend."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.errors import InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.questions.models import Question
from marketplace.rewards import services
from marketplace.rewards.models import (
    AccountKind,
    LedgerAccount,
    PayoutBatch,
    PayoutItem,
    Reward,
    RewardStatus,
)
from marketplace.rewards.policy import BASIS, DEFAULT_POLICY

SPEND_GROUPS = ("question", "day", "channel")
MAX_DAYS = 366


@dataclass(frozen=True)
class Earnings:
    """An expert's money in one currency (minor units)."""

    currency: str
    available: int  # credited, not yet in a payout
    pending: int  # accepted rewards not yet settled
    in_flight: int  # in a payout batch, transfer not confirmed
    paid: int  # paid out
    owed: int  # reversed after payout; recovered from the next payout


def require_expert(expert_id: uuid.UUID) -> User:
    """The expert with this id, or NotFound."""
    user = db.session.get(User, expert_id)
    if user is None or user.role != Role.EXPERT:
        raise NotFound("No such expert.")
    return user


def expert_earnings(expert_id: uuid.UUID) -> list[Earnings]:
    """Available, pending, in-flight, paid and owed amounts per currency."""
    require_expert(expert_id)
    balances: dict[str, dict[AccountKind, int]] = {}
    for kind, currency, balance in db.session.execute(
        sa.select(LedgerAccount.kind, LedgerAccount.currency, LedgerAccount.balance).where(
            LedgerAccount.owner == services.expert_owner(expert_id)
        )
    ):
        balances.setdefault(currency, {})[kind] = balance
    pending = dict(
        db.session.execute(
            sa.select(Reward.currency, sa.func.sum(Reward.payout))
            .where(Reward.expert_id == expert_id, Reward.status == RewardStatus.PENDING)
            .group_by(Reward.currency)
        ).all()
    )
    return [
        Earnings(
            currency=currency,
            available=balances.get(currency, {}).get(AccountKind.EXPERT_EARNINGS, 0),
            pending=int(pending.get(currency) or 0),
            in_flight=balances.get(currency, {}).get(AccountKind.PAYOUTS_IN_FLIGHT, 0),
            paid=balances.get(currency, {}).get(AccountKind.EXPERT_PAID_OUT, 0),
            owed=-balances.get(currency, {}).get(AccountKind.EXPERT_RECEIVABLE, 0),
        )
        for currency in sorted(set(balances) | set(pending))
    ]


def breakdown(reward: Reward) -> dict[str, Any]:
    """How a reward's payout was computed (multipliers as exact decimal strings)."""
    return {
        "base": reward.base_amount,
        "quality_score": reward.quality,
        "quality_multiplier": _multiplier(reward.quality_bp),
        "speed_multiplier": _multiplier(reward.speed_bp),
        "tier": reward.tier,
        "tier_multiplier": _multiplier(reward.tier_bp),
        "cap_multiplier": str(DEFAULT_POLICY.max_payout_multiplier),
        "capped": reward.capped,
        "payout": reward.payout,
    }


def reward_payload(reward: Reward) -> dict[str, Any]:
    """A reward as its expert sees it (the `reward.credited` event and the API)."""
    return {
        "reward_id": str(reward.id),
        "answer_id": str(reward.answer_id),
        "question_id": str(reward.question_id),
        "status": reward.status.value,
        "currency": reward.currency,
        "payout": reward.payout,
        "breakdown": breakdown(reward),
        "reason": reward.reason,
        "created_at": reward.created_at.isoformat(),
        "settled_at": reward.settled_at.isoformat() if reward.settled_at else None,
        "reversed_at": reward.reversed_at.isoformat() if reward.reversed_at else None,
    }


def _multiplier(basis_points: int) -> str:
    return str((Decimal(basis_points) / BASIS).quantize(Decimal("0.0001")))


def list_expert_rewards(
    expert_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the expert's rewards, newest first, with breakdowns."""
    require_expert(expert_id)
    query = sa.select(Reward).where(Reward.expert_id == expert_id)
    if cursor is not None:
        query = query.where(Reward.id < decode_cursor(cursor))
    rows = list(db.session.scalars(query.order_by(Reward.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return [reward_payload(r) for r in rows[:limit]], next_cursor


def list_expert_payouts(
    expert_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the expert's payouts, newest first (statements via expert_payout)."""
    require_expert(expert_id)
    query = (
        sa.select(PayoutItem, PayoutBatch.key)
        .join(PayoutBatch, PayoutBatch.id == PayoutItem.batch_id)
        .where(PayoutItem.expert_id == expert_id)
    )
    if cursor is not None:
        query = query.where(PayoutItem.id < decode_cursor(cursor))
    rows = db.session.execute(query.order_by(PayoutItem.id.desc()).limit(limit + 1)).all()
    next_cursor = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    return [_payout_view(item, key) for item, key in rows[:limit]], next_cursor


def expert_payout(expert_id: uuid.UUID, payout_id: uuid.UUID) -> dict[str, Any]:
    """One of the expert's payouts with its statement; others' payouts are not found."""
    row = db.session.execute(
        sa.select(PayoutItem, PayoutBatch.key)
        .join(PayoutBatch, PayoutBatch.id == PayoutItem.batch_id)
        .where(PayoutItem.id == payout_id, PayoutItem.expert_id == expert_id)
    ).one_or_none()
    if row is None:
        raise NotFound("No such payout.")
    return _payout_view(row[0], row[1]) | {"statement": row[0].statement}


def _payout_view(item: PayoutItem, batch_key: str) -> dict[str, Any]:
    return {
        "payout_id": item.id,
        "batch": batch_key,
        "currency": item.currency,
        "amount": item.amount,
        "debt_recovered": item.debt_recovered,
        "status": item.status.value,
        "created_at": item.created_at,
        "resolved_at": item.resolved_at,
    }


def company_spend(
    company_id: uuid.UUID,
    group_by: str,
    start: datetime,
    end: datetime,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """Spend per question (posted in the window), or per day or channel (money moved in it)."""
    if group_by not in SPEND_GROUPS:
        raise InvalidInput("Unknown grouping.", errors={"group_by": list(SPEND_GROUPS)})
    if end <= start or (group_by == "day" and end - start > timedelta(days=MAX_DAYS)):
        raise InvalidInput(
            "The period is not acceptable.",
            errors={"to": [f"Must be after from, and at most {MAX_DAYS} days later by day."]},
        )
    if group_by == "question":
        return _spend_by_question(company_id, start, end, cursor, limit)
    if group_by == "channel":
        return _spend_flows(company_id, Question.channel, Question.channel, start, end), None
    return _spend_by_day(company_id, start, end), None


def _money_columns(captured: Any, reversed_: Any) -> list[Any]:
    charge = Reward.payout + Reward.fee
    return [
        sa.func.sum(sa.case((captured, 1), else_=0)),
        sa.func.sum(sa.case((captured, charge), else_=0)),
        sa.func.sum(sa.case((reversed_, charge), else_=0)),
        sa.func.sum(sa.case((captured, Reward.payout), else_=0))
        - sa.func.sum(sa.case((reversed_, Reward.payout), else_=0)),
        sa.func.sum(sa.case((captured, Reward.fee), else_=0))
        - sa.func.sum(sa.case((reversed_, Reward.fee), else_=0)),
    ]


def _row(key: str, currency: str, values: Sequence[Any]) -> dict[str, Any]:
    rewards, captured, reversed_, payout, fee = (int(v or 0) for v in (list(values) or [0] * 5))
    return {
        "key": key,
        "currency": currency,
        "rewards": rewards,
        "captured": captured,
        "reversed": reversed_,
        "spent": captured - reversed_,
        "payout": payout,
        "fee": fee,
    }


def _spend_flows(
    company_id: uuid.UUID, key: Any, group: Any, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    captured = sa.and_(Reward.settled_at >= start, Reward.settled_at < end)
    reversed_ = sa.and_(Reward.reversed_at >= start, Reward.reversed_at < end)
    query = (
        sa.select(key, Reward.currency, *_money_columns(captured, reversed_))
        .join(Question, Question.id == Reward.question_id)
        .where(Reward.company_id == company_id, sa.or_(captured, reversed_))
        .group_by(group, Reward.currency)
        .order_by(group, Reward.currency)
    )
    return [_row(str(getattr(k, "value", k)), c, rest) for k, c, *rest in db.session.execute(query)]


def _spend_by_day(company_id: uuid.UUID, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Captures count on the day they settled, reversals on the day they were reversed."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for column in (Reward.settled_at, Reward.reversed_at):
        day = _utc_day(column)
        in_window = sa.and_(column >= start, column < end)
        is_capture = column is Reward.settled_at
        captured = in_window if is_capture else sa.false()
        reversed_ = sa.false() if is_capture else in_window
        query = (
            sa.select(day, Reward.currency, *_money_columns(captured, reversed_))
            .where(Reward.company_id == company_id, in_window)
            .group_by(day, Reward.currency)
        )
        for key, currency, *values in db.session.execute(query):
            row = _row(str(key), currency, values)
            if (key, currency) in merged:
                for name in ("rewards", "captured", "reversed", "spent", "payout", "fee"):
                    merged[(key, currency)][name] += row[name]
            else:
                merged[(key, currency)] = row
    return [merged[k] for k in sorted(merged)]


def _utc_day(column: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")
    return sa.func.strftime("%Y-%m-%d", column)  # SQLite stores UTC without a zone


def _spend_by_question(
    company_id: uuid.UUID, start: datetime, end: datetime, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    query = sa.select(Question).where(
        Question.company_id == company_id, Question.created_at >= start, Question.created_at < end
    )
    if cursor is not None:
        query = query.where(Question.id > decode_cursor(cursor))
    questions = list(db.session.scalars(query.order_by(Question.id).limit(limit + 1)))
    next_cursor = encode_cursor(questions[limit - 1].id) if len(questions) > limit else None
    questions = questions[:limit]
    ids = [q.id for q in questions]
    settled = Reward.status.in_([RewardStatus.SETTLED, RewardStatus.REVERSED])
    money = {
        qid: values
        for qid, *values in db.session.execute(
            sa.select(
                Reward.question_id,
                *_money_columns(settled, Reward.status == RewardStatus.REVERSED),
            )
            .where(Reward.question_id.in_(ids))
            .group_by(Reward.question_id)
        )
    }
    held = services.held_for_questions(ids)
    pending = services.reserved_for_questions(ids)
    rows = []
    for question in questions:
        row = _row(str(question.id), question.reward_currency, money.get(question.id, ()))
        row |= {
            "external_id": question.external_id,
            "channel": question.channel.value,
            "status": question.status.value,
            "held": held.get(question.id, 0),
            "pending": pending.get(question.id, 0),
        }
        rows.append(row)
    return rows, next_cursor


def encode_cursor(last_id: uuid.UUID) -> str:
    """An opaque cursor: the last id seen, base64url-encoded."""
    return base64.urlsafe_b64encode(json.dumps({"after": str(last_id)}).encode()).decode()


def decode_cursor(cursor: str) -> uuid.UUID:
    """Read a cursor back; a damaged one is a 422 on the `cursor` field."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return uuid.UUID(json.loads(base64.urlsafe_b64decode(padded))["after"])
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError) as error:
        raise InvalidInput(
            "Invalid cursor.", errors={"cursor": ["Not a cursor we issued."]}
        ) from error
