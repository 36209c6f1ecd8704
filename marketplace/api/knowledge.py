"""The company's knowledge base and scoring settings, and knowledge suggestions for experts."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.api.auth import company_caller, user_caller
from marketplace.api.guards import company_blueprint, user_blueprint
from marketplace.knowledge import services
from marketplace.knowledge.schemas import (
    KnowledgeEntryInSchema,
    KnowledgeEntryPatchSchema,
    KnowledgeEntrySchema,
    KnowledgeListArgsSchema,
    KnowledgePageSchema,
    ScoringSettingsPatchSchema,
    ScoringSettingsSchema,
    SuggestionsSchema,
)

URL_PREFIX = "/knowledge"
blp = company_blueprint("knowledge", __name__, "The knowledge base answers are checked against.")
settings_blp = company_blueprint(
    "scoring-settings", __name__, "Banned terms, allowed link domains and score thresholds."
)
expert_blp = user_blueprint(
    "expert-knowledge", __name__, "Knowledge-base suggestions while answering.", Role.EXPERT
)
BLUEPRINTS = ((settings_blp, "/scoring"), (expert_blp, "/expert"))


@blp.route("")
class Entries(MethodView):
    """The company's entries."""

    @blp.arguments(KnowledgeListArgsSchema, location="query")
    @blp.response(200, KnowledgePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, with an opaque cursor."""
        items, cursor = services.list_entries(
            company_caller().company_id, args["cursor"], args["limit"]
        )
        return {"items": items, "next_cursor": cursor}

    @blp.arguments(KnowledgeEntryInSchema)
    @blp.response(201, KnowledgeEntrySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an article: answers copying it are flagged, experts are offered it."""
        caller = company_caller()
        return services.create_entry(caller.company_id, data, caller.actor)


@blp.route("/<uuid:entry_id>")
class Entry(MethodView):
    """One entry."""

    @blp.response(200, KnowledgeEntrySchema)
    def get(self, entry_id: uuid.UUID) -> Any:
        """An entry of the company (another company's is a 404)."""
        return services.get_entry(company_caller().company_id, entry_id)

    @blp.arguments(KnowledgeEntryPatchSchema)
    @blp.response(200, KnowledgeEntrySchema)
    def patch(self, data: dict[str, Any], entry_id: uuid.UUID) -> Any:
        """Change the title, body, language or tags."""
        caller = company_caller()
        return services.update_entry(caller.company_id, entry_id, data, caller.actor)

    @blp.response(204)
    def delete(self, entry_id: uuid.UUID) -> None:
        """Remove the entry."""
        caller = company_caller()
        services.delete_entry(caller.company_id, entry_id, caller.actor)


@settings_blp.route("/settings")
class Settings(MethodView):
    """The scoring settings."""

    @settings_blp.response(200, ScoringSettingsSchema)
    def get(self) -> Any:
        """The settings in effect (defaults where none were set)."""
        return services.scoring_settings(company_caller().company_id)

    @settings_blp.arguments(ScoringSettingsPatchSchema)
    @settings_blp.response(200, ScoringSettingsSchema)
    def patch(self, data: dict[str, Any]) -> Any:
        """Change banned terms, allowed domains, the accept threshold or the gold threshold.

        Each field is checked on its own (422 names it); null resets it to the default."""
        caller = company_caller()
        return services.update_scoring_settings(caller.company_id, data, caller.actor)


@expert_blp.route("/assignments/<uuid:assignment_id>/suggestions")
class Suggestions(MethodView):
    """Help for the question being answered."""

    @expert_blp.response(200, SuggestionsSchema)
    def get(self, assignment_id: uuid.UUID) -> dict[str, Any]:
        """Entries of the question's company, most relevant first (the assignee only)."""
        return {"items": services.suggestions_for(user_caller().user_id, assignment_id)}
