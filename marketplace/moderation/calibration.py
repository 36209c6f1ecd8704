"""Moderators are checked too: known-verdict answers in their queue, accuracy and agreement.

After every CALIBRATE_EVERY decisions a moderator gets one calibration item: an answer of
their company whose verdict is final, from (first found wins)
  1. a decided dispute (upheld: reject; overturned: approve),
  2. two or more moderators who audited it and all agreed,
  3. a gold question, graded against its known answer (passed: approve; failed: reject).
The moderator never audited it, is not its expert and not linked to them. The item is blind:
it copies the reasons and priority of the answer's real audit, and the item view hides the
outcome, so it looks like any other item. The verdict changes nothing but the moderator's
accuracy (approve and approve-with-edit count alike).

The report gives per moderator: decisions, calibration items, accuracy; per pair of moderators
who audited the same answers: how many, the share agreed and Cohen's kappa; and the pooled
figures over every pair.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.services import UserCaller
from marketplace.answers.models import Answer
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.moderation import conflicts
from marketplace.moderation.items import announce_item
from marketplace.moderation.models import (
    Audit,
    AuditItem,
    AuditReason,
    Dispute,
    DisputeStatus,
    ItemStatus,
    ModeratorLink,
    Verdict,
)

CALIBRATE_EVERY = 10
CANDIDATES = 50


def kind(verdict: str) -> str:
    """approve and approve_with_edit are the same decision for calibration."""
    return "reject" if verdict == Verdict.REJECT.value else "approve"


def maybe_slip(moderator_id: uuid.UUID, company_id: uuid.UUID) -> AuditItem | None:
    """Add a calibration item to the moderator's queue when one is due (caller commits)."""
    retire_conflicted(moderator_id)
    recent = db.session.scalars(
        sa.select(Audit.calibration)
        .filter_by(moderator_id=moderator_id)
        .order_by(Audit.created_at.desc())
        .limit(CALIBRATE_EVERY)
    ).all()
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditItem)
        .where(AuditItem.calibration_for == moderator_id, AuditItem.status != ItemStatus.DECIDED)
    )
    if pending or len(recent) < CALIBRATE_EVERY or any(recent):
        return None
    known = _known_verdicts(moderator_id, company_id)
    if not known:
        return None
    answer_id, expected = random.choice(sorted(known.items()))
    item = _blind_copy(answer_id, company_id, moderator_id, expected)
    db.session.add(item)
    db.session.flush()
    announce_item(item, db.session.get(Answer, answer_id).expert_id, "audit.created")
    return item


def retire_conflicted(moderator_id: uuid.UUID) -> None:
    """Drop pending calibration items of experts the moderator is (now) linked to, so they do
    not block the next calibration forever."""
    linked = sa.select(ModeratorLink.expert_id).where(ModeratorLink.moderator_id == moderator_id)
    conflicted = sa.select(Answer.id).where(
        sa.or_(Answer.expert_id.in_(linked), Answer.expert_id == moderator_id)
    )
    db.session.execute(
        sa.delete(AuditItem).where(
            AuditItem.calibration_for == moderator_id,
            AuditItem.status != ItemStatus.DECIDED,
            AuditItem.answer_id.in_(conflicted),
        )
    )


def _known_verdicts(moderator_id: uuid.UUID, company_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Answers with a final verdict the moderator may be tested on, and that verdict."""
    eligible = sa.and_(
        Answer.company_id == company_id,
        conflicts.not_linked(moderator_id, Answer.expert_id),
        Answer.id.not_in(sa.select(Audit.answer_id).where(Audit.moderator_id == moderator_id)),
        Answer.id.not_in(
            sa.select(AuditItem.answer_id).where(AuditItem.calibration_for == moderator_id)
        ),
        Answer.id.not_in(sa.select(Dispute.answer_id).where(Dispute.status == DisputeStatus.OPEN)),
    )
    found: dict[uuid.UUID, str] = {}
    for answer_id, status in db.session.execute(
        sa.select(Dispute.answer_id, Dispute.status)
        .join(Answer, Answer.id == Dispute.answer_id)
        .where(eligible, Dispute.status != DisputeStatus.OPEN)
        .limit(CANDIDATES)
    ):
        found[answer_id] = "approve" if status == DisputeStatus.OVERTURNED else "reject"
    rejects = sa.case((Audit.verdict == Verdict.REJECT, 1), else_=0)
    for answer_id, rejected in db.session.execute(
        sa.select(Audit.answer_id, sa.func.max(rejects))
        .join(Answer, Answer.id == Audit.answer_id)
        .where(eligible)
        .group_by(Audit.answer_id)
        .having(
            sa.func.count(sa.distinct(Audit.moderator_id)) >= 2,
            sa.func.min(rejects) == sa.func.max(rejects),
        )
        .limit(CANDIDATES)
    ):
        found.setdefault(answer_id, "reject" if rejected else "approve")
    for answer_id, passed in db.session.execute(
        sa.select(Answer.id, Answer.gold_passed)
        .where(eligible, Answer.gold_passed.is_not(None))
        .limit(CANDIDATES)
    ):
        found.setdefault(answer_id, "approve" if passed else "reject")
    return found


def _blind_copy(
    answer_id: uuid.UUID, company_id: uuid.UUID, moderator_id: uuid.UUID, expected: str
) -> AuditItem:
    """A calibration item that looks like the answer's real audit item."""
    original = db.session.scalars(
        sa.select(AuditItem)
        .where(AuditItem.answer_id == answer_id, AuditItem.calibration_for.is_(None))
        .order_by(AuditItem.created_at.desc())
        .limit(1)
    ).first()
    answer = db.session.get(Answer, answer_id)
    return AuditItem(
        answer_id=answer_id,
        pool_id=original.pool_id if original else answer.question.pool_id,
        company_id=company_id,
        reasons=original.reasons if original else [AuditReason.GOLD.value],
        priority=original.priority if original else 5,
        mandatory=original.mandatory if original else False,
        sla_deadline=answer.question.sla_deadline,
        status=ItemStatus.OPEN,
        calibration_for=moderator_id,
        expected_verdict=expected,
    )


def report(moderator: UserCaller, days: int) -> dict[str, Any]:
    """Accuracy per moderator; agreement per pair of moderators and pooled (Cohen's kappa)."""
    rows = db.session.execute(
        sa.select(Audit, AuditItem.expected_verdict)
        .join(Answer, Answer.id == Audit.answer_id)
        .outerjoin(AuditItem, AuditItem.id == Audit.item_id)
        .where(
            conflicts.scope(moderator, Answer.company_id),
            Audit.created_at >= utcnow() - timedelta(days=days),
        )
        .order_by(Audit.created_at)
    ).all()
    stats: dict[uuid.UUID, dict[str, int]] = defaultdict(
        lambda: {"decisions": 0, "calibrations": 0, "correct": 0}
    )
    latest: dict[uuid.UUID, dict[uuid.UUID, str]] = defaultdict(dict)  # answer -> moderator
    for audit, expected in rows:
        row = stats[audit.moderator_id]
        if audit.calibration:
            row["calibrations"] += 1
            row["correct"] += kind(audit.verdict.value) == (expected or "")
        else:
            row["decisions"] += 1
        latest[audit.answer_id][audit.moderator_id] = kind(audit.verdict.value)
    return {
        "days": days,
        "moderators": [
            {
                "moderator_id": mid,
                **row,
                "accuracy": row["correct"] / row["calibrations"] if row["calibrations"] else None,
            }
            for mid, row in sorted(stats.items())
        ],
        **_agreement(latest),
    }


def _agreement(latest: dict[uuid.UUID, dict[uuid.UUID, str]]) -> dict[str, Any]:
    by_pair: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[str, str]]] = defaultdict(list)
    for verdicts in latest.values():
        for first, second in itertools.combinations(sorted(verdicts), 2):
            by_pair[(first, second)].append((verdicts[first], verdicts[second]))
    pooled = [pair for pairs in by_pair.values() for pair in pairs]
    return {
        "pairs": len(pooled),
        "agreement": share_agreed(pooled),
        "kappa": cohens_kappa(pooled),
        "pairwise": [
            {
                "moderators": [first, second],
                "answers": len(pairs),
                "agreed": sum(a == b for a, b in pairs),
                "agreement": share_agreed(pairs),
                "kappa": cohens_kappa(pairs),
            }
            for (first, second), pairs in sorted(by_pair.items())
        ],
    }


def share_agreed(pairs: list[tuple[str, str]]) -> float | None:
    """The share of pairs with the same decision."""
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else None


def cohens_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Agreement beyond chance: (p_o - p_e) / (1 - p_e); None without data, 1.0 if p_e is 1."""
    if not pairs:
        return None
    labels = {label for pair in pairs for label in pair}
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    expected = sum(
        (sum(a == k for a, _ in pairs) / n) * (sum(b == k for _, b in pairs) / n) for k in labels
    )
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)
