"""One error shape everywhere: RFC 9457 problem details, with a message list per field."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from flask_limiter.errors import RateLimitExceeded
from marshmallow import Schema, ValidationError, fields
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:marketplace:problem:"


class DomainError(Exception):
    """A refusal by a service; the transports turn it into a problem document."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: dict[str, Any] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        """The problem-details document for this error."""
        return problem(self.status, self.title, self.detail, self.errors, self.slug, **self.extra)


class InvalidInput(DomainError):
    """The input is well-formed but breaks a rule; `errors` names the fields."""

    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class NotAuthenticated(DomainError):
    """No credentials, or wrong ones."""

    status = 401
    slug = "not-authenticated"
    title = "Not authenticated"


class PaymentRequired(DomainError):
    """The company's budget cannot cover what it asked for."""

    status = 402
    slug = "insufficient-budget"
    title = "Insufficient budget"


class Forbidden(DomainError):
    """Authenticated, but this role may not do this."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    """No such thing, or not yours (the two look the same from outside)."""

    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    """The request clashes with the current state."""

    status = 409
    slug = "conflict"
    title = "Conflict"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    errors: dict[str, Any] | None = None,
    slug: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Build a problem-details document (also used as a Socket.IO acknowledgement)."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug if slug else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """Serialise a problem document with its media type."""
    response = Response(
        json.dumps(body), status=body["status"], mimetype=PROBLEM_MIMETYPE, headers=headers
    )
    return response


def flatten_webargs_messages(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {...}}); clients want fields at the top."""
    flat: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            flat.update(location_messages)
    return flat


def http_exception_problem(error: HTTPException) -> dict[str, Any]:
    """Translate a werkzeug/flask-smorest HTTP error, keeping webargs field messages."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = None
    if "messages" in data:
        errors = flatten_webargs_messages(data["messages"])
    detail = data.get("message") or error.description
    if status == 422 and errors:
        return problem(422, "Invalid input", "Some fields are invalid.", errors, "invalid-input")
    return problem(status, error.name, detail)


BUSY_RETRY_AFTER_SECONDS = 2


def busy_problem() -> dict[str, Any]:
    """Every database connection of this process is taken: an overload, not a bug. The 503
    (with `retry_after` seconds, for socket acknowledgements that carry no header) tells the
    client to come back, where a 500 would read as a failure."""
    detail = "The service is busy: retry shortly. 服务繁忙，请稍后重试。"
    return problem(503, "Service busy", detail, slug="busy", retry_after=BUSY_RETRY_AFTER_SECONDS)


def register_error_handlers(app: Flask) -> None:
    """Make every error leave the app as problem details."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return problem_response(error.to_problem())

    @app.errorhandler(ValidationError)
    def _validation(error: ValidationError) -> Response:
        messages = (
            error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        )
        return problem_response(
            problem(422, "Invalid input", "Some fields are invalid.", messages, "invalid-input")
        )

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> Response:
        detail = f"Rate limit exceeded: {error.description}."
        return problem_response(problem(429, "Too many requests", detail, slug="rate-limited"))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem_response(http_exception_problem(error), headers=headers)

    @app.errorhandler(PoolTimeout)
    def _busy(error: PoolTimeout) -> Response:
        log.warning("database connection pool exhausted: %s", error)
        body = busy_problem()
        return problem_response(body, headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)})

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return problem_response(problem(500, "Internal server error", "Something went wrong."))


class ProblemSchema(Schema):
    """RFC 9457 problem details, as documented in the OpenAPI document."""

    type = fields.String(metadata={"example": "urn:marketplace:problem:invalid-input"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Messages per field (nested for objects)."})
