"""The company REST API under /api/v1, documented by an OpenAPI document from its schemas."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from marketplace.api import (
    account,
    analytics,
    expert,
    expert_profile,
    expert_quality,
    keys,
    knowledge,
    matching,
    moderation,
    moderation_quality,
    onboarding,
    pools,
    questions,
    rewards,
    sessions,
    signup,
    tokens,
    webhooks,
)
from marketplace.errors import ProblemSchema, http_exception_problem, problem_response

API_PREFIX = "/api/v1"


class ProblemApi(Api):
    """flask-smorest, but every HTTP error leaves as problem details."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Render werkzeug and webargs errors in the one error shape."""
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem_response(http_exception_problem(error), headers=headers)


def init_app(app: Flask) -> ProblemApi:
    """Register the API blueprints, their rate limit and the OpenAPI document."""
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = ProblemApi(
        app,
        spec_kwargs={
            "info": {
                "description": "Post overflow customer questions; get answers from vetted "
                "experts. Authenticate with `Authorization: Bearer <api key>`. Errors are "
                "RFC 9457 problem details (`application/problem+json`).",
            },
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A company API key."}
    )
    modules = (
        questions,
        account,
        analytics,
        webhooks,
        keys,
        pools,
        tokens,
        sessions,
        signup,
        expert,
        expert_profile,
        expert_quality,
        matching,
        moderation,
        moderation_quality,
        onboarding,
        knowledge,
    )
    for module in modules:
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.URL_PREFIX)
    extra = (
        (questions.gold_blp, questions.GOLD_URL_PREFIX),
        (onboarding.invites_blp, onboarding.INVITES_PREFIX),
        (onboarding.standing_blp, onboarding.STANDING_PREFIX),
    )
    for blueprint, prefix in (*extra, *rewards.BLUEPRINTS, *knowledge.BLUEPRINTS):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + prefix)
    app.extensions["marketplace_api"] = api
    return api
