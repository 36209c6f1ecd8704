"""Create experts with their languages, skills and pool memberships."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import new_user
from marketplace.companies.models import Pool
from marketplace.errors import InvalidInput
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import (
    ExpertInterest,
    ExpertLanguage,
    ExpertProfile,
    ExpertSkill,
    InterestKind,
    MembershipStatus,
    PoolMembership,
    Tier,
)
from marketplace.extensions import db

LANGUAGE = re.compile(r"^[a-z]{2,3}$")
TAG = re.compile(r"^[\w.:+#-]{1,40}$")


def create_expert(
    email: str,
    password: str,
    display_name: str,
    *,
    languages: Iterable[str],
    skills: Mapping[str, int],
    capacity: int = 2,
    company_id: uuid.UUID | None = None,
    actor: Actor | None = None,
    locale: str = "en",
    motivation: str = "",
    interests: Mapping[InterestKind, Iterable[str]] | None = None,
) -> User:
    """Create an expert account and profile (not yet in any pool), in one transaction.

    `interests`: the brands and topics the expert says they know (sign-up), kept as rows.
    """
    languages = sorted({lang.strip().lower() for lang in languages if lang.strip()})
    errors: dict[str, list[str]] = {}
    if not languages or not all(LANGUAGE.match(lang) for lang in languages):
        errors["languages"] = ["Give one or more language codes such as en or zh."]
    bad_skills = [t for t, level in skills.items() if not TAG.match(t) or not 1 <= level <= 5]
    if bad_skills:
        errors["skills"] = [f"Invalid tag or level (1-5): {', '.join(bad_skills)}"]
    if not 1 <= capacity <= 20:
        errors["capacity"] = ["Must be between 1 and 20."]
    if errors:
        raise InvalidInput("The expert is not valid.", errors=errors)
    user = new_user(
        email, password, display_name, Role.EXPERT, company_id=company_id, locale=locale
    )
    db.session.add(ExpertProfile(user_id=user.id, capacity=capacity, motivation=motivation))
    db.session.flush()  # the profile row must exist before rows that point at it
    for kind, names in (interests or {}).items():
        db.session.add_all(
            ExpertInterest(expert_id=user.id, kind=kind, name=name) for name in distinct(names)
        )
    db.session.add_all(ExpertLanguage(expert_id=user.id, language=lang) for lang in languages)
    db.session.add_all(
        ExpertSkill(expert_id=user.id, tag=tag.lower(), level=level)
        for tag, level in skills.items()
    )
    record(
        actor or Actor.system("cli"),
        "expert.created",
        "user",
        user.id,
        company_id=company_id,
        after={"languages": languages, "skills": dict(skills)},
    )
    db.session.commit()
    return user


def admit_to_pool(
    expert_id: uuid.UUID, pool_id: uuid.UUID, actor: Actor, tier: Tier = Tier.PROBATION
) -> PoolMembership:
    """Put an expert straight into a pool (CLI and demo; vetting has its own flow)."""
    pool = db.session.get(Pool, pool_id)
    if pool is None or db.session.get(ExpertProfile, expert_id) is None:
        raise InvalidInput("Unknown expert or pool.", errors={"pool": ["Not found."]})
    membership = db.session.scalars(
        sa.select(PoolMembership).filter_by(pool_id=pool_id, expert_id=expert_id)
    ).one_or_none()
    if membership is None:
        membership = PoolMembership(pool_id=pool_id, expert_id=expert_id)
        db.session.add(membership)
    membership.status = MembershipStatus.APPROVED
    membership.tier = tier
    db.session.flush()
    record(
        actor,
        "membership.approved",
        "pool_membership",
        membership.id,
        company_id=pool.company_id,
        after={"pool": pool.slug, "tier": tier.value},
    )
    db.session.commit()
    return membership


def distinct(names: Iterable[str]) -> list[str]:
    """Trimmed names without case-insensitive repeats, in the order given."""
    seen: dict[str, str] = {}
    for name in names:
        text = " ".join(name.split())
        if text:
            seen.setdefault(text.casefold(), text)
    return list(seen.values())


def parse_skills(text: str) -> dict[str, int]:
    """Parse 'billing:3,shipping:2' (level defaults to 3) for the CLI."""
    skills: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        tag, _, level = part.partition(":")
        try:
            skills[tag.strip().lower()] = int(level) if level else 3
        except ValueError as error:
            raise InvalidInput("Bad skill.", errors={"skills": [f"{part!r}: level 1-5"]}) from error
    return skills
