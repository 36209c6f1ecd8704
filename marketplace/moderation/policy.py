"""Which answers must be audited, per pool. Documented in docs/moderation.md.

Pool settings `audit` (all optional):
    {"sample_rates": {"vetted": 0.10, "trusted": 0.02}, "low_score": 0.5, "low_rating": 2,
     "hold": true}
- every answer of a probation expert, and a random sample of the others (rate per tier),
  is audited before the company sees it when `hold` is true (the default), else released and
  flagged;
- every answer scoring below `low_score`, rated `low_rating` or less, or marked unresolved with
  a comment (a complaint), and every answer to a gold question, is audited after release.
The sample is a deterministic function of the answer id, so a retried submission decides alike.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from marketplace.moderation.models import AuditReason

PRIORITY = {
    AuditReason.COMPLAINT: 9,
    AuditReason.LOW_RATING: 8,
    AuditReason.LOW_SCORE: 7,
    AuditReason.PROBATION: 6,
    AuditReason.GOLD: 5,
    AuditReason.SAMPLE: 4,
    AuditReason.CALIBRATION: 5,
}


@dataclass(frozen=True)
class AuditPolicy:
    """The audit rules of one pool."""

    sample_rates: dict[str, float] = field(
        default_factory=lambda: {"probation": 1.0, "vetted": 0.10, "trusted": 0.02}
    )
    low_score: float = 0.5
    low_rating: int = 2
    hold: bool = True

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> AuditPolicy:
        """Read the pool's `audit` settings, ignoring anything malformed."""
        raw = (settings or {}).get("audit")
        if not isinstance(raw, dict):
            return cls()
        policy = cls()
        rates = dict(policy.sample_rates)
        for tier, rate in (raw.get("sample_rates") or {}).items():
            if tier in rates and isinstance(rate, int | float) and 0 <= rate <= 1:
                rates[tier] = float(rate)
        rates["probation"] = 1.0  # probation answers are always audited
        return cls(
            sample_rates=rates,
            low_score=_number(raw.get("low_score"), policy.low_score, 0, 1),
            low_rating=int(_number(raw.get("low_rating"), policy.low_rating, 1, 5)),
            hold=raw.get("hold", True) is not False,
        )

    def at_submission(self, answer_id: uuid.UUID, tier: str, is_gold: bool) -> list[AuditReason]:
        """Reasons to audit a new answer before anything else is known."""
        reasons = []
        if tier == "probation":
            reasons.append(AuditReason.PROBATION)
        elif sampled(answer_id, self.sample_rates.get(tier, 0.0)):
            reasons.append(AuditReason.SAMPLE)
        if is_gold:
            reasons.append(AuditReason.GOLD)
        return reasons

    def holds(self, reasons: list[AuditReason]) -> bool:
        """Whether these reasons keep the answer from the company until a verdict."""
        return self.hold and any(r in {AuditReason.PROBATION, AuditReason.SAMPLE} for r in reasons)


def sampled(answer_id: uuid.UUID, rate: float) -> bool:
    """A stable coin flip with probability `rate` for this answer."""
    digest = hashlib.sha256(answer_id.bytes).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def _number(value: Any, default: float, low: float, high: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high:
        return float(value)
    return default
