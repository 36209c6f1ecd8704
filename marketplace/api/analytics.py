"""Dashboard numbers: the live queue and activity over time."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from marketplace.analytics import services
from marketplace.analytics.schemas import (
    QueueArgsSchema,
    QueueSchema,
    SummaryArgsSchema,
    SummarySchema,
)
from marketplace.api.auth import company_caller
from marketplace.api.guards import company_blueprint

URL_PREFIX = ""
blp = company_blueprint("analytics", __name__, "The live queue and activity over time.")


@blp.route("/queue")
class Queue(MethodView):
    """The queue right now."""

    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueueSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Counts by status, the oldest waiting question and SLAs at risk."""
        return services.queue_snapshot(company_caller().company_id, args["at_risk_minutes"])


@blp.route("/analytics/summary")
class Summary(MethodView):
    """Activity over time."""

    @blp.arguments(SummaryArgsSchema, location="query")
    @blp.response(200, SummarySchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Per hour or day: questions by channel, answered, returned, expired, median times to
        first offer and to answer, CSAT, resolution rate and spend. At most 92 days by day and
        14 days by hour; the range is widened to whole buckets."""
        window = services.make_window(args["from_"], args["to"], args["bucket"], args["utc_offset"])
        return services.summary(company_caller().company_id, window)
