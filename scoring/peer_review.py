"""Peer-review aggregation: one-coin Dawid-Skene by EM, initialised from the majority vote."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from scipy.special import expit

# Keeps log-odds finite; a reviewer is never treated as infallible or perfectly inverted.
_MIN_ACCURACY, _MAX_ACCURACY = 0.01, 0.99
# Beta(2, 1) prior on accuracy: vetted reviewers are presumed better than chance until their
# votes say otherwise. A flat prior lets a lone reviewer's vote decay to 0.5 under EM.
_ACC_PRIOR_RIGHT, _ACC_PRIOR_WRONG = 2.0, 1.0


@dataclass(frozen=True)
class Review:
    """One reviewer's binary judgement of one answer (True = good)."""

    item: Hashable
    reviewer: Hashable
    good: bool

    def __post_init__(self) -> None:
        """The judgement must be a real bool, not a grade."""
        if not isinstance(self.good, bool | np.bool_):
            raise ValueError(
                f"good must be a bool; map grades with grade_to_good, got {self.good!r}"
            )
        object.__setattr__(self, "good", bool(self.good))


def grade_to_good(grade: int) -> bool:
    """Map an ordinal 1-5 grade to good/bad: 4 and 5 are good, 1 to 3 are bad.

    A 3 ("acceptable") counts as bad so that only answers peers would endorse are rewarded.
    """
    if isinstance(grade, bool) or not isinstance(grade, int | np.integer) or not 1 <= grade <= 5:
        raise ValueError(f"grade must be an integer from 1 to 5, got {grade!r}")
    return grade >= 4


@dataclass(frozen=True)
class PeerReviewResult:
    """Per item P(good) and label, per reviewer estimated accuracy, and EM diagnostics."""

    posterior: Mapping[Hashable, float]
    labels: Mapping[Hashable, bool]
    reliability: Mapping[Hashable, float]
    prior_good: float
    iterations: int
    converged: bool


def _index(
    reviews: Sequence[Review],
) -> tuple[list[Hashable], list[Hashable], npt.NDArray, npt.NDArray, npt.NDArray]:
    items = list(dict.fromkeys(r.item for r in reviews))
    reviewers = list(dict.fromkeys(r.reviewer for r in reviews))
    item_pos = {item: i for i, item in enumerate(items)}
    reviewer_pos = {rev: j for j, rev in enumerate(reviewers)}
    seen: set[tuple[Hashable, Hashable]] = set()
    for r in reviews:
        if (r.item, r.reviewer) in seen:
            raise ValueError(f"reviewer {r.reviewer!r} reviewed item {r.item!r} twice")
        seen.add((r.item, r.reviewer))
    ii = np.fromiter((item_pos[r.item] for r in reviews), dtype=np.int64, count=len(reviews))
    jj = np.fromiter(
        (reviewer_pos[r.reviewer] for r in reviews), dtype=np.int64, count=len(reviews)
    )
    y = np.fromiter((r.good for r in reviews), dtype=np.float64, count=len(reviews))
    return items, reviewers, ii, jj, y


def majority_vote(reviews: Iterable[Review]) -> dict[Hashable, float]:
    """Share of good votes per item (0.5 means a tie)."""
    items, _, ii, _, y = _index(list(reviews))
    if not items:
        return {}
    share = np.bincount(ii, weights=y) / np.bincount(ii)
    return {item: float(share[i]) for i, item in enumerate(items)}


def _accuracies(
    t: npt.NDArray, ii: npt.NDArray, jj: npt.NDArray, y: npt.NDArray, n_rev: int
) -> npt.NDArray:
    """a_j = (sum over j's reviews of P(label agrees with truth) + 2) / (n_j + 3)."""
    agree = np.bincount(jj, weights=y * t[ii] + (1.0 - y) * (1.0 - t[ii]), minlength=n_rev)
    total = np.bincount(jj, minlength=n_rev) + _ACC_PRIOR_RIGHT + _ACC_PRIOR_WRONG
    acc = (agree + _ACC_PRIOR_RIGHT) / total
    return np.clip(acc, _MIN_ACCURACY, _MAX_ACCURACY)


def dawid_skene(
    reviews: Iterable[Review], max_iter: int = 100, tol: float = 1e-6
) -> PeerReviewResult:
    """One-coin Dawid-Skene: each reviewer j is right with probability a_j on any item.

    Start: T_i = share of good votes. M-step: prior pi = (sum T + 1) / (N + 2) and
    a_j = (sum agree + 2) / (n_j + 3) (a Beta(2, 1) prior), clipped to [0.01, 0.99]. E-step:
    logit T_i = logit pi + sum_{j reviewed i} (+1 if voted good else -1) * logit a_j.
    Stops when max |change in T| < tol or after max_iter rounds. Labels are T_i >= 0.5.
    Reviewers worse than chance get a < 0.5, so their votes count in reverse.
    """
    if max_iter < 1 or not tol > 0:
        raise ValueError("max_iter must be >= 1 and tol > 0")
    items, reviewers, ii, jj, y = _index(list(reviews))
    if not items:
        return PeerReviewResult(
            MappingProxyType({}), MappingProxyType({}), MappingProxyType({}), 0.5, 0, True
        )
    n_items, n_rev = len(items), len(reviewers)
    t = np.bincount(ii, weights=y, minlength=n_items) / np.bincount(ii, minlength=n_items)
    converged, iterations = False, 0
    while iterations < max_iter:
        iterations += 1
        prior = (t.sum() + 1.0) / (n_items + 2.0)
        acc = _accuracies(t, ii, jj, y, n_rev)
        votes = (2.0 * y - 1.0) * np.log(acc / (1.0 - acc))[jj]
        new_t = expit(
            np.log(prior / (1.0 - prior)) + np.bincount(ii, weights=votes, minlength=n_items)
        )
        delta = float(np.max(np.abs(new_t - t)))
        t = new_t
        if delta < tol:
            converged = True
            break
    acc = _accuracies(t, ii, jj, y, n_rev)
    return PeerReviewResult(
        posterior=MappingProxyType({item: float(t[i]) for i, item in enumerate(items)}),
        labels=MappingProxyType({item: bool(t[i] >= 0.5) for i, item in enumerate(items)}),
        reliability=MappingProxyType({rev: float(acc[j]) for j, rev in enumerate(reviewers)}),
        prior_good=float((t.sum() + 1.0) / (n_items + 2.0)),
        iterations=iterations,
        converged=converged,
    )
