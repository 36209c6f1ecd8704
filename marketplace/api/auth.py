"""Who is calling the API: company API keys (Bearer)."""

from __future__ import annotations

from flask import g, request
from flask_limiter.util import get_remote_address

from marketplace.companies.services import CompanyCaller, authenticate_api_key
from marketplace.errors import NotAuthenticated


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_company() -> None:
    """Blueprint hook: authenticate the API key and remember the company in `g.caller`."""
    token = bearer_token()
    caller = authenticate_api_key(token) if token else None
    if caller is None:
        detail = (
            "Send a valid API key as 'Authorization: Bearer <key>'."
            if token is None
            else "The API key is not valid or was revoked."
        )
        raise NotAuthenticated(detail)
    g.caller = caller


def company_caller() -> CompanyCaller:
    """The authenticated company of this request."""
    return g.caller


def rate_limit_key() -> str:
    """Limit per API key (its public prefix) and otherwise per client address."""
    token = bearer_token()
    if token and token.startswith("mk_"):
        return "key:" + token[3:19]
    return "ip:" + (get_remote_address() or "unknown")
