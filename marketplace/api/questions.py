"""Company endpoints for questions: post (one or a batch), list, read, cancel, feedback."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, request
from flask.views import MethodView

from marketplace.api.auth import company_caller
from marketplace.api.guards import company_blueprint
from marketplace.errors import DomainError
from marketplace.questions import services
from marketplace.questions.schemas import (
    BatchResultSchema,
    FeedbackSchema,
    GoldQuestionCreateSchema,
    HistoryEventSchema,
    QuestionBatchSchema,
    QuestionCreateSchema,
    QuestionListArgsSchema,
    QuestionPageSchema,
    QuestionSchema,
)

URL_PREFIX = "/questions"
blp = company_blueprint("questions", __name__, "Post and follow customer questions.")


class BodyTooLarge(DomainError):
    """A single-question body over its documented limit."""

    status = 413
    slug = "body-too-large"
    title = "Request body too large"


@blp.before_request
def _limit_single_post() -> None:
    limit = current_app.config["QUESTION_MAX_BODY_BYTES"]
    if request.endpoint == "questions.Questions" and (request.content_length or 0) > limit:
        raise BodyTooLarge(f"A single question may be at most {limit} bytes; use the batch.")


@blp.route("")
class Questions(MethodView):
    """The company's questions."""

    @blp.arguments(QuestionListArgsSchema, location="query")
    @blp.response(200, QuestionPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List questions, newest first, with filters and an opaque cursor."""
        cursor, limit = args.pop("cursor"), args.pop("limit")
        items, next_cursor = services.list_questions(
            company_caller().company_id, services.QuestionFilters(**args), cursor, limit
        )
        return {"items": items, "next_cursor": next_cursor}

    @blp.arguments(QuestionCreateSchema)
    @blp.response(201, QuestionSchema, description="Created.")
    @blp.alt_response(
        200,
        schema=QuestionSchema,
        description="Already posted with this "
        "external_id and the same content: the original is returned.",
    )
    @blp.alt_response(402, description="The budget cannot cover the reward hold.")
    @blp.alt_response(409, description="external_id already used with other content.")
    def post(self, data: dict[str, Any]) -> Any:
        """Post one question; its maximum cost is held on the company budget."""
        caller = company_caller()
        result = services.create_question(caller.company_id, data, caller.actor)
        view = services.posted_view(caller.company_id, result)
        return view, 201 if result.created else 200


@blp.route("/batch")
class QuestionBatch(MethodView):
    """Many questions at once."""

    @blp.arguments(QuestionBatchSchema)
    @blp.response(200, BatchResultSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Post up to 1,000 questions; every item is answered with its own status."""
        caller = company_caller()
        results = services.create_questions_batch(caller.company_id, data["items"], caller.actor)
        counts = {s: sum(1 for r in results if r.status == s) for s in (200, 201)}
        return {
            "results": results,
            "created": counts[201],
            "existing": counts[200],
            "failed": len(results) - counts[200] - counts[201],
        }


@blp.route("/<uuid:question_id>")
class QuestionDetail(MethodView):
    """One question."""

    @blp.response(200, QuestionSchema)
    def get(self, question_id: uuid.UUID) -> Any:
        """Read a question, with its answer once there is one."""
        return services.get_question(company_caller().company_id, question_id)


@blp.route("/<uuid:question_id>/cancel")
class QuestionCancel(MethodView):
    """Withdraw a question."""

    @blp.response(200, QuestionSchema)
    def post(self, question_id: uuid.UUID) -> Any:
        """Cancel an open question; its offers are revoked and its reward hold released."""
        caller = company_caller()
        return services.cancel_question(caller.company_id, question_id, caller.actor)


@blp.route("/<uuid:question_id>/feedback")
class QuestionFeedback(MethodView):
    """The customer's verdict."""

    @blp.arguments(FeedbackSchema)
    @blp.response(201, FeedbackSchema)
    @blp.alt_response(200, schema=FeedbackSchema, description="The same feedback again.")
    def post(self, data: dict[str, Any], question_id: uuid.UUID) -> Any:
        """Record the customer's rating (1-5), whether it resolved the issue, and a comment."""
        caller = company_caller()
        feedback, created = services.record_feedback(
            caller.company_id, question_id, data, caller.actor
        )
        return feedback, 201 if created else 200


@blp.route("/<uuid:question_id>/history")
class QuestionHistory(MethodView):
    """What happened to a question."""

    @blp.response(200, HistoryEventSchema(many=True))
    def get(self, question_id: uuid.UUID) -> Any:
        """The question's trail from the event log, oldest first (status moves, escalation,
        answer, feedback, moderation)."""
        return services.question_history(company_caller().company_id, question_id)


gold_blp = company_blueprint("gold", __name__, "Known-answer questions that measure experts.")
GOLD_URL_PREFIX = "/gold-questions"


@gold_blp.route("")
class GoldQuestions(MethodView):
    """Gold questions."""

    @gold_blp.arguments(GoldQuestionCreateSchema)
    @gold_blp.response(201, QuestionSchema)
    @gold_blp.alt_response(200, schema=QuestionSchema, description="Already posted.")
    def post(self, data: dict[str, Any]) -> Any:
        """Post a question with its known answer; answers to it are graded against the reference
        and count three times as much as other evidence in the expert's reputation."""
        caller = company_caller()
        result = services.create_gold_question(caller.company_id, data, caller.actor)
        view = services.posted_view(caller.company_id, result)
        return view, 201 if result.created else 200
