"""Embedded defaults and production guards."""

from __future__ import annotations

import pytest

from marketplace import create_app
from marketplace.config import ConfigError, load_config
from marketplace.queue import InProcessJobBackend, RedisJobBackend


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "MARKETPLACE_ENV",
        "SOCKETIO_ASYNC_MODE",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_embedded(clean_env, tmp_path):
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/marketplace.db"
    assert config["REDIS_URL"] is None
    assert config["SOCKETIO_ASYNC_MODE"] == "threading"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert len(config["SECRET_KEY"]) >= 32


def test_production_refuses_to_start_without_a_secret_key(clean_env, tmp_path):
    clean_env.setenv("MARKETPLACE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))


def test_production_uses_gevent_and_the_given_services(clean_env, tmp_path):
    clean_env.setenv("MARKETPLACE_ENV", "production")
    clean_env.setenv("SECRET_KEY", "s" * 40)
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/marketplace")
    clean_env.setenv("REDIS_URL", "redis://cache:6379/2")
    config = load_config(str(tmp_path))
    assert config["SOCKETIO_ASYNC_MODE"] == "gevent"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_an_unknown_async_mode_is_refused(clean_env, tmp_path):
    clean_env.setenv("SOCKETIO_ASYNC_MODE", "eventlet")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))


def test_the_queue_backend_follows_redis_url(tmp_path):
    base = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "x"}
    embedded = create_app(base | {"REDIS_URL": None})
    assert isinstance(embedded.extensions["job_queue"], InProcessJobBackend)
    # Creating the app must not connect: this Redis address does not exist.
    production = create_app(
        base | {"REDIS_URL": "redis://127.0.0.1:1/0", "RATELIMIT_STORAGE_URI": "memory://"}
    )
    backend = production.extensions["job_queue"]
    assert isinstance(backend, RedisJobBackend)
    assert backend._connection is None
