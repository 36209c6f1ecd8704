"""The expert app's reading views: profile, pools, and answers with their scores."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.api.auth import user_caller
from marketplace.api.guards import user_blueprint
from marketplace.experts import profile
from marketplace.experts.schemas import (
    ExpertPoolsSchema,
    ExpertProfileSchema,
    MyAnswersArgsSchema,
    MyAnswersPageSchema,
)

URL_PREFIX = "/expert"
blp = user_blueprint(
    "expert_profile", __name__, "The expert's profile, pools and scored answers.", Role.EXPERT
)


@blp.route("/profile")
class Profile(MethodView):
    """The expert's own profile."""

    @blp.response(200, ExpertProfileSchema)
    def get(self) -> dict[str, Any]:
        """Tier, reputation, capacity, languages and skills."""
        return profile.expert_profile(user_caller().user_id)


@blp.route("/pools")
class Pools(MethodView):
    """Brand pools."""

    @blp.response(200, ExpertPoolsSchema)
    def get(self) -> dict[str, Any]:
        """Pools the expert is in (with tier and reputation there) and pools open to apply."""
        return profile.expert_pools(user_caller().user_id)


@blp.route("/answers")
class Answers(MethodView):
    """The expert's answers."""

    @blp.arguments(MyAnswersArgsSchema, location="query")
    @blp.response(200, MyAnswersPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, with score, scoring signals and the customer's rating."""
        items, next_cursor = profile.expert_answers(
            user_caller().user_id, args["cursor"], args["limit"]
        )
        return {"items": items, "next_cursor": next_cursor}
