"""The live queue: counts by status, the oldest waiting question, SLAs at risk."""

from __future__ import annotations

from datetime import timedelta

from marketplace.database import utcnow
from marketplace.questions.models import Question
from tests.factories import answer_question, make_company, post_question


def test_counts_oldest_waiting_and_at_risk(app, db):
    company, other = make_company(app), make_company(app)
    client = app.test_client()
    empty = client.get("/api/v1/queue", headers=company.headers).get_json()
    assert empty["open"] == 0 and empty["oldest_waiting"] is None and empty["at_risk"] == 0
    assert set(empty["counts"]) >= {"queued", "offered", "assigned", "answered", "cancelled"}

    soon = (utcnow() + timedelta(minutes=20)).isoformat()
    old = post_question(app, company)
    urgent = post_question(app, company, sla_deadline=soon, subject="<b>urgent</b>")
    answered = post_question(app, company)
    answer_question(app, answered, "Done.")
    client.post(f"/api/v1/questions/{post_question(app, company)}/cancel", headers=company.headers)
    post_question(app, other, sla_deadline=soon)
    db.session.get(Question, old).created_at = utcnow() - timedelta(minutes=42)
    db.session.commit()

    body = client.get("/api/v1/queue", headers=company.headers).get_json()
    assert body["counts"]["queued"] == 2 and body["counts"]["answered"] == 1
    assert body["counts"]["cancelled"] == 1 and body["open"] == 2
    assert body["oldest_waiting"]["question"]["id"] == str(old)
    assert 42 * 60 <= body["oldest_waiting"]["age_seconds"] < 43 * 60
    assert body["at_risk_minutes"] == 60 and body["at_risk"] == 1
    assert [q["id"] for q in body["at_risk_questions"]] == [str(urgent)]
    assert body["at_risk_questions"][0]["subject"] == "<b>urgent</b>"
    narrow = client.get("/api/v1/queue?at_risk_minutes=10", headers=company.headers).get_json()
    assert narrow["at_risk"] == 0
    assert client.get("/api/v1/queue?at_risk_minutes=0", headers=company.headers).status_code == 422
    assert client.get("/api/v1/queue").status_code == 401
