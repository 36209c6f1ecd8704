"""Tests for scoring.quality: blending, bounds, confidence and moderator overrides."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.quality import QualityInputs, QualityWeights, Verdict, quality_score, rating_to_unit


def test_automatic_only_has_low_confidence():
    q = quality_score(QualityInputs(automatic=0.9))
    assert q.value == pytest.approx(0.9)
    assert q.confidence == pytest.approx(0.2)
    assert [c.name for c in q.components] == ["automatic"]


def test_weighted_blend_matches_the_documented_formula():
    w = QualityWeights()
    q = quality_score(
        QualityInputs(automatic=0.8, customer_rating=2, resolved=False, peer_good_probability=0.3)
    )
    expected = (0.8 * w.automatic + 0.25 * w.rating + 0.0 * w.resolved + 0.3 * w.peer) / (
        w.automatic + w.rating + w.resolved + w.peer
    )
    assert q.value == pytest.approx(expected)
    assert q.confidence == pytest.approx(1.0)
    assert sum(c.weight for c in q.components) == pytest.approx(1.0)
    assert dict((c.name, c.value) for c in q.components)["customer_rating"] == 0.25


def test_a_bad_customer_rating_pulls_a_clean_answer_down():
    clean = quality_score(QualityInputs(automatic=1.0))
    rated = quality_score(QualityInputs(automatic=1.0, customer_rating=1, resolved=False))
    assert rated.value < 0.4 < clean.value
    assert rated.confidence > clean.confidence


def test_approve_floors_and_reject_caps_with_full_confidence():
    low = QualityInputs(automatic=0.1, customer_rating=1, verdict=Verdict.APPROVE)
    high = QualityInputs(automatic=1.0, customer_rating=5, resolved=True, verdict="reject")
    approved, rejected = quality_score(low), quality_score(high)
    assert approved.value == pytest.approx(0.7) and approved.confidence == 1.0
    assert approved.overridden_by is Verdict.APPROVE
    assert rejected.value == pytest.approx(0.2) and rejected.confidence == 1.0
    assert quality_score(QualityInputs(automatic=0.95, verdict="approve")).value == pytest.approx(
        0.95
    )


def test_custom_weights_can_ignore_an_input():
    w = QualityWeights(automatic=0.0, rating=1.0, resolved=0.0, peer=0.0)
    assert quality_score(QualityInputs(automatic=0.0, customer_rating=5), w).value == pytest.approx(
        1.0
    )
    assert quality_score(QualityInputs(automatic=0.4), w).value == pytest.approx(0.4)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"automatic": 1.2},
        {"automatic": float("nan")},
        {"automatic": 0.5, "customer_rating": 0},
        {"automatic": 0.5, "customer_rating": 6},
        {"automatic": 0.5, "customer_rating": True},
        {"automatic": 0.5, "resolved": "yes"},
        {"automatic": 0.5, "peer_good_probability": -0.1},
        {"automatic": 0.5, "verdict": "maybe"},
    ],
)
def test_invalid_inputs_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        QualityInputs(**kwargs)


def test_invalid_weights_raise_value_error():
    with pytest.raises(ValueError):
        QualityWeights(automatic=-1)
    with pytest.raises(ValueError):
        QualityWeights(0, 0, 0, 0)
    with pytest.raises(ValueError):
        QualityWeights(approve_floor=1.5)
    with pytest.raises(ValueError, match="between 1 and 5"):
        rating_to_unit(5.5)


@given(
    automatic=st.floats(0, 1),
    rating=st.none() | st.integers(1, 5),
    resolved=st.none() | st.booleans(),
    peer=st.none() | st.floats(0, 1),
    verdict=st.none() | st.sampled_from(list(Verdict)),
)
def test_score_and_confidence_are_always_in_unit_interval(
    automatic, rating, resolved, peer, verdict
):
    q = quality_score(QualityInputs(automatic, rating, resolved, peer, verdict))
    for x in (q.value, q.confidence):
        assert 0.0 <= x <= 1.0 and not math.isnan(x)
    if verdict is Verdict.REJECT:
        assert q.value <= 0.2
    if verdict is Verdict.APPROVE:
        assert q.value >= 0.7


def test_weights_that_overflow_when_summed_are_refused():
    from scoring.quality import QualityWeights

    with pytest.raises(ValueError, match="sum"):
        QualityWeights(automatic=1e308, rating=1e308, resolved=0.0, peer=0.0)
    with pytest.raises(ValueError):
        QualityWeights(automatic=float("nan"))
    with pytest.raises(ValueError):
        QualityWeights(approve_floor=float("nan"))
