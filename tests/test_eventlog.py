"""Every state change is logged, and the log cannot be rewritten."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from marketplace.eventlog.models import Event
from tests.factories import make_company, question_payload


def test_posting_and_cancelling_are_logged_with_before_and_after(app, client, db):
    company = make_company(app)
    question_id = client.post(
        "/api/v1/questions", json=question_payload(), headers=company.headers
    ).get_json()["id"]
    client.post(f"/api/v1/questions/{question_id}/cancel", headers=company.headers)
    events = db.session.scalars(
        sa.select(Event).filter_by(entity_type="question", entity_id=question_id).order_by(Event.id)
    ).all()
    assert [e.action for e in events] == ["question.posted", "question.cancelled"]
    cancelled = events[1]
    assert cancelled.before == {"status": "queued"} and cancelled.after == {"status": "cancelled"}
    assert cancelled.actor_type == "api_key" and cancelled.company_id == company.id


def test_the_orm_refuses_to_change_an_event(app, db):
    make_company(app)
    event = db.session.scalars(sa.select(Event)).first()
    event.action = "rewritten"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(sa.select(Event)).first())
    with pytest.raises(PermissionError):
        db.session.flush()


def test_postgresql_itself_refuses_to_change_an_event(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite relies on the ORM guard")
    make_company(app)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE events SET action = 'x'")
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM events")
