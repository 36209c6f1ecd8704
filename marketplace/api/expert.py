"""REST twins of the expert socket actions, for a phone that lost its socket."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from marketplace.accounts.models import Role
from marketplace.answers import services as answers
from marketplace.api.auth import user_caller
from marketplace.api.guards import user_blueprint
from marketplace.experts import presence
from marketplace.matching import claims
from marketplace.matching.schemas import (
    AnswerBodySchema,
    AssignmentSchema,
    AvailabilitySchema,
    NoBodySchema,
    OfferSchema,
    PendingSchema,
)

URL_PREFIX = "/expert"
blp = user_blueprint(
    "expert", __name__, "An expert's offers, assignments and answers.", Role.EXPERT
)


class AvailabilityStateSchema(Schema):
    """The toggle and whether a socket is connected."""

    availability = fields.String()
    connected = fields.Boolean()


class AnswerResultSchema(Schema):
    """The stored answer."""

    answer_id = fields.UUID()
    created = fields.Boolean()


@blp.route("/pending")
class Pending(MethodView):
    """Everything open for the expert."""

    @blp.response(200, PendingSchema)
    def get(self) -> dict[str, Any]:
        """Availability, pending offers and active assignments (what a reconnect restores)."""
        return claims.pending_for_expert(user_caller().user_id)


@blp.route("/availability")
class Availability(MethodView):
    """The expert's availability toggle."""

    @blp.arguments(AvailabilitySchema)
    @blp.response(200, AvailabilityStateSchema)
    def put(self, data: dict[str, Any]) -> dict[str, Any]:
        """Go online, away or offline (away/offline hands pending offers to others)."""
        caller = user_caller()
        return presence.set_availability(caller.user_id, data["availability"], caller.actor)


@blp.route("/offers/<uuid:offer_id>/accept")
class OfferAccept(MethodView):
    """Claim an offer."""

    @blp.arguments(NoBodySchema)
    @blp.response(200, AssignmentSchema)
    @blp.alt_response(
        409, description="already-taken, offer-expired, offer-withdrawn, offer-closed, at-capacity."
    )
    def post(self, _: dict[str, Any], offer_id: uuid.UUID) -> Any:
        """Accept: exactly one expert wins a question; the others get 409 already-taken."""
        caller = user_caller()
        return claims.accept_offer(caller.user_id, offer_id, caller.actor)


@blp.route("/offers/<uuid:offer_id>/decline")
class OfferDecline(MethodView):
    """Turn an offer down."""

    @blp.arguments(NoBodySchema)
    @blp.response(200, OfferSchema)
    @blp.alt_response(409, description="offer-expired, offer-withdrawn, offer-closed.")
    def post(self, _: dict[str, Any], offer_id: uuid.UUID) -> Any:
        """Decline: the question moves on at once."""
        caller = user_caller()
        return claims.decline_offer(caller.user_id, offer_id, caller.actor)


@blp.route("/assignments/<uuid:assignment_id>/answer")
class AssignmentAnswer(MethodView):
    """Answer a claimed question."""

    @blp.arguments(AnswerBodySchema)
    @blp.response(201, AnswerResultSchema)
    @blp.alt_response(200, schema=AnswerResultSchema, description="Same key again.")
    def post(self, data: dict[str, Any], assignment_id: uuid.UUID) -> Any:
        """Submit the answer (HTML is stripped; at most ANSWER_MAX_CHARS characters)."""
        caller = user_caller()
        answer, created = answers.submit_answer(
            caller.user_id, assignment_id, data["body"], data["idempotency_key"], caller.actor
        )
        return {"answer_id": answer.id, "created": created}, 201 if created else 200
