"""Gunicorn settings and hooks for one web process of `flask prod serve`
(`gunicorn -c python:marketplace.ops.gunicorn_conf wsgi:app`).

On SIGTERM the worker reports not-ready at once, runs the shutdown hooks (the matching engine
stops, presence forgets this process's connections), stops accepting, drops its Socket.IO
connections so the clients reconnect through nginx to another web process, and lets requests
in flight finish within the graceful timeout.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

from marketplace import lifecycle

log = logging.getLogger("marketplace.ops.web")

worker_class = "gevent"
workers = 1  # one process, one matching engine; run more processes, not more workers
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "20"))
# Greenlets per process: each open websocket holds one (gunicorn's default is 1,000).
worker_connections = int(os.environ.get("WEB_CONNECTIONS", "10000"))
HOOK_SECONDS = 10.0
LISTENER_CLOSES_SECONDS = 1.5

_PRODUCTION = os.environ.get("MARKETPLACE_ENV") == "production"
if os.environ.get("LOG_FORMAT", "json" if _PRODUCTION else "text") == "json":
    # Gunicorn's own lines and the app's (through the root logger) in one JSON stream; the
    # access lines come from nginx and the app's request log, so gunicorn's are off.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "marketplace.ops.logs.JsonFormatter"}},
        "filters": {"context": {"()": "marketplace.ops.logs.ContextFilter"}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["context"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": os.environ.get("LOG_LEVEL", "INFO").upper(), "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def post_worker_init(worker: Any) -> None:
    """Replace gunicorn's SIGTERM handler with our graceful sequence."""
    signal.signal(signal.SIGTERM, lambda signum, frame: begin_graceful_exit(worker))


def begin_graceful_exit(worker: Any) -> None:
    """Not ready from this instant; the rest runs in a greenlet (not in the signal handler)."""
    import gevent

    if lifecycle.shutting_down():
        return
    lifecycle.mark_shutting_down()
    log.info("web process %s shutting down gracefully", os.getpid())
    gevent.spawn(_drain, worker)


def _drain(worker: Any) -> None:
    import gevent

    try:
        with gevent.Timeout(HOOK_SECONDS, False), worker.wsgi.app_context():
            lifecycle.begin_shutdown()
    except Exception:
        log.exception("graceful shutdown hooks failed; stopping anyway")
    # Gunicorn closes the listener within a second (its loop checks `alive` every second)
    # and then waits for requests in flight. Sockets are dropped only once it is closed, so
    # a client reconnecting at once cannot land here again and hold us to the timeout.
    worker.alive = False
    gevent.sleep(LISTENER_CLOSES_SECONDS)
    try:
        with worker.wsgi.app_context():
            drop_socket_connections()
    except Exception:
        log.exception("dropping Socket.IO connections failed")


def drop_socket_connections() -> int:
    """Close every Socket.IO connection of this process without a close packet, so clients
    treat it as a lost transport and reconnect (to another process, through nginx)."""
    from marketplace.extensions import socketio

    sockets = list(socketio.server.eio.sockets.values())
    for sock in sockets:
        sock.close(wait=False, abort=True)
    log.info("dropped %d Socket.IO connections", len(sockets))
    return len(sockets)


def child_exit(server: Any, worker: Any) -> None:
    """In the master: the worker's live gauges (open connections) stop counting."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(worker.pid, directory)
