"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from marketplace.accounts import models as accounts_models
from marketplace.answers import models as answers_models
from marketplace.companies import models as companies_models
from marketplace.eventlog import models as eventlog_models
from marketplace.experts import models as experts_models
from marketplace.knowledge import models as knowledge_models
from marketplace.matching import models as matching_models
from marketplace.moderation import models as moderation_models
from marketplace.questions import models as questions_models
from marketplace.rewards import models as rewards_models
from marketplace.webhooks import models as webhooks_models

DOMAIN_MODEL_MODULES = (
    accounts_models,
    answers_models,
    companies_models,
    eventlog_models,
    experts_models,
    knowledge_models,
    matching_models,
    moderation_models,
    questions_models,
    rewards_models,
    webhooks_models,
)
