"""Moderators are checked too: known-verdict answers in their queue, accuracy and agreement.

After every CALIBRATE_EVERY decisions a moderator gets a calibration item: an answer another
moderator of the same company already decided (or a gold answer, whose verdict is known from
its grading). Accuracy = share of calibration items where the moderator gave the known verdict
(approve and approve-with-edit count as the same). Agreement between moderators is Cohen's
kappa over the same pairs (the moderator's verdict against the earlier one).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller
from marketplace.answers.models import Answer
from marketplace.extensions import db
from marketplace.moderation.models import Audit, AuditItem, AuditReason, ItemStatus, Verdict

CALIBRATE_EVERY = 10


def _kind(verdict: str) -> str:
    return "reject" if verdict == Verdict.REJECT.value else "approve"


def maybe_slip(moderator_id: uuid.UUID, company_id: uuid.UUID) -> AuditItem | None:
    """Add a calibration item to the moderator's queue when one is due (caller commits)."""
    audits = db.session.scalars(
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
    if pending or len(audits) < CALIBRATE_EVERY or any(audits):
        return None
    known = db.session.execute(
        sa.select(Audit.answer_id, Audit.verdict, AuditItem.pool_id)
        .join(AuditItem, AuditItem.id == Audit.item_id)
        .join(Answer, Answer.id == Audit.answer_id)
        .where(
            AuditItem.company_id == company_id,
            Audit.moderator_id != moderator_id,
            Audit.calibration.is_(False),
            Answer.expert_id != moderator_id,
        )
        .order_by(sa.func.random())
        .limit(1)
    ).first()
    if known is None:
        return None
    answer_id, verdict, pool_id = known
    item = AuditItem(
        answer_id=answer_id,
        pool_id=pool_id,
        company_id=company_id,
        reasons=[AuditReason.CALIBRATION.value],
        priority=5,
        calibration_for=moderator_id,
        expected_verdict=verdict.value,
    )
    db.session.add(item)
    return item


def report(moderator: UserCaller) -> dict[str, Any]:
    """Per moderator: decisions, calibration accuracy; overall agreement (Cohen's kappa)."""
    query = sa.select(Audit, AuditItem.expected_verdict, AuditItem.company_id).join(
        AuditItem, AuditItem.id == Audit.item_id, isouter=True
    )
    if moderator.role != Role.PLATFORM_ADMIN:
        query = query.where(AuditItem.company_id == moderator.company_id)
    stats: dict[uuid.UUID, dict[str, int]] = defaultdict(
        lambda: {"decisions": 0, "calibrations": 0, "correct": 0}
    )
    pairs = []
    for audit, expected, _ in db.session.execute(query):
        row = stats[audit.moderator_id]
        if audit.calibration:
            row["calibrations"] += 1
            row["correct"] += _kind(audit.verdict.value) == _kind(expected or "")
            pairs.append((_kind(audit.verdict.value), _kind(expected or "")))
        else:
            row["decisions"] += 1
    moderators = [
        {
            "moderator_id": mid,
            **row,
            "accuracy": row["correct"] / row["calibrations"] if row["calibrations"] else None,
        }
        for mid, row in stats.items()
    ]
    return {
        "moderators": moderators,
        "pairs": len(pairs),
        "agreement": _agreement(pairs),
        "kappa": cohens_kappa(pairs),
    }


def _agreement(pairs: list[tuple[str, str]]) -> float | None:
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
