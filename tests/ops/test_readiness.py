"""/readyz: 200 only when the database answers at the migration head, Redis answers and the
process is not shutting down; 503 naming what failed otherwise. /healthz stays up."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace import lifecycle
from marketplace.ops.health import migration_heads


def test_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"shutdown": "ok", "database": "ok", "schema": "ok"},
    }


def test_ready_checks_redis_when_it_is_configured(app, make_ops_app, redis_url):
    with_redis = make_ops_app(REDIS_URL=redis_url)
    assert with_redis.test_client().get("/readyz").get_json()["checks"]["redis"] == "ok"


def test_not_ready_once_the_process_is_shutting_down(client):
    lifecycle.mark_shutting_down()
    try:
        response = client.get("/readyz")
        assert client.get("/healthz").status_code == 200  # alive, just not taking traffic
    finally:
        lifecycle.reset()
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["failed"] == ["shutdown"] and body["checks"]["shutdown"] == "shutting down"
    assert response.headers["Retry-After"] == "1"


def test_not_ready_when_the_schema_is_behind_the_migrations(app, client, db):
    (head,) = migration_heads(app.extensions["migrate"].directory)
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["schema"]
    assert body["checks"]["schema"] == f"at revision 0001; migrations head is {head}"


def test_not_ready_when_the_database_does_not_answer(make_ops_app):
    down = make_ops_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    body = down.test_client().get("/readyz").get_json()
    assert body["status"] == 503
    assert body["failed"] == ["database", "schema"]
    assert body["checks"]["database"].startswith("unavailable: ")


def test_not_ready_when_redis_does_not_answer(app, make_ops_app):
    without_redis = make_ops_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = without_redis.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["redis"] and body["checks"]["redis"].startswith("unavailable")
    assert "redis: unavailable" in body["detail"]
