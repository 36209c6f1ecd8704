"""Configuration read from environment variables, with embedded defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PRODUCTION = "production"


class ConfigError(RuntimeError):
    """The environment asks for something the app refuses to run with."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _origins(raw: str) -> list[str] | None:
    """Comma-separated extra origins for Socket.IO; none given means same origin only."""
    origins = [origin.strip() for origin in raw.split(",") if origin.strip()]
    return origins or None


def _engine_options(database_url: str) -> dict[str, Any]:
    """Connection pool settings; a gevent process serves many sockets, so PostgreSQL gets more."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        options |= {
            "pool_size": _int("DB_POOL_SIZE", 10),
            "max_overflow": _int("DB_MAX_OVERFLOW", 20),
            "pool_timeout": 10,
        }
    return options


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app config from the environment; `overrides` (tests, workers) win."""
    env = os.environ.get("MARKETPLACE_ENV", "development")
    redis_url = os.environ.get("REDIS_URL") or None
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "marketplace.db")
    )
    config: dict[str, Any] = {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        # The embedded default serves Socket.IO from threads; production uses gevent (see README).
        "SOCKETIO_ASYNC_MODE": os.environ.get(
            "SOCKETIO_ASYNC_MODE", "gevent" if env == PRODUCTION else "threading"
        ),
        # The largest request body; single-question posts are limited further per route.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 4 * 1024 * 1024),
        "QUESTION_MAX_BODY_BYTES": 64 * 1024,
        # Larger rewards are refused as absurd (1,000,000 = 10,000.00 in a 2-digit currency).
        "REWARD_MAX_MINOR": _int("REWARD_MAX_MINOR", 1_000_000),
        "DEFAULT_SLA_MINUTES": _int("DEFAULT_SLA_MINUTES", 24 * 60),
        # Lifetime of bearer tokens from POST /api/v1/auth/token (a phone refreshes before expiry).
        "USER_TOKEN_SECONDS": _int("USER_TOKEN_SECONDS", 3600),
        # Webhooks to private addresses are refused in production (SSRF); allowed on a laptop.
        "WEBHOOK_ALLOW_PRIVATE": os.environ.get(
            "WEBHOOK_ALLOW_PRIVATE", "0" if env == PRODUCTION else "1"
        )
        == "1",
        # Socket.IO accepts browsers from its own origin only (None); list others to allow them.
        # An empty list would switch engine.io's origin check off, so it is never the default.
        "SOCKETIO_CORS_ORIGINS": _origins(os.environ.get("SOCKETIO_CORS_ORIGINS", "")),
        "ANSWER_MAX_CHARS": _int("ANSWER_MAX_CHARS", 5000),
        # `flask worker` runs jobs in its own process; 1: a forked work horse per job instead.
        "WORKER_FORK": os.environ.get("WORKER_FORK", "0") == "1",
        # A silent phone is out of routing within ping interval + 2 x ping timeout (engine.io
        # checks each timeout once per timeout period) + grace: 8 + 2 x 5 + 8 = 26 s < 30 s.
        "SOCKETIO_PING_INTERVAL": _int("SOCKETIO_PING_INTERVAL", 8),
        "SOCKETIO_PING_TIMEOUT": _int("SOCKETIO_PING_TIMEOUT", 5),
        "PRESENCE_GRACE_SECONDS": _int("PRESENCE_GRACE_SECONDS", 8),
        # Bench only: a Redis list where every engine appends how late offer deadlines fired.
        "MATCHING_LATENESS_KEY": os.environ.get("MATCHING_LATENESS_KEY") or None,
        # How long a moderator holds an audit item before it is open to others again.
        "MODERATION_CLAIM_SECONDS": _int("MODERATION_CLAIM_SECONDS", 600),
        "MATCHING_ENGINE_AUTOSTART": os.environ.get("MATCHING_ENGINE_AUTOSTART", "1") == "1",
        # Experts may create their own accounts from the app (pools still need vetting).
        "EXPERT_SIGNUP": os.environ.get("EXPERT_SIGNUP", "1") == "1",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "1200 per minute"),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "JOB_QUEUE_PREFIX": os.environ.get("JOB_QUEUE_PREFIX", ""),
        # One JSON object per line in production (log shippers parse it); text on a laptop.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json" if env == PRODUCTION else "text"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        # One log line per web request (method, route, status, duration, request id).
        "REQUEST_LOG": os.environ.get("REQUEST_LOG", "1" if env == PRODUCTION else "0") == "1",
        # Proxies in front of the app whose X-Forwarded-For/Proto/Host are trusted (ProxyFix);
        # `flask prod serve` sets 1 for its nginx. 0 (the default) trusts none.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # /metrics: a bearer token to require; without one only loopback clients may scrape.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "API_TITLE": "marketplace API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == PRODUCTION,
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_DAYS", 14) * 24 * 3600,
        # CSRF tokens (Flask-WTF) are checked by the API for cookie-authenticated requests.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_CHECK_DEFAULT": False,
    }
    config.update(overrides or {})
    _check(config)
    return config


def _check(config: dict[str, Any]) -> None:
    """Refuse unsafe production settings; give development a throwaway secret."""
    if not config.get("SECRET_KEY"):
        if config["ENV_NAME"] == PRODUCTION:
            raise ConfigError("SECRET_KEY must be set when MARKETPLACE_ENV=production")
        config["SECRET_KEY"] = secrets.token_urlsafe(32)
    if config["SOCKETIO_ASYNC_MODE"] not in {"threading", "gevent"}:
        raise ConfigError("SOCKETIO_ASYNC_MODE must be 'threading' or 'gevent'")
    if config["LOG_FORMAT"] not in {"json", "text"}:
        raise ConfigError("LOG_FORMAT must be 'json' or 'text'")
