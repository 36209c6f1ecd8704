"""Readiness: may this web process take traffic? Database, schema, Redis, not shutting down."""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

import sqlalchemy as sa
from flask import Flask

from marketplace import lifecycle

log = logging.getLogger(__name__)
OK = "ok"
REDIS_TIMEOUT_SECONDS = 1.0


def readiness(app: Flask) -> dict[str, str]:
    """Each check's outcome: "ok" or what is wrong (in order: shutdown, database, schema, redis)."""
    checks = {"shutdown": "shutting down" if lifecycle.shutting_down() else OK}
    checks["database"], revisions = _database()
    if checks["database"] == OK:
        checks["schema"] = _schema(revisions, migration_heads(app.extensions["migrate"].directory))
    else:
        checks["schema"] = "unknown: the database does not answer"
    if app.config.get("REDIS_URL"):
        checks["redis"] = _redis(app)
    return checks


def failed(checks: dict[str, str]) -> list[str]:
    """The names of the checks that did not pass."""
    return [name for name, outcome in checks.items() if outcome != OK]


def _database() -> tuple[str, set[str]]:
    from marketplace.extensions import db

    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            try:
                rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
                revisions = {row[0] for row in rows}
            except sa.exc.DBAPIError:
                revisions = set()  # no alembic_version table: never migrated
        return OK, revisions
    except Exception as error:  # any failure to answer means not ready
        log.warning("readiness: database check failed: %s", error)
        return f"unavailable: {type(error).__name__}", set()


def _schema(revisions: set[str], heads: frozenset[str]) -> str:
    if revisions == heads:
        return OK
    current = ", ".join(sorted(revisions)) or "none"
    return f"at revision {current}; migrations head is {', '.join(sorted(heads))}"


@functools.cache
def migration_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of the migration scripts (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", os.fspath(directory))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _redis(app: Flask) -> str:
    client = _redis_client(app)
    try:
        client.ping()
        return OK
    except Exception as error:
        log.warning("readiness: redis check failed: %s", error)
        return f"unavailable: {type(error).__name__}"


def _redis_client(app: Flask) -> Any:
    """A client of its own with short timeouts, so a hung Redis cannot hang the probe."""
    client = app.extensions.get("readiness_redis")
    if client is None:
        from redis import Redis

        client = Redis.from_url(
            app.config["REDIS_URL"],
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        app.extensions["readiness_redis"] = client
    return client
