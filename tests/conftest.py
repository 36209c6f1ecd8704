"""Fixtures: the app on SQLite and (with TEST_DATABASE_URL) on PostgreSQL, clients, Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from marketplace import create_app
from marketplace.extensions import db as _db
from marketplace.matching.deadlines import MemoryDeadlines

BACKENDS = ("sqlite", "postgresql")


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each database test runs once per backend; PostgreSQL needs TEST_DATABASE_URL."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL run of this test is skipped")
    _reset_postgres(url)
    return url


def make_app(database_url: str, **overrides: Any) -> Flask:
    """An app for tests: rate limits off unless asked for, no Redis unless given."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests drive matching explicitly; live-server tests run the real engine in its process.
        "MATCHING_ENGINE_AUTOSTART": False,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(autouse=True)
def _restore_socketio() -> Iterator[None]:
    """Socket.IO is one global extension: an app a test builds (with Redis, say) rebinds its
    server, and Flask-SocketIO keeps a message queue in its options for every later init_app.
    Put back what the test found, so no test inherits another's Redis manager."""
    from marketplace.extensions import socketio

    state, options = dict(socketio.__dict__), dict(socketio.server_options)
    yield
    socketio.__dict__.clear()
    socketio.__dict__.update(state)
    socketio.server_options = options


@pytest.fixture(scope="session")
def _migrated_app(database_url: str) -> Iterator[Flask]:
    """One app per backend whose schema was built by the real migrations."""
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(_migrated_app: Flask) -> Iterator[Flask]:
    """The app with empty tables; rows are cleared after each test."""
    yield _migrated_app
    backend = _migrated_app.extensions["job_queue"]
    if hasattr(backend, "wait_until_idle"):
        backend.wait_until_idle(timeout=10)
        backend.discard_pending()  # retries scheduled by this test must not run in the next
    _migrated_app.extensions["matching_engine"].deadlines = MemoryDeadlines()
    with _migrated_app.app_context():
        _db.session.remove()
        clear_tables()


def clear_tables() -> None:
    """Delete every row (TRUNCATE on PostgreSQL; the events trigger does not fire on it)."""
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - our table names


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """The database extension inside an app context (for direct checks)."""
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis for queue and pub/sub tests (flushed before and after); skips without one."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: this test needs a real Redis")
    from redis import Redis

    connection = Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()
