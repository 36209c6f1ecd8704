"""Grading answers to gold (known-answer) questions against reference answers and key terms."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from scoring.text import HAN, containment, normalize, tokens

# Measured on the evaluation scenarios (reference = another correct answer): correct answers
# cover a median 0.34-0.38 of the reference's content tokens, factually wrong ones 0.12-0.15.
DEFAULT_THRESHOLD = 0.25
_HAN_RE = re.compile(f"[{HAN}]")


@dataclass(frozen=True)
class GoldResult:
    """Best similarity to any reference, the pass decision, which reference, missing key terms."""

    similarity: float
    passed: bool
    best_reference_index: int
    missing_terms: tuple[str, ...] = ()


def reference_coverage(answer: str, reference: str) -> float:
    """Share of the reference's distinct content tokens that the answer also contains.

    Tokens are text.tokens: Han characters and bigrams, stemmed Latin words and numbers, so
    the measure works on Chinese and English alike. Recall rather than a symmetric similarity,
    because a correct answer may add detail the reference lacks.
    """
    return containment(set(tokens(normalize(reference))), set(tokens(normalize(answer))))


def _has_term(folded: str, compact: str, term: str) -> bool:
    """A term is present as a whole word (Latin) or a blank-insensitive substring (Han)."""
    term = " ".join(normalize(term).casefold().split())
    if not term:
        return True
    if _HAN_RE.search(term):
        return term.replace(" ", "") in compact
    pattern = r"(?<![a-z0-9])" + re.escape(term).replace(r"\ ", r"\s+") + r"(?![a-z0-9])"
    return re.search(pattern, folded) is not None


def missing_terms(answer: str, required_terms: Sequence[str]) -> tuple[str, ...]:
    """Required terms absent from the answer; "a|b" accepts either alternative."""
    folded = normalize(answer).casefold()
    compact = re.sub(r"\s+", "", folded)
    return tuple(
        t
        for t in required_terms
        if not any(_has_term(folded, compact, alt) for alt in t.split("|"))
    )


def grade_gold(
    answer: str,
    references: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    required_terms: Sequence[str] = (),
) -> GoldResult:
    """similarity = max_k coverage(answer, reference_k); passed = similarity >= threshold and
    every required term is present. The threshold is set per company (default 0.25).
    """
    if isinstance(references, str) or not references:
        raise ValueError("references must be a non-empty sequence of strings")
    if not isinstance(answer, str) or not all(isinstance(r, str) for r in references):
        raise ValueError("answer and references must be strings")
    if isinstance(required_terms, str):
        raise ValueError("required_terms must be a sequence of strings, not one string")
    if not (
        isinstance(threshold, int | float) and math.isfinite(threshold) and 0.0 <= threshold <= 1.0
    ):
        raise ValueError(f"threshold must be in [0, 1], got {threshold!r}")
    scores = [reference_coverage(answer, ref) for ref in references]
    best = max(range(len(scores)), key=lambda k: (scores[k], -k))
    missing = missing_terms(answer, required_terms)
    passed = scores[best] >= threshold and not missing
    return GoldResult(scores[best], passed, best, missing)
