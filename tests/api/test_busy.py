"""Overload: when every database connection of a process is taken, a retryable 503, not a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.extensions import db as _db
from marketplace.questions.models import Question
from tests.conftest import make_app
from tests.factories import make_company, question_payload


def test_an_exhausted_connection_pool_answers_503_with_retry_after(app, db, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no connection pool to exhaust")
    company = make_company(app)
    tight = make_app(
        database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2},
    )
    payload = question_payload()
    with tight.app_context():
        held = _db.engine.connect()  # the process's only connection is busy elsewhere
        try:
            busy = tight.test_client().post(
                "/api/v1/questions", json=payload, headers=company.headers
            )
        finally:
            held.close()
        problem = busy.get_json()
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
        assert problem["type"].endswith(":busy") and "retry" in problem["detail"]
        assert busy.mimetype == "application/problem+json"
        # The retry, once a connection is free, goes through.
        retried = tight.test_client().post(
            "/api/v1/questions", json=payload, headers=company.headers
        )
        assert retried.status_code == 201
        _db.session.remove()
        _db.engine.dispose()
    count = sa.select(sa.func.count()).select_from(Question)
    assert db.session.scalar(count) == 1
