"""Tests for scoring.gold: reference coverage on English and Chinese, thresholds, key terms."""

import pytest

from scoring.gold import DEFAULT_THRESHOLD, grade_gold, missing_terms, reference_coverage

REF_EN = (
    "Card refunds take 3-5 business days to appear. If the refund has not arrived after 10 "
    "business days, contact support with the order number to get the bank reference (ARN)."
)
GOOD_EN = (
    "The refund was issued already; card refunds usually appear within 3-5 business days. If it is "
    "still missing after 10 business days, send us the order number and we'll give you the ARN."
)
WRONG_EN = (
    "Refunds are only processed after the item is back in our warehouse, which takes about 30 days."
)
REF_ZH = "银行卡退款 1-5 个工作日到账，超过 7 个工作日未到账请提供订单号，我们提供退款凭证。"
GOOD_ZH = (
    "退款已经原路退回了，银行卡一般 1 到 5 个工作日到账。"
    "如果 7 个工作日后还没到，把订单号发给我们，我们给您开退款凭证。"
)
WRONG_ZH = "取消订单的退款要等商品退回仓库后才处理，大约需要 15 到 30 天。"


@pytest.mark.parametrize(
    "ref,good,wrong", [(REF_EN, GOOD_EN, WRONG_EN), (REF_ZH, GOOD_ZH, WRONG_ZH)]
)
def test_correct_answers_pass_and_wrong_ones_fail(ref, good, wrong):
    passed = grade_gold(good, [ref])
    failed = grade_gold(wrong, [ref])
    assert passed.passed and passed.similarity >= DEFAULT_THRESHOLD
    assert not failed.passed and failed.similarity < passed.similarity


def test_best_reference_is_reported():
    result = grade_gold(GOOD_ZH, ["完全无关的内容：咖啡豆的烘焙方法", REF_ZH])
    assert result.best_reference_index == 1
    assert result.similarity == pytest.approx(reference_coverage(GOOD_ZH, REF_ZH))


def test_threshold_is_per_company():
    assert not grade_gold(GOOD_EN, [REF_EN], threshold=0.95).passed
    assert grade_gold(WRONG_EN, [REF_EN], threshold=0.0).passed


def test_required_terms_with_alternatives():
    result = grade_gold(GOOD_EN, [REF_EN], required_terms=["ARN", "3-5|three to five", "PayPal"])
    assert not result.passed and result.missing_terms == ("PayPal",)
    assert grade_gold(GOOD_ZH, [REF_ZH], required_terms=["退款凭证", "订单号"]).passed
    assert missing_terms("请提供订 单 号", ["订单号"]) == ()
    assert missing_terms("the carnival", ["ARN"]) == ("ARN",)  # whole words only


def test_empty_answer_fails_without_nan():
    result = grade_gold("", [REF_EN])
    assert result.similarity == 0.0 and not result.passed


@pytest.mark.parametrize(
    "kwargs",
    [
        {"references": []},
        {"references": "one string"},
        {"references": [REF_EN], "threshold": 1.5},
        {"references": [REF_EN], "threshold": float("nan")},
        {"references": [REF_EN], "required_terms": "ARN"},
    ],
)
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        grade_gold(GOOD_EN, **kwargs)
