"""Robustness: huge answers stay bounded and correct; arbitrary text never crashes or yields NaN."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.checks import automatic_score, run_checks
from scoring.gold import grade_gold
from scoring.signals import AnswerContext, SignalCode
from scoring.text import MAX_ANALYSED_CHARS, normalize

SUBJECT = "Battery draining fast since the update"
BODY = "My Nimbus X5 battery goes from full to 20% by lunchtime since the 14.2 update."
ANSWER = (
    "After a big update the phone re-indexes photos in the background for up to 48 hours, so some "
    "extra battery drain is normal. If it continues, check Settings > Battery > Usage and restart. "
)


def check(answer: str, **kw) -> dict[str, object]:
    ctx = AnswerContext(SUBJECT, BODY, "en", answer, **kw)
    signals = run_checks(ctx)
    score = automatic_score(signals)
    assert 0.0 <= score <= 1.0 and not math.isnan(score)
    return {"score": score, "flags": {s.code for s in signals if s.flagged}, "signals": signals}


def test_100kb_answer_with_personal_data_up_front():
    answer = "Text me on 138 1234 5678. " + (ANSWER * 600)[:100_000]
    result = check(answer, knowledge_base=(ANSWER * 600,), other_answers=(ANSWER * 400,))
    assert SignalCode.PERSONAL_DATA in result["flags"]
    # The answer is one paragraph repeated hundreds of times: filler, and a copy of the article.
    assert SignalCode.MACHINE_FILLER in result["flags"]
    assert SignalCode.COPIED in result["flags"]


def test_1mb_varied_answer_is_capped_and_judged_on_its_prefix():
    words = [f"w{i}x{i * 7919 % 10007}" for i in range(200_000)]
    answer = ANSWER + " ".join(words)
    assert len(answer) > 1_000_000
    result = check(answer, allowed_domains=("nimbus.com",))
    assert SignalCode.MACHINE_FILLER not in result["flags"]
    assert SignalCode.TOO_SHORT not in result["flags"]
    length = next(s for s in result["signals"] if s.code is SignalCode.TOO_SHORT).details["length"]
    assert length <= MAX_ANALYSED_CHARS


def test_1mb_chinese_answer_with_link_and_html():
    answer = "<div>请访问www.cheap-deals.com。</div>" + "退款会在1-5个工作日原路退回。" * 70_000
    result = check(answer, allowed_domains=("nimbus.com",))
    assert {
        SignalCode.EXTERNAL_LINKS,
        SignalCode.LANGUAGE_MISMATCH,
        SignalCode.MACHINE_FILLER,
    } <= result["flags"]


def test_pathological_regex_inputs_complete():
    for answer in (
        "<" * 1_000_000,
        "a@" * 500_000,
        "1-" * 500_000,
        "a." * 500_000,
        "www." * 250_000,
    ):
        check(answer)


def test_gold_on_huge_inputs():
    result = grade_gold("退款" * 500_000, ["退款会在1-5个工作日到账" * 10_000])
    assert 0.0 <= result.similarity <= 1.0


def test_empty_emoji_zero_width_and_html_inputs():
    for answer in (
        "",
        " ",
        "\u200b\u200c\u200d\ufeff",
        "😀" * 30,
        "<br/><p></p>&nbsp;",
        "&#0;&#xD800;",
        "\x00\x01",
    ):
        result = check(answer)
        assert SignalCode.TOO_SHORT in result["flags"]
    assert normalize("\u200b\u200d") == ""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answer=st.text(max_size=400),
    subject=st.text(max_size=40),
    language=st.sampled_from(["en", "zh", "ja", "zh-CN", "fr", "xx"]),
    others=st.lists(st.text(max_size=100), max_size=3),
    banned=st.lists(st.text(min_size=1, max_size=10), max_size=3),
)
def test_arbitrary_text_never_crashes_or_returns_nan(answer, subject, language, others, banned):
    ctx = AnswerContext(
        subject,
        "body",
        language,
        answer,
        other_answers=tuple(others),
        knowledge_base=tuple(others),
        banned_terms=tuple(banned),
        allowed_domains=("example.com",),
    )
    signals = run_checks(ctx)
    assert len(signals) == len(SignalCode)
    for s in signals:
        assert 0.0 <= s.score <= 1.0 and not math.isnan(s.score)
        assert s.reason and s.reason_zh
    score = automatic_score(signals)
    assert 0.0 <= score <= 1.0 and not math.isnan(score)


@settings(max_examples=100, deadline=None)
@given(answer=st.text(max_size=300), reference=st.text(max_size=300))
def test_gold_similarity_is_always_a_probability(answer, reference):
    result = grade_gold(answer, [reference])
    assert 0.0 <= result.similarity <= 1.0 and not math.isnan(result.similarity)
