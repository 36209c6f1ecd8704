"""The company's webhook endpoint and its delivery log."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from marketplace.api.auth import company_caller
from marketplace.api.guards import company_blueprint
from marketplace.webhooks import services

URL_PREFIX = "/webhook"
blp = company_blueprint("webhook", __name__, "Signed webhooks about your questions.")


class WebhookInSchema(Schema):
    """Where to send events, and the shared secret that signs them."""

    url = fields.String(required=True, validate=validate.Length(max=500))
    secret = fields.String(required=True, load_only=True, validate=validate.Length(16, 200))


class WebhookOutSchema(Schema):
    """The configured endpoint (the secret is never shown)."""

    url = fields.String()
    active = fields.Boolean()
    events = fields.Constant(list(services.EVENTS))
    updated_at = fields.AwareDateTime()


class DeliveryArgsSchema(Schema):
    """Page through the log, newest first."""

    before = fields.UUID(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class DeliverySchema(Schema):
    """One delivery and how it went."""

    id = fields.UUID()
    event = fields.String()
    status = fields.String(attribute="status.value")
    attempts = fields.Integer()
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)
    payload = fields.Dict()


@blp.route("")
class Webhook(MethodView):
    """The company's one endpoint."""

    @blp.response(200, WebhookOutSchema)
    def get(self) -> Any:
        """The configured endpoint."""
        return services.get_endpoint(company_caller().company_id)

    @blp.arguments(WebhookInSchema)
    @blp.response(200, WebhookOutSchema)
    def put(self, data: dict[str, Any]) -> Any:
        """Set the URL and secret. Deliveries are signed: X-Marketplace-Signature: t=<unix>,v1=<hex
        HMAC-SHA256 of '<t>.<body>'>; retried with backoff for a few hours."""
        caller = company_caller()
        return services.set_endpoint(caller.company_id, data["url"], data["secret"], caller.actor)

    @blp.response(204)
    def delete(self) -> None:
        """Stop sending webhooks."""
        caller = company_caller()
        services.delete_endpoint(caller.company_id, caller.actor)


@blp.route("/deliveries")
class Deliveries(MethodView):
    """The delivery log."""

    @blp.arguments(DeliveryArgsSchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Deliveries, newest first; pass the last id as `before` for the next page."""
        before: uuid.UUID | None = args["before"]
        return services.list_deliveries(company_caller().company_id, before, args["limit"])
