"""The company's matching settings: ranking weights, offer mode and timeouts, escalation rings."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from marketplace.api.auth import company_caller
from marketplace.api.guards import company_blueprint
from marketplace.matching import configuration
from marketplace.matching.schemas import MatchingSettingsPatchSchema, MatchingSettingsSchema

URL_PREFIX = "/matching"
blp = company_blueprint(
    "matching", __name__, "How your questions are matched: weights, offer modes, escalation."
)


@blp.route("/settings")
class MatchingSettings(MethodView):
    """Company-wide matching settings (a pool's own settings override them)."""

    @blp.response(200, MatchingSettingsSchema)
    def get(self) -> Any:
        """Your settings, the settings in effect (defaults filled in) and the allowed ranges."""
        return configuration.company_settings(company_caller().company_id)

    @blp.arguments(MatchingSettingsPatchSchema)
    @blp.response(200, MatchingSettingsSchema)
    def patch(self, data: dict[str, Any]) -> Any:
        """Change weights, default offer mode, offer timeout (10-300 s), fan-out, hourly cap,
        escalation rings and the rest; fields left out stay, null goes back to the default.

        Each invalid field gets its own message (`errors`, nested for rings and weights)."""
        caller = company_caller()
        return configuration.update_company_settings(caller.company_id, data, caller.actor)
