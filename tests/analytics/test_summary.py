"""Activity over time: buckets in the caller's offset, medians, CSAT, resolution, spend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.answers.models import Feedback
from marketplace.eventlog.models import Event
from marketplace.matching.models import Offer, OfferStatus
from marketplace.questions.models import Question
from marketplace.rewards import ledger
from marketplace.rewards.models import AccountKind
from marketplace.rewards.services import company_owner
from tests.factories import make_company, make_expert, post_question

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def summary(client, company, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/api/v1/analytics/summary?{query}", headers=company.headers)


def place(app, db, question_id, created, answered=None, offers=(), feedback=None):
    """Move a posted question's timestamps (and add offers and feedback) for the test."""
    question = db.session.get(Question, question_id)
    question.created_at = created
    question.answered_at = answered
    expert_id = make_expert(app)
    for n, seconds in enumerate(offers):
        db.session.add(
            Offer(
                question_id=question_id,
                expert_id=expert_id if n == 0 else make_expert(app),
                status=OfferStatus.DECLINED,
                created_at=created + timedelta(seconds=seconds),
                expires_at=created + timedelta(seconds=seconds + 30),
            )
        )
    if feedback is not None:
        rating, resolved, when = feedback
        db.session.add(
            Feedback(question_id=question_id, rating=rating, resolved=resolved, created_at=when)
        )
    db.session.commit()


@pytest.fixture
def busy_company(app, db, monkeypatch):
    """Three questions on 1-2 March 2026 (UTC), one answered twice over, feedback, a capture."""
    company = make_company(app)
    q1 = post_question(app, company, channel="web")
    q2 = post_question(app, company, channel="wechat")
    q3 = post_question(app, company, channel="wechat")
    place(app, db, q1, at(10), answered=at(10.5), offers=(30, 90), feedback=(5, True, at(11)))
    place(app, db, q2, at(23.5), answered=at(24.5), offers=(60,), feedback=(2, False, at(25)))
    place(app, db, q3, at(25), offers=(120,), feedback=None)
    db.session.add(
        Event(
            actor_type="system",
            company_id=company.id,
            entity_type="question",
            entity_id=str(q3),
            action="question.returned",
            occurred_at=at(26),
        )
    )
    owner = company_owner(company.id)
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, owner, "CNY")
    earnings = ledger.get_account(AccountKind.EXPERT_EARNINGS, "expert:x", "CNY")
    fees = ledger.get_account(AccountKind.PLATFORM_FEES, "platform", "CNY")
    # The ledger is append-only, so the capture is posted at the right time, not moved there.
    monkeypatch.setattr(ledger, "utcnow", lambda: at(10.5))
    ledger.post_many(
        [
            ledger.Posting(
                "capture:test",
                "capture",
                ("question", str(q1)),
                [(holds, -600), (earnings, 520), (fees, 80)],
            )
        ]
    )
    monkeypatch.undo()
    db.session.commit()
    noise = make_company(app)  # another tenant's activity in the same days
    place(app, db, post_question(app, noise), at(12), answered=at(13), offers=(5,))
    return company


def test_day_buckets_in_utc(app, db, busy_company):
    client = app.test_client()
    response = summary(
        client, busy_company, **{"from": "2026-03-01T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [b["start"][:10] for b in body["buckets"]] == ["2026-03-01", "2026-03-02"]
    day1, day2 = body["buckets"]
    assert day1["posted"]["web"] == 1 and day1["posted"]["wechat"] == 1
    assert day1["posted_total"] == 2 and day2["posted_total"] == 1
    assert (day1["answered"], day2["answered"]) == (1, 1)
    assert (day1["returned"], day2["returned"]) == (0, 1)
    # q1's first of two offers after 30 s and q2's after 60 s (23:31) fall on day 1.
    assert day1["median_first_offer_seconds"] == 45.0
    assert day2["median_first_offer_seconds"] == 120.0
    assert day1["median_answer_seconds"] == 1800.0
    assert day2["median_answer_seconds"] == 3600.0
    assert (day1["csat"], day1["resolution_rate"]) == (5.0, 1.0)
    assert (day2["csat"], day2["resolution_rate"]) == (2.0, 0.0)
    assert day1["spend"] == {"CNY": 600} and day2["spend"] == {}
    totals = body["totals"]
    assert totals["posted_total"] == 3 and totals["answered"] == 2
    assert totals["csat"] == 3.5 and totals["resolution_rate"] == 0.5
    assert totals["spend"] == {"CNY": 600}
    assert totals["median_first_offer_seconds"] == 60.0


def test_buckets_follow_the_callers_offset(app, db, busy_company):
    body = summary(
        app.test_client(),
        busy_company,
        **{"from": "2026-02-28T16:00:00Z", "to": "2026-03-02T16:00:00Z", "utc_offset": 480},
    ).get_json()
    starts = [b["start"] for b in body["buckets"]]
    assert starts[0].startswith("2026-02-28T16:00:00")  # midnight in UTC+8
    day1, day2 = body["buckets"]
    # 10:00 UTC is 18:00 on 1 March in China; 23:30 and 01:00 UTC fall on 2 March there.
    assert (day1["posted_total"], day2["posted_total"]) == (1, 2)


def test_hour_buckets_and_bounds(app, db, busy_company):
    client = app.test_client()
    body = summary(
        client,
        busy_company,
        **{"from": "2026-03-01T09:30:00Z", "to": "2026-03-01T12:00:00Z", "bucket": "hour"},
    ).get_json()
    assert [b["start"][11:16] for b in body["buckets"]] == ["09:00", "10:00", "11:00"]
    assert [b["posted_total"] for b in body["buckets"]] == [0, 1, 0]
    too_long = {"from": "2026-01-01T00:00:00Z", "to": "2026-04-15T00:00:00Z"}
    assert summary(client, busy_company, **too_long).status_code == 422
    too_many_hours = {
        "from": "2026-03-01T00:00:00Z",
        "to": "2026-03-20T00:00:00Z",
        "bucket": "hour",
    }
    assert summary(client, busy_company, **too_many_hours).status_code == 422
    backwards = {"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}
    assert summary(client, busy_company, **backwards).status_code == 422
    assert summary(client, busy_company, bucket="week").status_code == 422
    assert summary(client, busy_company, utc_offset=900).status_code == 422
    default = summary(client, busy_company).get_json()
    assert len(default["buckets"]) in (14, 15)


def test_spend_matches_the_account_over_all_time(app, db, busy_company):
    client = app.test_client()
    account = client.get("/api/v1/account", headers=busy_company.headers).get_json()
    body = summary(
        client, busy_company, **{"from": "2026-03-01T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
    ).get_json()
    assert account["balances"][0]["spent"] == body["totals"]["spend"]["CNY"] == 600
