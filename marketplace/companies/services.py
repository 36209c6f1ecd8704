"""Create companies and pools, issue and check API keys."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from marketplace.companies.models import ApiKey, Company, OfferMode, Pool, PoolKind
from marketplace.database import utcnow
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.matching.settings import MatchingSettings, settings_for
from marketplace.moderation.policy import merge_audit_settings
from marketplace.rewards.currencies import is_currency
from marketplace.rewards.services import budget_currencies, currency_refusal

KEY_PREFIX = "mk_"
# last_used_at is written at most this often per key, so authenticating stays read-mostly.
KEY_USE_RESOLUTION = timedelta(minutes=1)
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued API key. `secret` is the whole key; it is never stored or shown again."""

    key: ApiKey
    secret: str


@dataclass(frozen=True)
class CompanyCaller:
    """The company behind an authenticated request: through an API key or an admin's session."""

    company_id: uuid.UUID
    api_key_id: uuid.UUID | None
    user_id: uuid.UUID | None = None

    @property
    def actor(self) -> Actor:
        """The event-log actor for this caller."""
        if self.api_key_id is not None:
            return Actor.api_key(self.api_key_id)
        assert self.user_id is not None
        return Actor.user(self.user_id)


def slugify(name: str) -> str:
    """A URL-safe slug from a name (ASCII letters and digits; other scripts fall back to 'c')."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]
    return slug if len(slug) >= 3 else f"c-{secrets.token_hex(3)}"


def create_company(
    name: str,
    currency: str,
    *,
    slug: str | None = None,
    pool_slug: str = "default",
    brand: str | None = None,
    actor: Actor | None = None,
) -> IssuedKey:
    """Create a tenant with a first crowd pool and a first API key (shown once)."""
    actor = actor or Actor.system("cli")
    slug = slug or slugify(name)
    errors: dict[str, list[str]] = {}
    if not name.strip() or len(name) > 120:
        errors["name"] = ["Must be 1 to 120 characters."]
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = ["Use 3-64 lower-case letters, digits and hyphens."]
    if not is_currency(currency):
        errors["currency"] = ["Must be an ISO 4217 currency code such as CNY or USD."]
    if errors:
        raise InvalidInput("The company is not valid.", errors=errors)
    if db.session.scalar(sa.select(Company.id).filter_by(slug=slug)) is not None:
        raise Conflict(f"A company with slug {slug!r} exists.", errors={"slug": ["Already taken."]})
    company = Company(
        name=name.strip(),
        slug=slug,
        currency=currency,
        offer_mode=OfferMode.SEQUENTIAL,
        settings={},
    )
    db.session.add(company)
    db.session.flush()
    pool = Pool(
        company_id=company.id,
        slug=pool_slug,
        name=f"{brand or company.name} crowd",
        brand=brand or company.name,
        kind=PoolKind.CROWD,
        settings={},
    )
    db.session.add(pool)
    issued = _new_key(company.id, "default")
    record(
        actor,
        "company.created",
        "company",
        company.id,
        company_id=company.id,
        after={"name": company.name, "slug": slug, "currency": currency},
    )
    db.session.commit()
    return issued


def issue_api_key(company_id: uuid.UUID, name: str, actor: Actor) -> IssuedKey:
    """Issue another API key for a company; the secret is returned once."""
    if db.session.get(Company, company_id) is None:
        raise NotFound("No such company.")
    issued = _new_key(company_id, name[:80] or "key")
    record(
        actor,
        "api_key.created",
        "api_key",
        issued.key.id,
        company_id=company_id,
        after={"name": issued.key.name, "prefix": issued.key.prefix},
    )
    db.session.commit()
    return issued


def list_api_keys(company_id: uuid.UUID) -> list[ApiKey]:
    """The company's keys, newest first, revoked ones included (secrets are never kept)."""
    query = (
        sa.select(ApiKey)
        .filter_by(company_id=company_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(db.session.scalars(query))


def revoke_api_key(company_id: uuid.UUID, key_id: uuid.UUID, actor: Actor) -> ApiKey:
    """Revoke one of the company's keys; requests with it fail from now on."""
    key = db.session.scalars(
        sa.select(ApiKey).filter_by(id=key_id, company_id=company_id)
    ).one_or_none()
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(actor, "api_key.revoked", "api_key", key.id, company_id=company_id)
    db.session.commit()
    return key


def authenticate_api_key(presented: str) -> CompanyCaller | None:
    """The caller behind a presented key, or None. Compares hashes in constant time."""
    prefix = _prefix_of(presented)
    if prefix is None:
        return None
    key = db.session.scalars(sa.select(ApiKey).filter_by(prefix=prefix)).one_or_none()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash(presented)):
        return None
    _note_use(key)
    return CompanyCaller(company_id=key.company_id, api_key_id=key.id)


def _note_use(key: ApiKey) -> None:
    """Stamp last_used_at, at most once per KEY_USE_RESOLUTION (one conditional UPDATE)."""
    now = utcnow()
    if key.last_used_at is not None and now - key.last_used_at < KEY_USE_RESOLUTION:
        return
    table = ApiKey.__table__
    db.session.execute(
        sa.update(table)
        .where(
            table.c.id == key.id,
            sa.or_(table.c.last_used_at.is_(None), table.c.last_used_at < now - KEY_USE_RESOLUTION),
        )
        .values(last_used_at=now)
    )
    # Authentication runs before the request does anything else: this commit is the stamp only.
    db.session.commit()


def get_company(company_id: uuid.UUID) -> Company:
    """A company by id."""
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound("No such company.")
    return company


def find_company(slug_or_id: str) -> Company:
    """A company by slug or id (for the CLI)."""
    company = db.session.scalars(sa.select(Company).filter_by(slug=slug_or_id)).one_or_none()
    if company is None:
        try:
            company = db.session.get(Company, uuid.UUID(slug_or_id))
        except ValueError:
            company = None
    if company is None:
        raise NotFound(f"No company {slug_or_id!r}.")
    return company


def find_pool(company_id: uuid.UUID, slug: str | None) -> Pool:
    """A company's pool by slug; without a slug, its default crowd pool."""
    query = sa.select(Pool).filter_by(company_id=company_id)
    if slug is None:
        query = query.filter_by(kind=PoolKind.CROWD).order_by(Pool.created_at, Pool.id).limit(1)
    else:
        query = query.filter_by(slug=slug)
    pool = db.session.scalars(query).first()
    if pool is None:
        raise InvalidInput("Unknown pool.", errors={"pool": [f"No pool {slug!r} in this company."]})
    return pool


def create_pool(
    company_id: uuid.UUID, slug: str, name: str, brand: str, kind: PoolKind, actor: Actor
) -> Pool:
    """Add a brand pool (crowd) or a staff pool to a company."""
    if not SLUG_PATTERN.match(slug):
        raise InvalidInput(
            "Invalid pool.", errors={"slug": ["Use 3-64 lower-case letters, digits and hyphens."]}
        )
    exists = db.session.scalar(sa.select(Pool.id).filter_by(company_id=company_id, slug=slug))
    if exists is not None:
        raise Conflict(f"Pool {slug!r} exists.", errors={"slug": ["Already taken."]})
    pool = Pool(company_id=company_id, slug=slug, name=name, brand=brand, kind=kind, settings={})
    db.session.add(pool)
    db.session.flush()
    record(
        actor,
        "pool.created",
        "pool",
        pool.id,
        company_id=company_id,
        after={"slug": slug, "kind": kind.value},
    )
    db.session.commit()
    return pool


def _new_key(company_id: uuid.UUID, name: str) -> IssuedKey:
    public = secrets.token_hex(8)
    secret = f"{KEY_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    key = ApiKey(company_id=company_id, name=name, prefix=public, secret_hash=_hash(secret))
    db.session.add(key)
    db.session.flush()
    return IssuedKey(key=key, secret=secret)


def _prefix_of(presented: str) -> str | None:
    if not presented.startswith(KEY_PREFIX) or len(presented) > 200:
        return None
    public, sep, _ = presented[len(KEY_PREFIX) :].partition("_")
    return public if sep and len(public) == 16 else None


def _hash(secret: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough; passwords use a slow KDF instead.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class PoolView:
    """A pool with the matching settings in effect for it."""

    pool: Pool
    effective: MatchingSettings

    def __getattr__(self, name: str) -> object:
        return getattr(self.pool, name)


def list_pools(company_id: uuid.UUID) -> list[PoolView]:
    """The company's pools, oldest first, with their effective matching settings."""
    company = get_company(company_id)
    query = sa.select(Pool).filter_by(company_id=company_id).order_by(Pool.created_at, Pool.id)
    return [_pool_view(company, pool) for pool in db.session.scalars(query)]


def get_pool(company_id: uuid.UUID, slug: str) -> PoolView:
    """One of the company's pools by slug; another company's is not found."""
    return _pool_view(get_company(company_id), _own_pool(company_id, slug))


def update_pool_settings(
    company_id: uuid.UUID, slug: str, changes: dict[str, object], actor: Actor
) -> PoolView:
    """Change a pool's offer mode, invite-only flag, matching and audit settings and its reward
    table (validated input).

    A numeric setting set to None goes back to the company's value; offer_mode None likewise;
    `audit` changes are merged into the pool's audit settings (see merge_audit_settings); a
    reward table replaces the pool's whole table, None removes it.
    """
    pool = _own_pool(company_id, slug)
    before = _pool_state(pool)
    own = dict(pool.settings or {})
    for name, value in changes.items():
        if name == "offer_mode":
            pool.offer_mode = value  # type: ignore[assignment]
        elif name == "invite_only":
            pool.invite_only = bool(value)
        elif name == "reward_table":
            if value is None:
                own.pop("reward_table", None)
            else:
                _check_reward_table(company_id, value)  # type: ignore[arg-type]
                own["reward_table"] = value
        elif name == "audit":
            audit = merge_audit_settings(own.get("audit"), value)  # type: ignore[arg-type]
            if audit is None:
                own.pop("audit", None)
            else:
                own["audit"] = audit
        elif value is None:
            own.pop(name, None)
        else:
            own[name] = value
    pool.settings = own  # a new dict, so the JSON column is seen as changed
    after = _pool_state(pool)
    if after != before:
        record(
            actor,
            "pool.settings_changed",
            "pool",
            pool.id,
            company_id=company_id,
            before=before,
            after=after,
        )
    db.session.commit()
    return _pool_view(get_company(company_id), pool)


def _check_reward_table(company_id: uuid.UUID, table: dict[str, Any]) -> None:
    """What the schema cannot know: the reward ceiling and the company's budget currencies."""
    errors: dict[str, Any] = {}
    maximum = current_app.config["REWARD_MAX_MINOR"]
    too_large = {
        index: {"amount": [f"Must be at most {maximum}."]}
        for index, row in enumerate(table["rows"])
        if row["amount"] > maximum
    }
    if too_large:
        errors["rows"] = too_large
    refusal = currency_refusal(table["currency"], budget_currencies(company_id))
    if refusal:
        errors["currency"] = [refusal]
    if errors:
        raise InvalidInput("The reward table cannot be used.", errors={"reward_table": errors})


def _own_pool(company_id: uuid.UUID, slug: str) -> Pool:
    pool = db.session.scalars(
        sa.select(Pool).filter_by(company_id=company_id, slug=slug)
    ).one_or_none()
    if pool is None:
        raise NotFound("No such pool.")
    return pool


def _pool_state(pool: Pool) -> dict[str, object]:
    return {
        "offer_mode": pool.offer_mode.value if pool.offer_mode else None,
        "invite_only": pool.invite_only,
        "settings": dict(pool.settings or {}),
    }


def _pool_view(company: Company, pool: Pool) -> PoolView:
    return PoolView(pool, settings_for(company, pool))
