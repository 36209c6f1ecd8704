"""Who is calling the API: a company (API key) or a person (bearer token)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import g, request, session
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from marketplace.accounts.models import Role
from marketplace.accounts.services import (
    UserCaller,
    caller_for_user,
    caller_from_token,
    refuse_inactive_token,
)
from marketplace.companies.services import CompanyCaller, authenticate_api_key
from marketplace.errors import Forbidden, NotAuthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_company() -> None:
    """Blueprint hook: a company API key, or a company admin's browser session (with CSRF)."""
    token = bearer_token()
    caller = authenticate_api_key(token) if token else None
    if caller is None and token is None:
        user = session_caller()
        if user is not None and user.role == Role.COMPANY_ADMIN and user.company_id:
            caller = CompanyCaller(
                company_id=user.company_id, api_key_id=None, user_id=user.user_id
            )
    if caller is None:
        detail = (
            "Send a valid API key as 'Authorization: Bearer <key>'."
            if token is None
            else "The API key is not valid or was revoked."
        )
        raise NotAuthenticated(detail)
    g.caller = caller


def session_caller() -> UserCaller | None:
    """The person logged in through the browser session; unsafe methods need the CSRF header."""
    raw = session.get("user_id")
    if not raw:
        return None
    caller = caller_for_user(uuid.UUID(raw))
    if caller is not None and request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRF-Token", ""))
        except ValidationError as error:
            raise Forbidden("Missing or stale CSRF token (send X-CSRF-Token).") from error
    return caller


def company_caller() -> CompanyCaller:
    """The authenticated company of this request."""
    return g.caller


def require_user(*roles: Role) -> Callable[[], None]:
    """A blueprint hook admitting people with one of `roles` (bearer token from /auth/token)."""

    def hook() -> None:
        token = bearer_token()
        caller = caller_from_token(token) if token else session_caller()
        if caller is None and token:
            refuse_inactive_token(token)
        if caller is None:
            raise NotAuthenticated(
                "Send a valid token as 'Authorization: Bearer <token>' (POST /api/v1/auth/token)."
            )
        if caller.role not in roles:
            raise Forbidden(f"This needs the role {' or '.join(r.value for r in roles)}.")
        g.user = caller

    return hook


def user_caller() -> UserCaller:
    """The authenticated person of this request."""
    return g.user


def rate_limit_key() -> str:
    """Limit per API key or token (a short digest of it), otherwise per client address."""
    token = bearer_token()
    if token and token.startswith("mk_"):
        return "key:" + token[3:19]
    if token and token.startswith("ut_"):
        return "token:" + token[-16:]
    return "ip:" + (get_remote_address() or "unknown")
