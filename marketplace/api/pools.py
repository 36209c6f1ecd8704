"""The company's pools and their matching settings."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from marketplace.api.auth import company_caller
from marketplace.api.guards import company_blueprint
from marketplace.companies import services
from marketplace.companies.schemas import PoolSchema, PoolSettingsPatchSchema

URL_PREFIX = "/pools"
blp = company_blueprint("pools", __name__, "Brand pools and how their questions are offered.")


@blp.route("")
class Pools(MethodView):
    """The company's pools."""

    @blp.response(200, PoolSchema(many=True))
    def get(self) -> Any:
        """Every pool with its own settings and the settings in effect."""
        return services.list_pools(company_caller().company_id)


@blp.route("/<string:slug>")
class PoolDetail(MethodView):
    """One pool."""

    @blp.response(200, PoolSchema)
    def get(self, slug: str) -> Any:
        """A pool by slug."""
        return services.get_pool(company_caller().company_id, slug)

    @blp.arguments(PoolSettingsPatchSchema)
    @blp.response(200, PoolSchema)
    def patch(self, data: dict[str, Any], slug: str) -> Any:
        """Change offer mode, timeouts, broadcast size, answer time, hourly cap, invite-only.

        Ranges are those of docs/matching.md; unknown fields are refused; null resets a
        setting to the company's value."""
        caller = company_caller()
        return services.update_pool_settings(caller.company_id, slug, data, caller.actor)
