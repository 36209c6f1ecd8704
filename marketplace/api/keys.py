"""The company's API keys: list, issue (the secret is shown once), revoke."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from marketplace.api.auth import company_caller
from marketplace.api.guards import company_blueprint
from marketplace.companies import services
from marketplace.companies.schemas import ApiKeyCreateSchema, ApiKeySchema, IssuedKeySchema
from marketplace.errors import Forbidden

URL_PREFIX = "/keys"
blp = company_blueprint("keys", __name__, "API keys (issued and revoked from the dashboard).")


def _admin_session() -> Any:
    """Keys are made and revoked by a company admin's login, never by another key."""
    caller = company_caller()
    if caller.api_key_id is not None:
        raise Forbidden("API keys are managed by a company admin's login (the dashboard).")
    return caller


@blp.route("")
class Keys(MethodView):
    """The company's keys."""

    @blp.response(200, ApiKeySchema(many=True))
    def get(self) -> Any:
        """Every key, newest first, revoked ones included; never the secret."""
        return services.list_api_keys(company_caller().company_id)

    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, IssuedKeySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue a key; `secret` is in this response only (only a hash is kept)."""
        caller = _admin_session()
        return services.issue_api_key(caller.company_id, data["name"], caller.actor)


@blp.route("/<uuid:key_id>")
class Key(MethodView):
    """One key."""

    @blp.response(200, ApiKeySchema)
    def delete(self, key_id: uuid.UUID) -> Any:
        """Revoke: requests with this key fail from now on. Revoking twice is harmless."""
        caller = _admin_session()
        return services.revoke_api_key(caller.company_id, key_id, caller.actor)
