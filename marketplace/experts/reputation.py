"""Expert reputation per pool, overall and per tag, and tiers, from the outcomes on record.

Evidence (scoring.reputation): accepted and rejected answers, customer ratings, gold-question
passes and failures (a gold answer counts only as gold evidence), and missed answer deadlines
(as a rejection). A Beta prior per pool (pool settings `reputation_prior`, default Beta(1, 1)),
90-day half-life decay. Tiers move only once the expert has `vetted_min_answers` decided answers
in the pool, so an admin's initial tier is not overturned by the prior alone.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, Feedback, Outcome
from marketplace.companies.models import Pool
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import ExpertProfile, ExpertSkill, PoolMembership, Tier
from marketplace.extensions import db
from marketplace.matching.models import Assignment, AssignmentStatus
from marketplace.questions.models import Question, QuestionTag
from scoring.reputation import (
    BetaPrior,
    OutcomeKind,
    aggregate_outcomes,
    batch_reputation,
    reputation,
    success_and_weight,
    tag_reputations,
)
from scoring.reputation import Outcome as Evidence
from scoring.tiers import TierPolicy, next_tier

SYSTEM = Actor.system("reputation")
POLICY = TierPolicy()


def evidence_of(expert_id: uuid.UUID) -> list[tuple[uuid.UUID | None, Evidence]]:
    """Every outcome on record for an expert, with the pool it happened in."""
    tags = _tags_of_answered(expert_id)
    rows: list[tuple[uuid.UUID | None, Evidence]] = []
    for question_id, pool_id, outcome, decided, gold in db.session.execute(
        sa.select(
            Answer.question_id,
            Question.pool_id,
            Answer.outcome,
            Answer.decided_at,
            Answer.gold_passed,
        )
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.expert_id == expert_id)
    ):
        kind = _kind(outcome, gold)
        if kind is not None and decided is not None:
            rows.append((pool_id, Evidence(kind, decided, tags=tuple(tags[question_id]))))
    for question_id, pool_id, rating, at in db.session.execute(
        sa.select(Feedback.question_id, Question.pool_id, Feedback.rating, Feedback.created_at)
        .join(Question, Question.id == Feedback.question_id)
        .join(Answer, Answer.question_id == Feedback.question_id)
        .where(Answer.expert_id == expert_id, Answer.outcome != Outcome.REJECTED)
    ):
        rows.append(
            (
                pool_id,
                Evidence(OutcomeKind.RATING, at, rating=rating, tags=tuple(tags[question_id])),
            )
        )
    for pool_id, at in db.session.execute(
        sa.select(Question.pool_id, Assignment.finished_at)
        .join(Question, Question.id == Assignment.question_id)
        .where(Assignment.expert_id == expert_id, Assignment.status == AssignmentStatus.EXPIRED)
    ):
        rows.append((pool_id, Evidence(OutcomeKind.REJECTED, at)))
    return rows


def _kind(outcome: Outcome, gold: bool | None) -> OutcomeKind | None:
    if gold is not None:
        return OutcomeKind.GOLD_PASS if gold else OutcomeKind.GOLD_FAIL
    return {Outcome.ACCEPTED: OutcomeKind.ACCEPTED, Outcome.REJECTED: OutcomeKind.REJECTED}.get(
        outcome
    )


def _tags_of_answered(expert_id: uuid.UUID) -> dict[uuid.UUID, list[str]]:
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    for question_id, tag in db.session.execute(
        sa.select(QuestionTag.question_id, QuestionTag.tag)
        .join(Answer, Answer.question_id == QuestionTag.question_id)
        .where(Answer.expert_id == expert_id)
    ):
        tags[question_id].append(tag)
    return tags


def prior_for(pool: Pool | None) -> BetaPrior:
    """The pool's Beta prior (settings `reputation_prior` {"alpha", "beta"}), else Beta(1, 1)."""
    raw = (pool.settings or {}).get("reputation_prior") if pool else None
    if isinstance(raw, dict):
        try:
            return BetaPrior(float(raw["alpha"]), float(raw["beta"]))
        except (KeyError, TypeError, ValueError):
            pass
    return BetaPrior()


def recompute_expert(expert_id: uuid.UUID, now: datetime | None = None) -> dict[str, Any]:
    """Recompute one expert's reputation in each pool, overall and per tag; update tiers."""
    now = now or utcnow()
    evidence = evidence_of(expert_id)
    changes = {}
    for membership in db.session.scalars(sa.select(PoolMembership).filter_by(expert_id=expert_id)):
        pool = db.session.get(Pool, membership.pool_id)
        mine = [e for pool_id, e in evidence if pool_id == membership.pool_id]
        result = reputation(mine, now, prior_for(pool))
        membership.reputation_mean = round(result.mean, 6)
        membership.reputation_lower = round(result.lower_bound, 6)
        changes[str(membership.pool_id)] = _retier(membership, result, mine, expert_id)
    overall = reputation([e for _, e in evidence], now)
    profile = db.session.get(ExpertProfile, expert_id)
    if profile is not None:
        profile.reputation_mean = round(overall.mean, 6)
        profile.reputation_lower = round(overall.lower_bound, 6)
        _update_skill_estimates(expert_id, [e for _, e in evidence], now, overall)
    db.session.commit()
    return {"overall": overall.lower_bound, "pools": changes}


def _retier(
    membership: PoolMembership, result: Any, evidence: list[Evidence], expert_id: uuid.UUID
) -> str:
    decided = sum(1 for e in evidence if e.kind != OutcomeKind.RATING)
    if decided < POLICY.vetted_min_answers:
        return membership.tier.value
    tier = Tier(next_tier(membership.tier.value, result, decided, POLICY).value)
    if tier != membership.tier:
        before = membership.tier
        membership.tier = tier
        record(
            SYSTEM,
            "membership.tier_changed",
            "pool_membership",
            membership.id,
            before={"tier": before.value},
            after={"tier": tier.value, "lower_bound": result.lower_bound},
        )
        after_commit(
            broadcast.to_expert,
            expert_id,
            "tier.changed",
            {"pool_id": str(membership.pool_id), "tier": tier.value, "previous": before.value},
        )
    return tier.value


def _update_skill_estimates(
    expert_id: uuid.UUID, evidence: list[Evidence], now: datetime, overall: Any
) -> None:
    estimates = tag_reputations(evidence, now, overall)
    for skill in db.session.scalars(sa.select(ExpertSkill).filter_by(expert_id=expert_id)):
        if skill.tag in estimates:
            skill.estimate = round(estimates[skill.tag].lower_bound, 6)


def recompute_all(now: datetime | None = None) -> int:
    """Every membership's reputation in one pass (vectorised); returns how many were updated."""
    now = now or utcnow()
    keys, columns = _all_evidence(now)
    if not keys:
        return 0
    index = {key: i for i, key in enumerate(keys)}
    successes, failures = aggregate_outcomes(
        columns["row"], columns["success"], columns["weight"], columns["age"], len(keys)
    )
    result = batch_reputation(successes, failures)
    rows = [
        (e, p, float(result.mean[i]), float(result.lower_bound[i])) for (e, p), i in index.items()
    ]
    for start in range(0, len(rows), 20_000):
        _write_reputations(rows[start : start + 20_000])
    db.session.commit()
    return len(keys)


def _write_reputations(rows: list[tuple[uuid.UUID, uuid.UUID, float, float]]) -> None:
    """One UPDATE ... FROM unnest(arrays) on PostgreSQL (a row-by-row executemany was 4x the
    read time for 100,000 experts); executemany elsewhere."""
    table = PoolMembership.__table__
    if db.engine.dialect.name == "postgresql":
        experts, pools, means, lowers = (list(column) for column in zip(*rows, strict=True))
        db.session.execute(
            sa.text(
                "UPDATE pool_memberships AS m SET reputation_mean = v.mean, "
                "reputation_lower = v.lower FROM unnest(CAST(:e AS uuid[]), CAST(:p AS uuid[]), "
                "CAST(:m AS float8[]), CAST(:l AS float8[])) AS v(expert_id, pool_id, mean, lower) "
                "WHERE m.expert_id = v.expert_id AND m.pool_id = v.pool_id"
            ),
            {"e": experts, "p": pools, "m": means, "l": lowers},
        )
        return
    db.session.execute(
        sa.update(table)
        .where(table.c.expert_id == sa.bindparam("e"), table.c.pool_id == sa.bindparam("p"))
        .values(reputation_mean=sa.bindparam("mean"), reputation_lower=sa.bindparam("lower")),
        [{"e": e, "p": p, "mean": m, "lower": low} for e, p, m, low in rows],
        execution_options={"synchronize_session": False},
    )


def _all_evidence(now: datetime) -> tuple[list[tuple[uuid.UUID, uuid.UUID]], dict[str, Any]]:
    """Decided answers of every expert as flat arrays keyed by (expert, pool)."""
    keys: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    rows, success, weight, age = [], [], [], []
    for expert_id, pool_id, outcome, decided, gold in db.session.execute(
        sa.select(
            Answer.expert_id,
            Question.pool_id,
            Answer.outcome,
            Answer.decided_at,
            Answer.gold_passed,
        )
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.outcome != Outcome.PENDING)
    ):
        kind = _kind(outcome, gold)
        if kind is None or decided is None or pool_id is None:
            continue
        s, w = success_and_weight(Evidence(kind, decided))
        rows.append(keys.setdefault((expert_id, pool_id), len(keys)))
        success.append(s)
        weight.append(w)
        age.append((now - decided).total_seconds() / 86400)
    columns = {
        "row": np.asarray(rows, dtype=np.int64),
        "success": np.asarray(success),
        "weight": np.asarray(weight),
        "age": np.asarray(age),
    }
    return list(keys), columns
