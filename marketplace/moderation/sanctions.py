"""Sanctions: warn, suspend for a period, remove from a pool, ban; some are automatic.

Automatic suspensions (7 days, documented in docs/moderation.md):
- `personal_data_repeated`: 3 or more answers rejected for personal data in 30 days;
- `gold_accuracy`: below 50 % passed over the last 10 graded gold answers (at least 5 graded).
Every sanction is recorded with who (None = automatic), why and when, and shown to the expert.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.accounts.models import Role, User, UserStatus
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer
from marketplace.companies.models import Pool
from marketplace.database import utcnow
from marketplace.errors import Forbidden, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import Availability, ExpertProfile, MembershipStatus, PoolMembership
from marketplace.extensions import db
from marketplace.matching.claims import revoke_offers_of_expert
from marketplace.moderation.models import Audit, Sanction, SanctionKind, Verdict

audit_log = logging.getLogger("marketplace.audit.moderation")
AUTO_SUSPENSION = timedelta(days=7)
PII_LIMIT, PII_WINDOW = 3, timedelta(days=30)
GOLD_WINDOW, GOLD_MIN, GOLD_PASS_RATE = 10, 5, 0.5


def sanction(
    moderator: UserCaller,
    expert_id: uuid.UUID,
    kind: SanctionKind,
    reason: str,
    until: datetime | None = None,
    pool_id: uuid.UUID | None = None,
) -> Sanction:
    """Apply a sanction to an expert the moderator's company works with."""
    _check(moderator, expert_id, kind, reason, until, pool_id)
    result = _apply(
        expert_id, kind, reason, until, pool_id, moderator.company_id, moderator.user_id, None
    )
    db.session.commit()
    return result


def _check(
    moderator: UserCaller,
    expert_id: uuid.UUID,
    kind: SanctionKind,
    reason: str,
    until: datetime | None,
    pool_id: uuid.UUID | None,
) -> None:
    if not reason.strip():
        raise InvalidInput("Say why.", errors={"reason": ["Must not be blank."]})
    if kind == SanctionKind.SUSPEND and (until is None or until <= utcnow()):
        raise InvalidInput(
            "A suspension needs an end in the future.",
            errors={"until": ["Give a future date and time."]},
        )
    if kind == SanctionKind.REMOVE_FROM_POOL and pool_id is None:
        raise InvalidInput("Which pool?", errors={"pool_id": ["Required for remove_from_pool."]})
    if kind == SanctionKind.BAN and moderator.role != Role.PLATFORM_ADMIN:
        raise Forbidden("Only platform admins ban; company moderators suspend or remove.")
    pools = sa.select(Pool.id).where(Pool.company_id == moderator.company_id)
    if pool_id is not None and moderator.role != Role.PLATFORM_ADMIN:
        pools = pools.where(Pool.id == pool_id)
    works_with = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PoolMembership)
        .where(PoolMembership.expert_id == expert_id, PoolMembership.pool_id.in_(pools))
    )
    if not works_with and moderator.role != Role.PLATFORM_ADMIN:
        raise NotFound("No such expert in your pools.")


def _apply(
    expert_id: uuid.UUID,
    kind: SanctionKind,
    reason: str,
    until: datetime | None,
    pool_id: uuid.UUID | None,
    company_id: uuid.UUID | None,
    by: uuid.UUID | None,
    trigger: str | None,
) -> Sanction:
    user = db.session.get(User, expert_id)
    if kind in {SanctionKind.SUSPEND, SanctionKind.BAN}:
        user.status = UserStatus.SUSPENDED if kind == SanctionKind.SUSPEND else UserStatus.BANNED
        user.suspended_until = until if kind == SanctionKind.SUSPEND else None
        _take_offline(expert_id, "sanctioned")
    if kind == SanctionKind.REMOVE_FROM_POOL:
        db.session.execute(
            sa.update(PoolMembership)
            .where(PoolMembership.expert_id == expert_id, PoolMembership.pool_id == pool_id)
            .values(status=MembershipStatus.REMOVED)
        )
    record_ = Sanction(
        expert_id=expert_id,
        company_id=company_id,
        pool_id=pool_id,
        kind=kind,
        reason=reason,
        until=until,
        created_by=by,
        automatic=by is None,
        trigger=trigger,
    )
    db.session.add(record_)
    db.session.flush()
    actor = Actor.user(by) if by else Actor.system("sanctions")
    record(
        actor,
        f"sanction.{kind.value}",
        "user",
        expert_id,
        company_id=company_id,
        after={
            "reason": reason,
            "until": until.isoformat() if until else None,
            "pool_id": str(pool_id) if pool_id else None,
            "trigger": trigger,
        },
    )
    audit_log.info(
        "sanction %s on expert %s by %s: %s", kind.value, expert_id, by or "system", reason
    )
    after_commit(
        broadcast.to_expert,
        expert_id,
        "sanction.applied",
        {"kind": kind.value, "reason": reason, "until": until.isoformat() if until else None},
    )
    return record_


def _take_offline(expert_id: uuid.UUID, why: str) -> None:
    profile = db.session.get(ExpertProfile, expert_id)
    if profile is not None:
        profile.availability = Availability.OFFLINE
    revoke_offers_of_expert(expert_id, why)


def after_rejection(expert_id: uuid.UUID, reasons: list[str]) -> Sanction | None:
    """Check the automatic triggers after a rejection (caller's transaction)."""
    if "personal_data" in reasons:
        recent = db.session.scalars(
            sa.select(Audit.reasons)
            .join(Answer, Answer.id == Audit.answer_id)
            .where(
                Answer.expert_id == expert_id,
                Audit.verdict == Verdict.REJECT,
                Audit.calibration.is_(False),
                Audit.created_at >= utcnow() - PII_WINDOW,
            )
        ).all()
        leaks = sum("personal_data" in r for r in recent)  # autoflush includes this verdict
        if leaks >= PII_LIMIT and not _recent(expert_id, "personal_data_repeated"):
            return _automatic(
                expert_id,
                "personal_data_repeated",
                f"{leaks} answers leaked personal data in 30 days.",
            )
    return None


def after_gold(expert_id: uuid.UUID) -> Sanction | None:
    """Check gold-question accuracy after a gold answer is graded (caller's transaction)."""
    graded = db.session.scalars(
        sa.select(Answer.gold_passed)
        .where(Answer.expert_id == expert_id, Answer.gold_passed.is_not(None))
        .order_by(Answer.created_at.desc())
        .limit(GOLD_WINDOW)
    ).all()
    failing = len(graded) >= GOLD_MIN and sum(graded) / len(graded) < GOLD_PASS_RATE
    if failing and not _recent(expert_id, "gold_accuracy"):
        return _automatic(
            expert_id,
            "gold_accuracy",
            f"Passed {sum(graded)} of the last {len(graded)} gold questions.",
        )
    return None


def _automatic(expert_id: uuid.UUID, trigger: str, reason: str) -> Sanction:
    return _apply(
        expert_id,
        SanctionKind.SUSPEND,
        reason,
        utcnow() + AUTO_SUSPENSION,
        None,
        None,
        None,
        trigger,
    )


def _recent(expert_id: uuid.UUID, trigger: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Sanction)
            .where(
                Sanction.expert_id == expert_id,
                Sanction.trigger == trigger,
                Sanction.created_at >= utcnow() - AUTO_SUSPENSION,
            )
        )
        > 0
    )


def sanctions_of(expert_id: uuid.UUID) -> list[Sanction]:
    """Every sanction of an expert, newest first (the expert sees them all)."""
    return list(
        db.session.scalars(
            sa.select(Sanction).filter_by(expert_id=expert_id).order_by(Sanction.created_at.desc())
        )
    )
