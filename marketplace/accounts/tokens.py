"""Short-lived signed bearer tokens for people (experts, moderators, admins)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.accounts.models import Role

TOKEN_PREFIX = "ut_"  # noqa: S105 - company API keys start with "mk_"; the prefix tells the two apart
SALT = "marketplace.user-token.v1"


@dataclass(frozen=True)
class TokenClaims:
    """Who a token speaks for."""

    user_id: uuid.UUID
    role: Role


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue_token(user_id: uuid.UUID, role: Role) -> str:
    """A token valid for USER_TOKEN_SECONDS (signed with SECRET_KEY, nothing stored)."""
    return TOKEN_PREFIX + _serializer().dumps({"u": str(user_id), "r": role.value})


def read_token(token: str) -> TokenClaims | None:
    """The claims of a valid, unexpired token; None otherwise."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    max_age = current_app.config["USER_TOKEN_SECONDS"]
    try:
        data = _serializer().loads(token[len(TOKEN_PREFIX) :], max_age=max_age)
        return TokenClaims(uuid.UUID(data["u"]), Role(data["r"]))
    except (BadSignature, SignatureExpired, KeyError, ValueError, TypeError):
        return None
