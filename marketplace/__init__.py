"""marketplace: a crowdsourced remote-agent marketplace (Flask application factory)."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from marketplace.config import load_config

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, transports. Opens no connections."""
    app = Flask(
        __name__,
        instance_path=os.path.join(PROJECT_ROOT, "instance"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(load_config(app.instance_path, config))
    app.json.ensure_ascii = False  # Chinese text stays readable in responses
    app.json.sort_keys = False
    os.makedirs(app.instance_path, exist_ok=True)
    _configure_logging(app)
    _init_extensions(app)
    _init_transports(app)
    return app


def _init_extensions(app: Flask) -> None:
    from marketplace import aftercommit, models, realtime  # noqa: F401 - tables, handlers
    from marketplace.database import configure_sqlite
    from marketplace.errors import register_error_handlers
    from marketplace.eventlog.services import install_append_only_guard
    from marketplace.extensions import db, limiter, migrate, queue, socketio
    from marketplace.matching import engine

    realtime.init_app(app)  # handlers must be known before socketio.init_app binds them
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(PROJECT_ROOT, "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        # Defaults (25 s + 20 s) would keep a silent phone "online" for most of a minute.
        ping_interval=app.config.get("SOCKETIO_PING_INTERVAL", 10),
        ping_timeout=app.config.get("SOCKETIO_PING_TIMEOUT", 10),
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
    )
    limiter.init_app(app)
    queue.init_app(app)
    engine.init_app(app)
    register_error_handlers(app)
    install_append_only_guard()
    aftercommit.install()


def _init_transports(app: Flask) -> None:
    from marketplace import api, cli, ops, web

    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    ops.init_app(app)  # last: its proxy fix wraps the Socket.IO middleware too


def _configure_logging(app: Flask) -> None:
    from marketplace.ops.logs import configure_logging

    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.logger.setLevel(app.config["LOG_LEVEL"])
