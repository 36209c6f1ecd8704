"""Which answers must be audited, per pool. Documented in docs/moderation.md.

Pool settings `audit` (all optional):
    {"sample_rates": {"vetted": 0.10, "trusted": 0.02}, "low_score": 0.5, "low_rating": 2,
     "hold": true}
- every answer of a probation expert, and a random sample of the others (rate per tier), is a
  mandatory audit: its outcome and reward wait for the verdict; with `hold` true (the default)
  the company does not see the answer until then, with `hold` false it is released flagged
  (`audit: {"pending": true}`);
- every answer scoring below `low_score` (default: the company's `accept_threshold`),
  rated `low_rating` or less, or marked unresolved with a comment (a complaint), and every
  answer to a gold question, is audited after release.
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
# Reasons whose verdict decides the answer's outcome (and so its reward).
MANDATORY = frozenset({AuditReason.PROBATION, AuditReason.SAMPLE})


# The tiers whose random audit share a company sets per pool (probation is always 1.0).
SAMPLED_TIERS = ("vetted", "trusted")


@dataclass(frozen=True)
class AuditPolicy:
    """The audit rules of one pool."""

    sample_rates: dict[str, float] = field(
        default_factory=lambda: {"probation": 1.0, "vetted": 0.10, "trusted": 0.02}
    )
    low_score: float | None = None  # None: the company's accept_threshold decides
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
            if tier in rates and _is_number(rate) and 0 <= rate <= 1:
                rates[tier] = float(rate)
        rates["probation"] = 1.0  # probation answers are always audited
        low_score = raw.get("low_score")
        return cls(
            sample_rates=rates,
            low_score=float(low_score) if _is_number(low_score) and 0 <= low_score <= 1 else None,
            low_rating=int(_number(raw.get("low_rating"), policy.low_rating, 1, 5)),
            hold=raw.get("hold", True) is not False,
        )

    def low_score_or(self, accept_threshold: float) -> float:
        """The low-score trigger: the pool's, else the company's accept_threshold."""
        return self.low_score if self.low_score is not None else accept_threshold

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
        return self.hold and any(r in MANDATORY for r in reasons)


def sampled(answer_id: uuid.UUID, rate: float) -> bool:
    """A stable coin flip with probability `rate` for this answer."""
    digest = hashlib.sha256(answer_id.bytes).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any, default: float, low: float, high: float) -> float:
    return float(value) if _is_number(value) and low <= value <= high else default


def merge_audit_settings(
    current: dict[str, Any] | None, changes: dict[str, Any] | None
) -> dict[str, Any] | None:
    """A pool's `audit` settings after a (validated) change: None resets them all, a null
    field (or sample rate) goes back to its default, others are set; None when nothing is left."""
    if changes is None:
        return None
    merged = dict(current or {})
    for name, value in changes.items():
        if name == "sample_rates" and value is not None:
            rates = dict(merged.get("sample_rates") or {})
            for tier, rate in value.items():
                if rate is None:
                    rates.pop(tier, None)
                else:
                    rates[tier] = rate
            merged["sample_rates"] = rates
        elif value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    if not merged.get("sample_rates"):
        merged.pop("sample_rates", None)
    return merged or None


def effective_audit(settings: dict[str, Any] | None) -> dict[str, Any]:
    """The audit rules in effect for a pool's settings (low_score None: the company's
    accept_threshold decides)."""
    policy = AuditPolicy.from_settings(settings)
    return {
        "sample_rates": {tier: policy.sample_rates[tier] for tier in SAMPLED_TIERS},
        "low_score": policy.low_score,
        "low_rating": policy.low_rating,
        "hold": policy.hold,
    }
