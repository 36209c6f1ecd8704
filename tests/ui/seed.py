"""Seed the browser tests' database through the services: one company with a budget, its admin,
a moderator, a few vetted experts in its pool (each test drives its own expert), and a probation
expert alone in a second pool, so every answer there is held for a moderator and no vetted
expert is offered its questions first. Prints what it made as JSON.

Run as `python -m tests.ui.seed` with DATABASE_URL pointing at a migrated database.
"""

from __future__ import annotations

import json

from marketplace import create_app
from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.companies.models import PoolKind
from marketplace.companies.services import (
    create_company,
    create_pool,
    find_pool,
    update_pool_settings,
)
from marketplace.eventlog.services import Actor
from marketplace.experts.models import Tier
from marketplace.experts.services import admit_to_pool, create_expert
from marketplace.rewards.services import top_up
from marketplace.webhooks.services import set_endpoint

PASSWORD = "ui-test-pass-1"
EXPERTS = ("flow", "offline", "lang")
PROBATION_POOL = "aurora-newcomers"
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
    create_user("mod@ui.test", PASSWORD, "Mo Moderator", Role.MODERATOR, company_id=company_id)
    # A second moderator: an appeal is decided by someone other than the one who rejected.
    create_user("mod2@ui.test", PASSWORD, "Mei Moderator", Role.MODERATOR, company_id=company_id)
    # Probation: every answer is a mandatory audit, held from the company until the verdict.
    newcomers = create_pool(
        company_id, PROBATION_POOL, "Aurora newcomers 新人", "Aurora", PoolKind.CROWD, ACTOR
    )
    update_pool_settings(company_id, PROBATION_POOL, {"offer_timeout_seconds": 120}, ACTOR)
    user = create_expert(
        "probation@ui.test",
        PASSWORD,
        "Probation 新专家",
        languages=["en", "zh"],
        skills={"battery": 3},
        capacity=5,
        actor=ACTOR,
    )
    admit_to_pool(user.id, newcomers.id, ACTOR, Tier.PROBATION)
    experts["probation"] = "probation@ui.test"
    return {
        "api_key": issued.secret,
        "admin": "admin@ui.test",
        "moderators": ["mod@ui.test", "mod2@ui.test"],
        "probation_pool": PROBATION_POOL,
        "experts": experts,
    }


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        print(json.dumps(seed()))
