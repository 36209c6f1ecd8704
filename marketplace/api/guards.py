"""What every company API blueprint checks before its views run."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from marketplace.accounts.models import Role
from marketplace.api.auth import rate_limit_key, require_company, require_user
from marketplace.errors import DomainError
from marketplace.extensions import limiter


class UnsupportedMediaType(DomainError):
    """A request body that is not JSON."""

    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


def require_json_body() -> None:
    """Bodies must be JSON; a form or text body would otherwise read as 'missing fields'."""
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
    if request.method in {"POST", "PUT", "PATCH"} and has_body and not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON (Content-Type: application/json).")


def company_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint whose views need a company API key, JSON bodies and the API rate limit."""
    blp = Blueprint(name, import_name, description=description)
    blp.before_request(require_company)
    blp.before_request(require_json_body)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(blp)
    return blp


def user_blueprint(name: str, import_name: str, description: str, *roles: Role) -> Blueprint:
    """A blueprint whose views need a person's bearer token with one of `roles`."""
    blp = Blueprint(name, import_name, description=description)
    blp.before_request(require_user(*roles))
    blp.before_request(require_json_body)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(blp)
    return blp
