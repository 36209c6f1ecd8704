"""Shared plumbing of socket handlers: parse, call one service, acknowledge, release the session.

Acknowledgements are {"status": 200, "data": ...} on success and RFC 9457 problem details on
failure, the same documents the REST API returns.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import request, session
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller, caller_for_user, caller_from_token
from marketplace.errors import DomainError, Forbidden, NotAuthenticated, busy_problem, problem
from marketplace.extensions import db

log = logging.getLogger(__name__)


def ok(data: Any = None) -> dict[str, Any]:
    """A success acknowledgement."""
    return {"status": 200, "data": data}


def socket_caller(auth: Any, *roles: Role) -> UserCaller:
    """Authenticate a connecting socket by token (auth={"token": ...}) or login session."""
    caller = None
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        caller = caller_from_token(auth["token"])
    elif session.get("user_id"):
        import uuid

        caller = caller_for_user(uuid.UUID(session["user_id"]))
    if caller is None:
        raise NotAuthenticated("Connect with auth={'token': <token from POST /api/v1/auth/token>}.")
    if caller.role not in roles:
        raise Forbidden(f"This namespace is for the role {' or '.join(r.value for r in roles)}.")
    return caller


def action(
    schema: type[Schema] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a socket event handler: validate input, map errors to problems, release the session."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def wrapper(data: Any = None) -> dict[str, Any]:
            try:
                args = schema().load(data if data is not None else {}) if schema else data
                return ok(handler(args))
            except ValidationError as error:
                messages = (
                    error.messages
                    if isinstance(error.messages, dict)
                    else {"_schema": error.messages}
                )
                return problem(
                    422, "Invalid input", "Some fields are invalid.", messages, "invalid-input"
                )
            except DomainError as error:
                return error.to_problem()
            except PoolTimeout as error:
                log.warning("database connection pool exhausted: %s", error)
                return busy_problem()
            except Exception:
                log.exception(
                    "socket event %s failed (sid %s)",
                    handler.__name__,
                    getattr(request, "sid", "?"),
                )
                return problem(500, "Internal server error", "Something went wrong.")
            finally:
                db.session.remove()

        return wrapper

    return decorate
