"""Tests for scoring.text: normalisation, script detection and tokenisation."""

from scoring.text import (
    MAX_ANALYSED_CHARS,
    char_shingles,
    containment,
    detect_language,
    effective_length,
    jaccard,
    language_scripts,
    normalize,
    ochiai,
    script_profile,
    tokens,
)


def test_normalize_strips_invisible_characters_tags_and_entities():
    raw = "<p>Re\u200bfund&nbsp;in\u00ad 3&ndash;5 days</p>\ufeff<br/>\u202etext"
    assert normalize(raw) == "Refund in 3–5 days text"


def test_normalize_folds_fullwidth_forms_and_caps_length():
    assert normalize("ＡＢＣ１２３，") == "ABC123,"
    assert len(normalize("a" * (MAX_ANALYSED_CHARS * 3))) == MAX_ANALYSED_CHARS


def test_normalize_drops_lone_surrogates_and_controls():
    assert normalize("ok\ud800\x00\x07done") == "ok done"


def test_detect_language_by_script():
    assert detect_language("请在设置里打开定位服务") == "zh"
    assert detect_language("Please enable location services in Settings") == "en"
    assert detect_language("設定で位置情報サービスをオンにしてください") == "ja"
    assert detect_language("설정에서 위치 서비스를 켜 주세요") == "ko"
    assert detect_language("😀 123 !!!") == "und"


def test_chinese_with_english_ui_terms():
    assert detect_language("请在 Settings 里打开定位服务") == "zh"
    # Heavy UI jargon tips the balance, but the Han share stays above the mismatch threshold.
    assert (
        script_profile("请在 Settings > Privacy > Location Services 里打开定位").share(["han"])
        > 0.4
    )


def test_language_scripts_handles_region_subtags_and_unknown_codes():
    assert language_scripts("zh-CN") == ("han",)
    assert language_scripts("en_US") == ("latin",)
    assert language_scripts("ja") == ("kana", "han")
    assert language_scripts("xx") is None


def test_tokens_use_characters_and_bigrams_for_chinese_and_stems_for_english():
    zh = tokens("退款到账")
    assert {"退款", "款到", "到账", "退", "款", "账"} <= set(zh)
    assert "的" not in tokens("我的订单")
    assert tokens("Refunds refunded refunding") == ["refund", "refund", "refund"]
    assert "the" not in tokens("the order")


def test_effective_length_counts_han_three_times():
    assert effective_length("abc de") == 5
    assert effective_length("退款") == 6


def test_set_similarities_are_bounded_and_defined_on_empty_sets():
    a, b = {"x", "y"}, {"y", "z"}
    assert ochiai(a, b) == 0.5
    assert jaccard(a, b) == 1 / 3
    assert containment(a, b) == 0.5
    assert ochiai(set(), b) == jaccard(set(), set()) == containment(set(), b) == 0.0


def test_char_shingles_ignore_case_blanks_and_punctuation():
    assert char_shingles("Ab, C-d!") == char_shingles("abcd") == {"abcd"}
    assert char_shingles("") == set()
