"""Seed the browser tests' database through the services: one company with a budget, its admin,
and a few experts in its pool (each test drives its own expert). Prints what it made as JSON.

Run as `python -m tests.ui.seed` with DATABASE_URL pointing at a migrated database.
"""

from __future__ import annotations

import json

from marketplace import create_app
from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.companies.services import create_company, find_pool, update_pool_settings
from marketplace.eventlog.services import Actor
from marketplace.experts.models import Tier
from marketplace.experts.services import admit_to_pool, create_expert
from marketplace.rewards.services import top_up
from marketplace.webhooks.services import set_endpoint

PASSWORD = "ui-test-pass-1"
EXPERTS = ("flow", "offline", "lang")
ACTOR = Actor.system("ui-test")


def seed() -> dict[str, object]:
    """Create the company, admin and experts; returns their logins and the API key."""
    issued = create_company("Aurora 极光", "CNY", slug="aurora", brand="Aurora", actor=ACTOR)
    company_id = issued.key.company_id
    top_up(company_id, 10_000_00, "CNY", "ui-initial", ACTOR)
    create_user("admin@ui.test", PASSWORD, "Ada Admin", Role.COMPANY_ADMIN, company_id=company_id)
    pool = find_pool(company_id, None)
    # Long offers: the offline test reloads the page while an offer waits. No random audit
    # sample of vetted experts: a sampled answer is held from the dashboard until a verdict,
    # which made the flow test fail about one run in ten.
    update_pool_settings(
        company_id,
        pool.slug,
        {"offer_timeout_seconds": 120, "audit": {"sample_rates": {"vetted": 0.0}}},
        ACTOR,
    )
    # Nobody listens there: deliveries are logged (and retried), which the dashboard shows.
    set_endpoint(company_id, "http://127.0.0.1:9/hooks", "ui-test-webhook-secret", ACTOR)
    experts = {}
    for name in EXPERTS:
        email = f"{name}@ui.test"
        user = create_expert(
            email,
            PASSWORD,
            f"{name.title()} 专家",
            languages=["en", "zh"],
            skills={"battery": 4},
            capacity=5,
            actor=ACTOR,
        )
        admit_to_pool(user.id, pool.id, ACTOR, Tier.VETTED)
        experts[name] = email
    return {"api_key": issued.secret, "admin": "admin@ui.test", "experts": experts}


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        print(json.dumps(seed()))
