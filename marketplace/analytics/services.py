"""Dashboard numbers, always within one company: the live queue and per-bucket activity.

Buckets are fixed-length windows (an hour or a day) in the caller's fixed UTC offset; the
bucket of a timestamp is computed in SQL on both backends (epoch seconds, shifted, divided).
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from marketplace.answers.models import Feedback
from marketplace.database import utcnow
from marketplace.errors import InvalidInput
from marketplace.eventlog.models import Event
from marketplace.extensions import db
from marketplace.matching.models import Offer
from marketplace.questions.models import Channel, Question, QuestionStatus
from marketplace.questions.states import OPEN_STATUSES
from marketplace.rewards.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from marketplace.rewards.services import company_owner

BUCKET_SECONDS = {"hour": 3600, "day": 86400}
MAX_RANGE = {"hour": timedelta(days=14), "day": timedelta(days=92)}
DEFAULT_RANGE = {"hour": timedelta(hours=24), "day": timedelta(days=14)}
WAITING = (QuestionStatus.QUEUED, QuestionStatus.OFFERED)
AT_RISK_LIST = 10


@dataclass(frozen=True)
class Window:
    """A bucketed time range: [start, end) aligned to buckets in a fixed UTC offset."""

    start: datetime
    end: datetime
    bucket: str
    utc_offset_minutes: int

    @property
    def size(self) -> int:
        """Seconds per bucket."""
        return BUCKET_SECONDS[self.bucket]

    @property
    def shift(self) -> int:
        """Seconds added to UTC epoch time before dividing into buckets."""
        return self.utc_offset_minutes * 60

    def index(self, moment: datetime) -> int:
        """The bucket number of a moment (the same arithmetic as the SQL)."""
        return (int(moment.timestamp()) + self.shift) // self.size

    def start_of(self, index: int) -> datetime:
        """When bucket `index` starts."""
        return datetime.fromtimestamp(index * self.size - self.shift, UTC)

    def indexes(self) -> range:
        """Every bucket of the window, in order."""
        return range(self.index(self.start), self.index(self.end - timedelta(microseconds=1)) + 1)


def make_window(
    start: datetime | None, end: datetime | None, bucket: str, utc_offset_minutes: int
) -> Window:
    """Align and bound a requested range (default: the last 14 days, or 24 hours by hour)."""
    end = end or utcnow()
    start = start or end - DEFAULT_RANGE[bucket]
    if start >= end:
        raise InvalidInput("Empty range.", errors={"from": ["Must be before 'to'."]})
    if end - start > MAX_RANGE[bucket]:
        days = MAX_RANGE[bucket].days
        raise InvalidInput(
            "The range is too long.",
            errors={"to": [f"At most {days} days with bucket={bucket}."]},
        )
    probe = Window(start, end, bucket, utc_offset_minutes)
    aligned_start = probe.start_of(probe.index(start))
    last = probe.index(end - timedelta(microseconds=1))
    return Window(aligned_start, probe.start_of(last + 1), bucket, utc_offset_minutes)


def _bucket(column: Any, window: Window) -> Any:
    """SQL: the bucket number of a timestamp column."""
    if db.engine.dialect.name == "postgresql":
        epoch = sa.extract("epoch", column)
        return sa.cast(sa.func.floor((epoch + window.shift) / window.size), sa.BigInteger)
    epoch = sa.cast(sa.func.strftime("%s", column), sa.Integer)
    return (epoch + window.shift) / window.size  # integer division on SQLite


def _seconds_between(later: Any, earlier: Any) -> Any:
    """SQL: seconds from `earlier` to `later`."""
    if db.engine.dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier)
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0


@dataclass
class _Bucket:
    posted: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    returned: int = 0
    expired: int = 0
    median_first_offer_seconds: float | None = None
    median_answer_seconds: float | None = None
    feedback_count: int = 0
    csat: float | None = None
    resolved_count: int = 0
    resolution_known: int = 0
    spend: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        rate = self.resolved_count / self.resolution_known if self.resolution_known else None
        return {
            "posted": {c.value: self.posted.get(c.value, 0) for c in Channel},
            "posted_total": sum(self.posted.values()),
            "answered": self.answered,
            "returned": self.returned,
            "expired": self.expired,
            "median_first_offer_seconds": self.median_first_offer_seconds,
            "median_answer_seconds": self.median_answer_seconds,
            "feedback_count": self.feedback_count,
            "csat": self.csat,
            "resolution_rate": rate,
            "spend": dict(sorted(self.spend.items())),
        }


def summary(company_id: uuid.UUID, window: Window) -> dict[str, Any]:
    """Per bucket and in total: volume by channel, outcomes, medians, CSAT, resolution, spend."""
    buckets = {i: _Bucket() for i in window.indexes()}
    total = _Bucket()
    _add_posted(company_id, window, buckets, total)
    _add_answered(company_id, window, buckets, total)
    _add_outcomes(company_id, window, buckets, total)
    _add_medians(company_id, window, buckets, total)
    _add_feedback(company_id, window, buckets, total)
    _add_spend(company_id, window, buckets, total)
    return {
        "from": window.start,
        "to": window.end,
        "bucket": window.bucket,
        "utc_offset_minutes": window.utc_offset_minutes,
        "channels": [c.value for c in Channel],
        "buckets": [{"start": window.start_of(i)} | b.as_dict() for i, b in buckets.items()],
        "totals": total.as_dict(),
    }


def _in(column: Any, window: Window) -> Any:
    return sa.and_(column >= window.start, column < window.end)


def _add_posted(company_id: uuid.UUID, window: Window, buckets: dict, total: _Bucket) -> None:
    index = _bucket(Question.created_at, window)
    rows = db.session.execute(
        sa.select(index, Question.channel, sa.func.count())
        .where(Question.company_id == company_id, _in(Question.created_at, window))
        .group_by(index, Question.channel)
    )
    for i, channel, count in rows:
        key = Channel(channel).value
        buckets[int(i)].posted[key] = buckets[int(i)].posted.get(key, 0) + count
        total.posted[key] = total.posted.get(key, 0) + count


def _add_answered(company_id: uuid.UUID, window: Window, buckets: dict, total: _Bucket) -> None:
    index = _bucket(Question.answered_at, window)
    rows = db.session.execute(
        sa.select(index, sa.func.count())
        .where(Question.company_id == company_id, _in(Question.answered_at, window))
        .group_by(index)
    )
    for i, count in rows:
        buckets[int(i)].answered += count
        total.answered += count


def _add_outcomes(company_id: uuid.UUID, window: Window, buckets: dict, total: _Bucket) -> None:
    """Returns and expiries, from the event log (when the question left the marketplace)."""
    index = _bucket(Event.occurred_at, window)
    rows = db.session.execute(
        sa.select(index, Event.action, sa.func.count())
        .where(
            Event.company_id == company_id,
            Event.entity_type == "question",
            Event.action.in_(("question.returned", "question.expired")),
            _in(Event.occurred_at, window),
        )
        .group_by(index, Event.action)
    )
    for i, action, count in rows:
        name = action.split(".")[1]
        setattr(buckets[int(i)], name, getattr(buckets[int(i)], name) + count)
        setattr(total, name, getattr(total, name) + count)


def _add_medians(company_id: uuid.UUID, window: Window, buckets: dict, total: _Bucket) -> None:
    """Time to first offer (bucketed by that offer) and to answer (bucketed by the answer)."""
    first = (
        sa.select(Offer.question_id, sa.func.min(Offer.created_at).label("at"))
        .join(Question, Question.id == Offer.question_id)
        .where(Question.company_id == company_id)
        .group_by(Offer.question_id)
        .having(sa.func.min(Offer.created_at) >= window.start)
        .having(sa.func.min(Offer.created_at) < window.end)
        .subquery()
    )
    offered = sa.select(
        _bucket(first.c.at, window).label("i"),
        _seconds_between(first.c.at, Question.created_at).label("s"),
    ).join(Question, Question.id == first.c.question_id)
    answered = sa.select(
        _bucket(Question.answered_at, window).label("i"),
        _seconds_between(Question.answered_at, Question.created_at).label("s"),
    ).where(Question.company_id == company_id, _in(Question.answered_at, window))
    for name, query in (
        ("median_first_offer_seconds", offered),
        ("median_answer_seconds", answered),
    ):
        per_bucket, overall = _medians(query.subquery())
        for i, value in per_bucket.items():
            setattr(buckets[i], name, value)
        setattr(total, name, overall)


def _medians(rows: Any) -> tuple[dict[int, float], float | None]:
    """Median of column `s` per bucket `i` and overall: in SQL on PostgreSQL, else in Python."""
    if db.engine.dialect.name == "postgresql":
        median = sa.func.percentile_cont(0.5).within_group(rows.c.s)
        per_bucket = {
            int(i): round(float(m), 1)
            for i, m in db.session.execute(sa.select(rows.c.i, median).group_by(rows.c.i))
        }
        overall = db.session.scalar(sa.select(median))
        return per_bucket, round(float(overall), 1) if overall is not None else None
    values: dict[int, list[float]] = defaultdict(list)
    for i, seconds in db.session.execute(sa.select(rows.c.i, rows.c.s)):
        values[int(i)].append(float(seconds))
    everything = [s for series in values.values() for s in series]
    per_bucket = {i: round(statistics.median(series), 1) for i, series in values.items()}
    return per_bucket, round(statistics.median(everything), 1) if everything else None


def _add_feedback(company_id: uuid.UUID, window: Window, buckets: dict, total: _Bucket) -> None:
    """CSAT (mean rating 1-5) and resolution rate (resolved among feedback that says)."""
    index = _bucket(Feedback.created_at, window)
    resolved = sa.func.sum(sa.case((Feedback.resolved.is_(True), 1), else_=0))
    known = sa.func.count(Feedback.resolved)
    rows = db.session.execute(
        sa.select(index, sa.func.count(), sa.func.sum(Feedback.rating), resolved, known)
        .join(Question, Question.id == Feedback.question_id)
        .where(Question.company_id == company_id, _in(Feedback.created_at, window))
        .group_by(index)
    )
    rating_sum = 0
    for i, count, ratings, yes, said in rows:
        bucket = buckets[int(i)]
        bucket.feedback_count, bucket.csat = count, round(int(ratings) / count, 2)
        bucket.resolved_count, bucket.resolution_known = int(yes or 0), int(said)
        total.feedback_count += count
        rating_sum += int(ratings)
        total.resolved_count += int(yes or 0)
        total.resolution_known += int(said)
    total.csat = round(rating_sum / total.feedback_count, 2) if total.feedback_count else None


def _add_spend(company_id: uuid.UUID, window: Window, buckets: dict, total: _Bucket) -> None:
    """Money that left the company's budget and holds for good (paid out or fees), per currency.

    Holds and releases move money between the two accounts and net to zero; top-ups are money
    in. Whatever else moves out of them (capturing a hold when a reward is paid) is spend, so
    this matches `spent` of GET /account over any range.
    """
    index = _bucket(LedgerEntry.created_at, window)
    rows = db.session.execute(
        sa.select(index, LedgerEntry.currency, -sa.func.sum(LedgerEntry.amount))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.owner == company_owner(company_id),
            LedgerAccount.kind.in_((AccountKind.COMPANY_BUDGET, AccountKind.COMPANY_HOLDS)),
            LedgerTransaction.kind != "top_up",
            _in(LedgerEntry.created_at, window),
        )
        .group_by(index, LedgerEntry.currency)
    )
    for i, currency, amount in rows:
        if amount:
            buckets[int(i)].spend[currency] = int(amount)
            total.spend[currency] = total.spend.get(currency, 0) + int(amount)


def queue_snapshot(company_id: uuid.UUID, at_risk_minutes: int) -> dict[str, Any]:
    """Counts by status, the oldest question still waiting for an expert, and SLAs at risk."""
    now = utcnow()
    counts = dict.fromkeys((s.value for s in QuestionStatus), 0)
    for status, count in db.session.execute(
        sa.select(Question.status, sa.func.count())
        .where(Question.company_id == company_id)
        .group_by(Question.status)
    ):
        counts[QuestionStatus(status).value] = count
    oldest = db.session.scalars(
        sa.select(Question)
        .where(Question.company_id == company_id, Question.status.in_(WAITING))
        .order_by(Question.created_at, Question.id)
        .limit(1)
    ).first()
    risky = (
        Question.company_id == company_id,
        Question.status.in_(OPEN_STATUSES),
        Question.sla_deadline < now + timedelta(minutes=at_risk_minutes),
    )
    at_risk = db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(*risky))
    soonest = db.session.scalars(
        sa.select(Question).where(*risky).order_by(Question.sla_deadline).limit(AT_RISK_LIST)
    ).all()
    return {
        "as_of": now,
        "counts": counts,
        "open": sum(counts[s.value] for s in OPEN_STATUSES),
        "oldest_waiting": None
        if oldest is None
        else {"question": oldest, "age_seconds": int((now - oldest.created_at).total_seconds())},
        "at_risk_minutes": at_risk_minutes,
        "at_risk": at_risk,
        "at_risk_questions": soonest,
    }
