"""Moderators look into scoring: why an answer scored as it did, and how reliable reviewers are."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.answers import grading, reviews
from marketplace.answers.schemas import (
    AnswerExplanationSchema,
    ReviewerArgsSchema,
    ReviewerReliabilitySchema,
)
from marketplace.api.auth import user_caller
from marketplace.api.guards import user_blueprint

URL_PREFIX = "/moderation"
blp = user_blueprint(
    "moderation-quality",
    __name__,
    "Scoring explanations and reviewer reliability for moderators.",
    Role.MODERATOR,
    Role.PLATFORM_ADMIN,
)


@blp.route("/answers/<uuid:answer_id>")
class AnswerExplanation(MethodView):
    """One answer of the moderator's company."""

    @blp.response(200, AnswerExplanationSchema)
    def get(self, answer_id: uuid.UUID) -> Any:
        """The answer, its question and every signal (reasons in English and Chinese), the
        blended components and the gold grading."""
        return grading.answer_for_moderator(user_caller(), answer_id)


@blp.route("/reviewers")
class Reviewers(MethodView):
    """Peer reviewers."""

    @blp.arguments(ReviewerArgsSchema, location="query")
    @blp.response(200, ReviewerReliabilitySchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Each reviewer's estimated accuracy in the moderator's pools, least reliable first."""
        return reviews.reviewer_report(user_caller(), args["pool_id"])
