"""Build the demo marketplace through the same services the product uses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.companies.models import ApiKey, Company, PoolKind
from marketplace.companies.services import (
    create_company,
    create_pool,
    find_pool,
    issue_api_key,
    update_pool_settings,
)
from marketplace.database import utcnow
from marketplace.demo import data
from marketplace.eventlog.services import Actor
from marketplace.experts.models import Tier
from marketplace.experts.services import admit_to_pool, create_expert
from marketplace.extensions import db
from marketplace.questions.services import create_questions_batch
from marketplace.rewards.services import top_up

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - a demo login, printed by make run
DEMO_KEY_NAME = "demo"
ACTOR = Actor.system("demo")


@dataclass
class DemoSummary:
    """What was created, for the CLI to print."""

    companies: list[str] = field(default_factory=list)
    experts: int = 0
    questions: int = 0


def is_empty() -> bool:
    """True when no company exists yet (a fresh database)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Company)) == 0


def seed(expert_count: int = 30, question_count: int = 200, seed_value: int = 2026) -> DemoSummary:
    """2 companies, 3 brand pools (+1 staff pool each), experts and questions across channels."""
    rng = random.Random(seed_value)
    summary = DemoSummary()
    pools: dict[str, tuple] = {}
    for name, slug, currency, pool_specs, budget in data.COMPANIES:
        first_slug, _, first_brand = pool_specs[0]
        company = create_company(
            name, currency, slug=slug, pool_slug=first_slug, brand=first_brand, actor=ACTOR
        ).key.company_id
        for pool_slug, pool_name, brand in pool_specs[1:]:
            create_pool(company, pool_slug, pool_name, brand, PoolKind.CROWD, ACTOR)
        create_pool(company, f"{slug}-staff", f"{name} staff", name, PoolKind.STAFF, ACTOR)
        top_up(company, budget, currency, "demo-initial", ACTOR)
        admin = f"admin@{slug}.demo.test"
        create_user(
            admin,
            DEMO_PASSWORD,
            f"{slug.title()} admin",
            Role.COMPANY_ADMIN,
            company_id=company,
            actor=ACTOR,
        )
        create_user(
            f"moderator@{slug}.demo.test",
            DEMO_PASSWORD,
            f"{slug.title()} moderator",
            Role.MODERATOR,
            company_id=company,
            actor=ACTOR,
        )
        for pool_slug, *_ in pool_specs:
            pools[pool_slug] = (company, find_pool(company, pool_slug).id, currency)
        # The first pool prices questions posted without a reward (docs/rewards.md).
        update_pool_settings(
            company, first_slug, {"reward_table": data.reward_table(currency)}, ACTOR
        )
        _seed_knowledge(company, slug)
        summary.companies.append(slug)
    summary.experts = _seed_experts(rng, pools, expert_count)
    summary.questions = _seed_questions(rng, pools, question_count)
    _seed_gold(pools)
    return summary


def _seed_knowledge(company_id: object, slug: str) -> None:
    """Allowed link domains, banned terms and a few knowledge-base articles (zh and en)."""
    from marketplace.knowledge.services import create_entry, update_scoring_settings

    update_scoring_settings(company_id, data.SCORING[slug], ACTOR)
    for title, body, language, tags in data.KNOWLEDGE[slug]:
        create_entry(
            company_id, {"title": title, "body": body, "language": language, "tags": tags}, ACTOR
        )


def _seed_gold(pools: dict[str, tuple]) -> None:
    """Gold questions (low priority) per pool: qualification tests draw from them."""
    from marketplace.questions.schemas import GoldQuestionCreateSchema
    from marketplace.questions.services import create_gold_question

    schema = GoldQuestionCreateSchema()
    for pool_slug, items in data.GOLD.items():
        company_id, _, currency = pools[pool_slug]
        for n, (subject, body, reference, terms) in enumerate(items):
            payload = {
                "external_id": f"gold-{pool_slug}-{n}",
                "channel": "web",
                "subject": subject,
                "body": body,
                "language": "en",
                "priority": 0,
                "reward": {"amount": 500 if currency == "CNY" else 100, "currency": currency},
                "pool": pool_slug,
                "reference_answers": [reference],
                "required_terms": terms,
            }
            create_gold_question(company_id, schema.load(payload), ACTOR)


def _seed_experts(rng: random.Random, pools: dict[str, tuple], count: int) -> int:
    pool_slugs = sorted(pools)
    for n in range(1, count + 1):
        languages = ["zh"] if n % 3 == 0 else ["en"] if n % 3 == 1 else ["zh", "en"]
        home = pool_slugs[n % len(pool_slugs)]
        skills = {
            tag: rng.randint(1, 5)
            for tag in rng.sample(
                data.SKILLS_BY_POOL[home], k=min(3, len(data.SKILLS_BY_POOL[home]))
            )
        }
        name = data.FIRST_NAMES[(n - 1) % len(data.FIRST_NAMES)]
        expert = create_expert(
            f"expert{n:02d}@demo.test",
            DEMO_PASSWORD,
            name,
            languages=languages,
            skills=skills,
            capacity=rng.choice([1, 2, 3]),
            actor=ACTOR,
        )
        tier = [Tier.PROBATION, Tier.VETTED, Tier.TRUSTED][n % 3]
        admit_to_pool(expert.id, pools[home][1], ACTOR, tier)
        if n % 4 == 0:  # some fans know a second brand
            other = pool_slugs[(n + 1) % len(pool_slugs)]
            admit_to_pool(expert.id, pools[other][1], ACTOR, Tier.PROBATION)
    return count


def _seed_questions(rng: random.Random, pools: dict[str, tuple], count: int) -> int:
    batches: dict[object, list[dict]] = {}
    for n in range(count):
        pool_slug, language, subject, body, tags = data.QUESTIONS[n % len(data.QUESTIONS)]
        company_id, _, currency = pools[pool_slug]
        amount = (
            rng.choice([500, 800, 1000, 1500])
            if currency == "CNY"
            else rng.choice([100, 150, 200, 300])
        )
        batches.setdefault(company_id, []).append(
            {
                "external_id": f"demo-{n + 1:04d}",
                "channel": data.CHANNELS[n % len(data.CHANNELS)],
                "customer_ref": f"cust-{rng.randint(1000, 9999)}",
                "subject": subject,
                "body": body,
                "language": language,
                "tags": tags,
                "priority": rng.choice([3, 5, 5, 5, 7, 9]),
                "reward": {"amount": amount, "currency": currency},
                "pool": pool_slug,
            }
        )
    created = 0
    for company_id, items in batches.items():
        created += sum(r.status == 201 for r in create_questions_batch(company_id, items, ACTOR))
    return created


def fresh_demo_key(company_slug: str = "aurora") -> str:
    """Revoke earlier demo keys of a demo company and issue a new one (printed by `make run`)."""
    company_id = db.session.scalar(sa.select(Company.id).filter_by(slug=company_slug))
    if company_id is None:
        raise LookupError(f"no demo company {company_slug!r}; run `flask demo seed` first")
    db.session.execute(
        sa.update(ApiKey)
        .where(
            ApiKey.company_id == company_id,
            ApiKey.name == DEMO_KEY_NAME,
            ApiKey.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return issue_api_key(company_id, DEMO_KEY_NAME, ACTOR).secret
