"""Invites to invite-only pools: a link with a secret token (stored hashed), optionally bound to
one e-mail address, valid INVITE_DAYS, redeemed once by a conditional update."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.companies.models import Company, Pool, PoolKind
from marketplace.database import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import PoolMembership
from marketplace.extensions import db
from marketplace.moderation.models import PoolInvite

INVITE_DAYS = 14
# The expert app opens this path and asks GET /api/v1/expert/invites/<token> what it is.
LINK_PATH = "/app/#invite/"
INVITE = PoolInvite.__table__


class InviteRefused(Forbidden):
    """No usable invite: missing, unknown, used, expired or for another e-mail address."""

    slug = "invite-refused"
    title = "Invite refused"


def create_invite(
    company_id: uuid.UUID, pool_slug: str, email: str | None, actor: Actor
) -> tuple[PoolInvite, str]:
    """A token for an invite link to one of the company's invite-only crowd pools (shown once)."""
    pool = db.session.scalars(
        sa.select(Pool).filter_by(company_id=company_id, slug=pool_slug)
    ).one_or_none()
    if pool is None:
        raise InvalidInput("Unknown pool.", errors={"pool": [f"No pool {pool_slug!r}."]})
    if pool.kind != PoolKind.CROWD:
        raise InvalidInput(
            "Invites are for crowd pools.", errors={"pool": ["A staff pool takes no invites."]}
        )
    if not pool.invite_only:
        raise Conflict(
            "Anyone may apply to this pool; make it invite-only first "
            f'(PATCH /api/v1/pools/{pool.slug} {{"invite_only": true}}).',
            errors={"pool": ["not invite-only"]},
        )
    token = secrets.token_urlsafe(24)
    invite = PoolInvite(
        pool_id=pool.id,
        token_hash=_hash(token),
        email=email.strip().lower() if email else None,
        expires_at=utcnow() + timedelta(days=INVITE_DAYS),
    )
    db.session.add(invite)
    db.session.flush()
    record(
        actor,
        "invite.created",
        "pool",
        pool.id,
        company_id=company_id,
        after={"email": invite.email, "invite_id": str(invite.id)},
    )
    db.session.commit()
    return invite, token


def describe(token: str, expert_id: uuid.UUID) -> dict[str, Any]:
    """What an invite link leads to, for the expert who opened it."""
    invite = db.session.scalars(
        sa.select(PoolInvite).filter_by(token_hash=_hash(token))
    ).one_or_none()
    if invite is None:
        raise NotFound("No such invite.")
    _check_email(invite, expert_id)
    pool = db.session.get(Pool, invite.pool_id)
    company = db.session.get(Company, pool.company_id)
    member = db.session.scalar(
        sa.select(PoolMembership.status).filter_by(pool_id=pool.id, expert_id=expert_id)
    )
    status = "used" if invite.used_at else "expired" if invite.expires_at <= utcnow() else "valid"
    return {
        "pool_id": pool.id,
        "pool": pool.name,
        "brand": pool.brand,
        "company": company.name,
        "expires_at": invite.expires_at,
        "status": status,
        "membership": member.value if member else None,
    }


def redeem(pool: Pool, token: str | None, expert_id: uuid.UUID) -> PoolInvite:
    """Use the invite for this pool: the token's, else one sent to the expert's e-mail.

    Caller's transaction. The conditional update lets exactly one of two racing redeemers win.
    """
    if token:
        invite = db.session.scalars(
            sa.select(PoolInvite).filter_by(token_hash=_hash(token), pool_id=pool.id)
        ).one_or_none()
    else:
        invite = _email_invite(pool.id, _email(expert_id))
    if invite is None:
        raise InviteRefused("This pool is by invitation; the invite is missing or unknown.")
    _check_email(invite, expert_id)
    now = utcnow()
    used = db.session.execute(
        sa.update(INVITE)
        .where(INVITE.c.id == invite.id, INVITE.c.used_at.is_(None), INVITE.c.expires_at > now)
        .values(used_by=expert_id, used_at=now)
    ).rowcount
    if not used:
        db.session.rollback()
        raise InviteRefused("This invite was already used or has expired.")
    return invite


def invited_pools(expert_id: uuid.UUID) -> list[dict[str, Any]]:
    """Invite-only pools with an open invite sent to the expert's e-mail (not joined yet)."""
    joined = sa.select(PoolMembership.pool_id).where(PoolMembership.expert_id == expert_id)
    rows = db.session.execute(
        sa.select(Pool, Company.name, sa.func.max(PoolInvite.expires_at))
        .join(PoolInvite, PoolInvite.pool_id == Pool.id)
        .join(Company, Company.id == Pool.company_id)
        .where(
            PoolInvite.email == _email(expert_id),
            PoolInvite.used_at.is_(None),
            PoolInvite.expires_at > utcnow(),
            Pool.kind == PoolKind.CROWD,
            Pool.id.not_in(joined),
        )
        .group_by(Pool.id, Company.name)
        .order_by(Company.name, Pool.name)
    ).all()
    return [
        {"pool_id": p.id, "pool": p.name, "brand": p.brand, "company": c, "expires_at": until}
        for p, c, until in rows
    ]


def _email_invite(pool_id: uuid.UUID, email: str) -> PoolInvite | None:
    return db.session.scalars(
        sa.select(PoolInvite)
        .where(
            PoolInvite.pool_id == pool_id,
            PoolInvite.email == email,
            PoolInvite.used_at.is_(None),
            PoolInvite.expires_at > utcnow(),
        )
        .order_by(PoolInvite.expires_at)
        .limit(1)
    ).first()


def _check_email(invite: PoolInvite, expert_id: uuid.UUID) -> None:
    if invite.email and invite.email != _email(expert_id):
        db.session.rollback()
        raise InviteRefused("This invite is for another e-mail address.")


def _email(expert_id: uuid.UUID) -> str:
    return db.session.scalar(sa.select(User.email).where(User.id == expert_id)) or ""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
