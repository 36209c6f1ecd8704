"""Logging set-up: plain text for a laptop, one JSON object per line in production.

Every record carries the request id of the web request it belongs to (or the socket id of a
Socket.IO event) and the RQ job id of the job it was logged in, so one question's trail can
be followed across web processes and workers by grepping one id.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context, request

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
# Attributes every LogRecord has; anything else was passed with `extra=` and is logged too.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_CONTEXT = ("request_id", "socket_id", "job_id")


class ContextFilter(logging.Filter):
    """Adds request_id / socket_id (web) and job_id (RQ work horse) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context().items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        parts = [f"{n}={getattr(record, n)}" for n in _CONTEXT if getattr(record, n, None)]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


def _context() -> dict[str, str | None]:
    context: dict[str, str | None] = dict.fromkeys(_CONTEXT)
    if has_request_context():
        context["request_id"] = g.get("request_id")
        context["socket_id"] = getattr(request, "sid", None)
    job_module = sys.modules.get("rq.job")  # only where RQ runs; never imported for this
    if job_module is not None:
        job = job_module.get_current_job()
        context["job_id"] = job.id if job is not None else None
    return context


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, process, context, extras."""

    def __init__(self, process_name: str | None = None) -> None:
        super().__init__()
        self.process_name = process_name or os.environ.get("MARKETPLACE_PROCESS_NAME")

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if self.process_name:
            document["process_name"] = self.process_name
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key != "context" and value is not None:
                document[key] = value
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            document["stack"] = self.formatStack(record.stack_info)
        return json.dumps(document, ensure_ascii=False, default=str)


def make_handler(log_format: str, stream: Any = None) -> logging.Handler:
    """A stream handler in the given format ("json" or "text") with the context filter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(log_format: str, level: str) -> None:
    """Give the root logger our handler, unless someone (pytest, a host app) already did."""
    root = logging.getLogger()
    if any(getattr(h, "marketplace", False) for h in root.handlers):
        root.setLevel(level)
        return
    if root.handlers:
        return
    handler = make_handler(log_format)
    handler.marketplace = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
