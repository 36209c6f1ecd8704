"""Why an answer scored as it did, and peer reviews."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.answers import grading, reviews
from marketplace.answers.schemas import (
    ReviewInSchema,
    ReviewTaskSchema,
    ScoredAnswerSchema,
)
from marketplace.api.auth import user_caller
from marketplace.api.guards import user_blueprint

URL_PREFIX = "/expert"
blp = user_blueprint(
    "expert-quality", __name__, "An expert's scores, reviews and reputation.", Role.EXPERT
)


@blp.route("/answers/<uuid:answer_id>")
class AnswerDetail(MethodView):
    """One of my answers."""

    @blp.response(200, ScoredAnswerSchema)
    def get(self, answer_id: uuid.UUID) -> Any:
        """Why the answer scored as it did: every signal with its reason, and the blend."""
        return grading.answer_of_expert(user_caller().user_id, answer_id)


@blp.route("/reviews/next")
class NextReview(MethodView):
    """Peer review work."""

    @blp.response(200, ReviewTaskSchema)
    @blp.alt_response(204, description="Nothing to review right now.")
    def get(self) -> Any:
        """An answer from my pools to grade (never my own; the author is not shown)."""
        answer = reviews.next_to_review(user_caller().user_id)
        return answer if answer is not None else Response(status=204)


@blp.route("/reviews")
class Reviews(MethodView):
    """Grades I give."""

    @blp.arguments(ReviewInSchema)
    @blp.response(201, description="Recorded.")
    def post(self, data: dict[str, Any]) -> None:
        """Grade an answer 1-5; reviewers are weighed by their measured reliability."""
        caller = user_caller()
        reviews.submit_review(caller.user_id, data["answer_id"], data["grade"], caller.actor)
