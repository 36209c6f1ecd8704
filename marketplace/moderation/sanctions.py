"""Sanctions: warn, suspend for a period, remove from a pool, ban; some are automatic.

Who may do what (docs/moderation.md):
- a company moderator warns, suspends within their company (no offers from its pools until
  `until`) or removes from one of its pools, experts with an approved membership there;
- a platform admin also suspends platform-wide (the account cannot act or log in) and bans.
Suspensions, bans and removals take back the pending offers in their scope and return the
expert's active assignments there to the queue.

Automatic platform-wide suspensions (7 days):
- `personal_data_repeated`: 3 or more answers rejected for personal data in 30 days (and still
  rejected: an appeal that overturns one of them lifts the suspension if fewer remain);
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
from marketplace.answers.models import Answer, Outcome
from marketplace.companies.models import Pool
from marketplace.database import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import Availability, ExpertProfile, MembershipStatus, PoolMembership
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.claims import revoke_offers_of_expert, withdraw_question
from marketplace.matching.models import Assignment, AssignmentStatus
from marketplace.matching.revocation import lock_questions
from marketplace.moderation import conflicts
from marketplace.moderation.models import Audit, Sanction, SanctionKind, Verdict
from marketplace.questions import states
from marketplace.questions.models import Question
from marketplace.questions.models import QuestionStatus as QS

audit_log = logging.getLogger("marketplace.audit.moderation")
SYSTEM = Actor.system("sanctions")
AUTO_SUSPENSION = timedelta(days=7)
PII_LIMIT, PII_WINDOW = 3, timedelta(days=30)
GOLD_WINDOW, GOLD_MIN, GOLD_PASS_RATE = 10, 5, 0.5
PLATFORM_KINDS = {SanctionKind.SUSPEND, SanctionKind.BAN}


def sanction(
    moderator: UserCaller,
    expert_id: uuid.UUID,
    kind: SanctionKind,
    reason: str,
    until: datetime | None = None,
    pool_id: uuid.UUID | None = None,
) -> Sanction:
    """Apply a sanction to an expert the moderator's company works with (admins: anyone)."""
    pool = _check(moderator, expert_id, kind, reason, until, pool_id)
    platform = moderator.role == Role.PLATFORM_ADMIN
    company_id = pool.company_id if pool else None if platform else moderator.company_id
    result = _apply(
        expert_id,
        kind,
        reason.strip(),
        until,
        pool_id,
        company_id,
        moderator.user_id,
        trigger=None,
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
) -> Pool | None:
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["Must not be blank."]
    if kind == SanctionKind.SUSPEND and (until is None or until <= utcnow()):
        errors["until"] = ["A suspension needs an end in the future."]
    if kind != SanctionKind.SUSPEND and until is not None:
        errors["until"] = ["Only a suspension has an end."]
    if kind == SanctionKind.REMOVE_FROM_POOL and pool_id is None:
        errors["pool_id"] = ["Required for remove_from_pool."]
    if kind != SanctionKind.REMOVE_FROM_POOL and pool_id is not None:
        errors["pool_id"] = ["Only remove_from_pool names a pool."]
    if errors:
        raise InvalidInput("The sanction is not valid.", errors=errors)
    if kind == SanctionKind.BAN and moderator.role != Role.PLATFORM_ADMIN:
        raise Forbidden("Only platform admins ban; company moderators suspend or remove.")
    expert = db.session.get(User, expert_id)
    if expert is None or expert.role != Role.EXPERT or not _works_with(moderator, expert_id):
        raise NotFound("No such expert in your pools.")
    conflicts.check_not_linked(moderator, expert_id, "sanction")
    if expert.status == UserStatus.BANNED and kind in PLATFORM_KINDS:
        raise Conflict("The expert is already banned.", errors={"expert_id": ["banned"]})
    if pool_id is None:
        return None
    pool = db.session.get(Pool, pool_id)
    member = db.session.scalar(
        sa.select(PoolMembership.status).filter_by(pool_id=pool_id, expert_id=expert_id)
    )
    if pool is None or not conflicts.in_scope(moderator, pool.company_id) or member is None:
        raise NotFound("No such expert in that pool.")
    if member != MembershipStatus.APPROVED:
        raise Conflict("The expert is not in that pool.", errors={"pool_id": [member.value]})
    return pool


def _works_with(moderator: UserCaller, expert_id: uuid.UUID) -> bool:
    """Platform admins work with everyone; a company with its approved members."""
    if moderator.role == Role.PLATFORM_ADMIN:
        return True
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PoolMembership)
            .join(Pool, Pool.id == PoolMembership.pool_id)
            .where(
                PoolMembership.expert_id == expert_id,
                PoolMembership.status == MembershipStatus.APPROVED,
                Pool.company_id == moderator.company_id,
            )
        )
    )


def _apply(
    expert_id: uuid.UUID,
    kind: SanctionKind,
    reason: str,
    until: datetime | None,
    pool_id: uuid.UUID | None,
    company_id: uuid.UUID | None,
    by: uuid.UUID | None,
    trigger: str | None,
    reason_zh: str | None = None,
) -> Sanction:
    record_ = Sanction(
        expert_id=expert_id,
        company_id=company_id,
        pool_id=pool_id,
        kind=kind,
        reason=reason,
        reason_zh=reason_zh,
        until=until,
        created_by=by,
        automatic=by is None,
        trigger=trigger,
    )
    db.session.add(record_)
    db.session.flush()
    _take_effect(record_)
    actor = Actor.user(by) if by else SYSTEM
    after = {
        "reason": reason,
        "until": until.isoformat() if until else None,
        "pool_id": str(pool_id) if pool_id else None,
        "scope": scope_of(record_),
        "trigger": trigger,
    }
    record(actor, f"sanction.{kind.value}", "user", expert_id, company_id=company_id, after=after)
    audit_log.info(
        "sanction %s (%s) on expert %s by %s: %s",
        kind.value,
        scope_of(record_),
        expert_id,
        by or "system",
        reason,
    )
    after_commit(broadcast.to_expert, expert_id, "sanction.applied", event_payload(record_))
    return record_


def _take_effect(sanction_: Sanction) -> None:
    """Change the account or memberships, and take back work in the sanction's scope."""
    expert_id, why = sanction_.expert_id, "sanctioned"  # the offer.revoked reason code
    if sanction_.kind == SanctionKind.WARN:
        return
    if sanction_.kind == SanctionKind.REMOVE_FROM_POOL:
        db.session.execute(
            sa.update(PoolMembership)
            .where(
                PoolMembership.expert_id == expert_id,
                PoolMembership.pool_id == sanction_.pool_id,
            )
            .values(status=MembershipStatus.REMOVED)
        )
        _withdraw_work(expert_id, why, [sanction_.pool_id])
    elif scope_of(sanction_) == "company":
        pools = list(
            db.session.scalars(sa.select(Pool.id).filter_by(company_id=sanction_.company_id))
        )
        db.session.execute(
            sa.update(PoolMembership)
            .where(PoolMembership.expert_id == expert_id, PoolMembership.pool_id.in_(pools))
            .values(suspended_until=company_suspension_until(expert_id, sanction_.company_id))
        )
        _withdraw_work(expert_id, why, pools)
    else:
        user = db.session.get(User, expert_id)
        if sanction_.kind == SanctionKind.BAN:
            user.status, user.suspended_until = UserStatus.BANNED, None
        else:
            _refresh_platform_status(user)
        profile = db.session.get(ExpertProfile, expert_id)
        if profile is not None:
            profile.availability = Availability.OFFLINE
        _withdraw_work(expert_id, why, None)


def _withdraw_work(expert_id: uuid.UUID, why: str, pool_ids: list[uuid.UUID] | None) -> None:
    """Revoke pending offers and send active assignments back to the queue (in `pool_ids`)."""
    revoke_offers_of_expert(expert_id, why, pool_ids)
    query = (
        sa.select(Assignment.question_id, Question.company_id)
        .join(Question, Question.id == Assignment.question_id)
        .where(Assignment.expert_id == expert_id, Assignment.status == AssignmentStatus.ACTIVE)
    )
    if pool_ids is not None:
        query = query.where(Question.pool_id.in_(pool_ids))
    for question_id, company_id in db.session.execute(query).all():
        lock_questions([question_id])  # the question row first, as every matching path does
        withdraw_question(question_id, SYSTEM, reason=why)
        states.move_if(question_id, company_id, {QS.ASSIGNED}, QS.QUEUED, SYSTEM, reason=why)
        after_commit(engine.kick)


def scope_of(sanction_: Sanction) -> str:
    """platform, company or pool: how far the sanction reaches."""
    if sanction_.pool_id is not None:
        return "pool"
    return "company" if sanction_.company_id is not None else "platform"


def company_suspension_until(expert_id: uuid.UUID, company_id: uuid.UUID) -> datetime | None:
    """The end of the expert's longest suspension in force at this company, if any."""
    return db.session.scalar(
        sa.select(sa.func.max(Sanction.until)).where(
            Sanction.expert_id == expert_id,
            Sanction.company_id == company_id,
            Sanction.pool_id.is_(None),
            Sanction.kind == SanctionKind.SUSPEND,
            Sanction.lifted_at.is_(None),
            Sanction.until > utcnow(),
        )
    )


def _refresh_platform_status(user: User) -> None:
    """Suspended until the last platform suspension in force ends, else active (bans stay)."""
    if user.status == UserStatus.BANNED:
        return
    until = db.session.scalar(
        sa.select(sa.func.max(Sanction.until)).where(
            Sanction.expert_id == user.id,
            Sanction.company_id.is_(None),
            Sanction.kind == SanctionKind.SUSPEND,
            Sanction.lifted_at.is_(None),
            Sanction.until > utcnow(),
        )
    )
    user.status = UserStatus.SUSPENDED if until else UserStatus.ACTIVE
    user.suspended_until = until


def event_payload(sanction_: Sanction) -> dict[str, object]:
    """What the expert is told (event sanction.applied)."""
    return {
        "sanction_id": str(sanction_.id),
        "kind": sanction_.kind.value,
        "scope": scope_of(sanction_),
        "reason": sanction_.reason,
        "reason_zh": sanction_.reason_zh,
        "until": sanction_.until.isoformat() if sanction_.until else None,
        "pool_id": str(sanction_.pool_id) if sanction_.pool_id else None,
    }


def after_rejection(expert_id: uuid.UUID, reasons: list[str]) -> Sanction | None:
    """Check the automatic triggers after a rejection (caller's transaction)."""
    if "personal_data" not in reasons:
        return None
    leaks = _personal_data_rejections(expert_id)  # autoflush includes this verdict
    if leaks >= PII_LIMIT and _active_automatic(expert_id, "personal_data_repeated") is None:
        return _automatic(
            expert_id,
            "personal_data_repeated",
            f"{leaks} answers were rejected for leaking personal data in 30 days.",
            f"30 天内有 {leaks} 个回答因泄露个人信息被驳回。",
        )
    return None


def after_overturn(expert_id: uuid.UUID) -> Sanction | None:
    """An appeal restored an answer: lift an automatic suspension it no longer supports."""
    suspension = _active_automatic(expert_id, "personal_data_repeated")
    if suspension is None or _personal_data_rejections(expert_id) >= PII_LIMIT:
        return None
    suspension.lifted_at = utcnow()
    suspension.lifted_reason = "An appeal overturned a rejection it was based on."
    _refresh_platform_status(db.session.get(User, expert_id))
    record(
        SYSTEM,
        "sanction.lifted",
        "user",
        expert_id,
        after={"sanction_id": str(suspension.id), "reason": suspension.lifted_reason},
    )
    audit_log.info("sanction %s on expert %s lifted after an appeal", suspension.id, expert_id)
    after_commit(
        broadcast.to_expert,
        expert_id,
        "sanction.lifted",
        {
            "sanction_id": str(suspension.id),
            "reason": suspension.lifted_reason,
            "reason_zh": "申诉推翻了该暂停所依据的一次驳回。",
        },
    )
    return suspension


def _personal_data_rejections(expert_id: uuid.UUID) -> int:
    """Answers rejected for personal data in the window that are still rejected."""
    rows = db.session.execute(
        sa.select(Audit.answer_id, Audit.reasons)
        .join(Answer, Answer.id == Audit.answer_id)
        .where(
            Answer.expert_id == expert_id,
            Answer.outcome == Outcome.REJECTED,
            Audit.verdict == Verdict.REJECT,
            Audit.calibration.is_(False),
            Audit.created_at >= utcnow() - PII_WINDOW,
        )
    ).all()
    return len({answer_id for answer_id, reasons in rows if "personal_data" in reasons})


def after_gold(expert_id: uuid.UUID) -> Sanction | None:
    """Check gold-question accuracy after a gold answer is graded (caller's transaction)."""
    graded = db.session.scalars(
        sa.select(Answer.gold_passed)
        .where(Answer.expert_id == expert_id, Answer.gold_passed.is_not(None))
        .order_by(Answer.created_at.desc())
        .limit(GOLD_WINDOW)
    ).all()
    failing = len(graded) >= GOLD_MIN and sum(graded) / len(graded) < GOLD_PASS_RATE
    if failing and _active_automatic(expert_id, "gold_accuracy") is None:
        return _automatic(
            expert_id,
            "gold_accuracy",
            f"Passed {sum(graded)} of the last {len(graded)} gold questions.",
            f"最近 {len(graded)} 道标准题只通过了 {sum(graded)} 道。",
        )
    return None


def _automatic(expert_id: uuid.UUID, trigger: str, reason: str, reason_zh: str) -> Sanction:
    return _apply(
        expert_id,
        SanctionKind.SUSPEND,
        reason,
        utcnow() + AUTO_SUSPENSION,
        None,
        None,
        None,
        trigger,
        reason_zh,
    )


def _active_automatic(expert_id: uuid.UUID, trigger: str) -> Sanction | None:
    return db.session.scalars(
        sa.select(Sanction).where(
            Sanction.expert_id == expert_id,
            Sanction.trigger == trigger,
            Sanction.lifted_at.is_(None),
            Sanction.until > utcnow(),
        )
    ).first()


def sanctions_of(expert_id: uuid.UUID) -> list[Sanction]:
    """Every sanction of an expert, newest first (the expert sees them all)."""
    return list(
        db.session.scalars(
            sa.select(Sanction)
            .filter_by(expert_id=expert_id)
            .order_by(Sanction.created_at.desc(), Sanction.id.desc())
        )
    )
