"""Tests for scoring.peer_review: Dawid-Skene beats majority vote; edge cases are well defined."""

import numpy as np
import pytest

from scoring.peer_review import Review, dawid_skene, grade_to_good, majority_vote


def simulate(seed: int, n_items: int = 300) -> tuple[np.ndarray, list[Review]]:
    """Three careful reviewers, two adversarial ones and two coin-flippers; 80 % coverage."""
    rng = np.random.default_rng(seed)
    truth = rng.random(n_items) < 0.6
    accuracy = {
        "ann": 0.85,
        "bo": 0.85,
        "cy": 0.8,
        "troll1": 0.15,
        "troll2": 0.2,
        "lazy1": 0.5,
        "lazy2": 0.5,
    }
    reviews = []
    for item, good in enumerate(truth):
        for reviewer, acc in accuracy.items():
            if rng.random() < 0.8:
                vote = bool(good) if rng.random() < acc else not good
                reviews.append(Review(item, reviewer, vote))
    return truth, reviews


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dawid_skene_beats_majority_with_adversarial_reviewers(seed):
    truth, reviews = simulate(seed)
    result = dawid_skene(reviews)
    majority = majority_vote(reviews)
    ds_accuracy = np.mean([result.labels[i] == truth[i] for i in result.labels])
    mv_accuracy = np.mean([(majority[i] > 0.5) == truth[i] for i in majority])
    assert ds_accuracy >= 0.9
    assert ds_accuracy > mv_accuracy + 0.15
    rel = result.reliability
    assert min(rel["ann"], rel["bo"], rel["cy"]) > 0.7
    assert max(rel["troll1"], rel["troll2"]) < 0.35
    assert 0.3 < rel["lazy1"] < 0.7
    assert result.converged


def test_deterministic():
    _, reviews = simulate(4)
    assert dawid_skene(reviews) == dawid_skene(reviews)


def test_single_reviewer_single_item():
    good = dawid_skene([Review("a1", "r", True)])
    bad = dawid_skene([Review("a1", "r", False)])
    assert good.labels["a1"] is True and 0.6 < good.posterior["a1"] < 0.95
    assert bad.labels["a1"] is False and 0.05 < bad.posterior["a1"] < 0.4
    assert 0.5 < good.reliability["r"] < 1.0


def test_unanimous_reviewers():
    reviews = [Review(i, r, i % 2 == 0) for i in range(6) for r in ("x", "y", "z")]
    result = dawid_skene(reviews)
    assert all(result.labels[i] == (i % 2 == 0) for i in range(6))
    assert all(p > 0.95 or p < 0.05 for p in result.posterior.values())
    assert all(r > 0.8 for r in result.reliability.values())


def test_reviewer_with_one_item_and_a_split_vote():
    reviews = [Review(i, r, True) for i in range(10) for r in ("x", "y")]
    reviews += [Review(10, "x", True), Review(10, "newbie", False)]
    result = dawid_skene(reviews)
    assert result.labels[10] is True  # the proven reviewer outweighs the unknown one
    assert result.reliability["newbie"] < result.reliability["x"]


def test_empty_input_and_duplicates():
    empty = dawid_skene([])
    assert dict(empty.posterior) == {} and empty.prior_good == 0.5
    with pytest.raises(ValueError, match="twice"):
        dawid_skene([Review(1, "x", True), Review(1, "x", False)])
    with pytest.raises(ValueError):
        dawid_skene([Review(1, "x", True)], max_iter=0)


def test_grade_mapping():
    assert [grade_to_good(g) for g in (1, 2, 3, 4, 5)] == [False, False, False, True, True]
    for bad in (0, 6, 3.5, True):
        with pytest.raises(ValueError):
            grade_to_good(bad)
    with pytest.raises(ValueError):
        Review(1, "x", 4)  # grades must be mapped first
