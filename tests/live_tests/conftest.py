"""Live-stack fixtures: PostgreSQL and Redis only (skipped, with the reason, without them)."""

from __future__ import annotations

import pytest
from redis import Redis

from tests.live import LiveStack


@pytest.fixture
def stack(app, redis_url):
    """A live stack on the test database (already migrated) and the test Redis."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("postgresql"):
        pytest.skip("the live stack runs on PostgreSQL (this is the SQLite run)")
    live = LiveStack(uri, redis_url)
    yield live
    live.stop()
    Redis.from_url(redis_url).flushdb()


@pytest.fixture
def quick_env():
    """Short timeouts so live timeout tests take seconds."""
    return {"PRESENCE_GRACE_SECONDS": "1"}
