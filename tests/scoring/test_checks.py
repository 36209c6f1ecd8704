"""Tests for scoring.checks: every signal on English and Chinese, flagged and not flagged."""

import re

import pytest

from scoring.checks import DEFAULT_WEIGHTS, HARD_CAP, automatic_score, run_checks
from scoring.signals import AnswerContext, CheckThresholds, Signal, SignalCode

EN_SUBJECT = "Refund for cancelled order not received"
EN_BODY = (
    "I cancelled my ShopLark order on Monday. The app says refund issued but the money "
    "isn't on my card."
)
EN_GOOD = (
    "Since the app shows refund issued, the money has left us. Card refunds take 3-5 business "
    "days to appear depending on your bank. If it isn't there after 10 business days, reply "
    "with the order number and we'll send the bank reference."
)
ZH_SUBJECT = "取消订单后退款什么时候到账"
ZH_BODY = "我昨天在云雀商城取消了一个还没发货的订单，页面显示退款成功，可是银行卡里还没看到钱。"
ZH_GOOD = (
    "您好，页面显示退款成功说明款项已经退出。"
    "银行卡退款需要 1-5 个工作日到账，具体看发卡行处理速度。"
    "如果超过 7 个工作日还没到账，把订单号发给我们，"
    "我们提供退款凭证。"
)
KB_EN = (
    "When an order is cancelled before shipping, ShopLark issues the refund immediately. "
    "Card refunds take 3-5 business days to appear, PayPal refunds 24 hours, and ShopLark "
    "Wallet refunds are instant."
)
KB_ZH = (
    "未发货订单取消后，系统立即发起退款。"
    "退款按原支付路径退回：余额支付即时到账，银行卡 1-5 个工作日到账。"
)


def en(answer: str, **kw) -> AnswerContext:
    kw.setdefault("allowed_domains", ("shoplark.com",))
    return AnswerContext(EN_SUBJECT, EN_BODY, "en", answer, **kw)


def zh(answer: str, **kw) -> AnswerContext:
    kw.setdefault("allowed_domains", ("yunque.com",))
    return AnswerContext(ZH_SUBJECT, ZH_BODY, "zh", answer, **kw)


def signal(ctx: AnswerContext, code: SignalCode) -> Signal:
    return next(s for s in run_checks(ctx) if s.code is code)


def flags(ctx: AnswerContext) -> set[str]:
    return {s.code.value for s in run_checks(ctx) if s.flagged}


@pytest.mark.parametrize(
    "ctx", [en(EN_GOOD, knowledge_base=(KB_EN,)), zh(ZH_GOOD, knowledge_base=(KB_ZH,))]
)
def test_good_answers_raise_no_flag_and_score_high(ctx):
    assert flags(ctx) == set()
    assert automatic_score(run_checks(ctx)) > 0.8


def test_one_signal_per_code_in_order_with_bilingual_reasons():
    signals = run_checks(zh("滚开，" + ZH_GOOD + " 加我微信 13812345678"))
    assert [s.code for s in signals] == list(SignalCode)
    for s in signals:
        assert s.reason and s.reason_zh and 0.0 <= s.score <= 1.0
        assert re.search("[\u4e00-\u9fff]", s.reason_zh), s.reason_zh
        assert not re.search("[\u4e00-\u9fff]", s.reason) or s.code is SignalCode.BANNED_TERMS


@pytest.mark.parametrize(
    "make,text", [(en, ""), (zh, ""), (en, "Yes."), (zh, "好的"), (en, "<p>&nbsp;\u200b</p>")]
)
def test_too_short(make, text):
    s = signal(make(text), SignalCode.TOO_SHORT)
    assert s.flagged
    assert s.details["empty"] == (text not in ("Yes.", "好的"))


def test_min_length_counts_chinese_characters_three_times():
    assert signal(zh("请在订单页面申请退款。"), SignalCode.TOO_SHORT).flagged  # 10 Han = 30, + 1
    assert not signal(
        zh("请在订单页面点申请退款即可。"), SignalCode.TOO_SHORT
    ).flagged  # 13 Han = 39, + 1
    assert signal(en("Please apply in the order."), SignalCode.TOO_SHORT).flagged
    assert not signal(en("ok", min_length=0), SignalCode.TOO_SHORT).flagged


def test_language_mismatch_both_ways():
    assert signal(en(ZH_GOOD), SignalCode.LANGUAGE_MISMATCH).flagged
    assert signal(zh(EN_GOOD), SignalCode.LANGUAGE_MISMATCH).flagged
    assert (
        signal(
            zh("银行卡退款需要 1-5 个工作日，请在 App 的 Orders > Refunds 查看"),
            SignalCode.LANGUAGE_MISMATCH,
        ).flagged
        is False
    )
    japanese = "返金はカードに3〜5営業日で反映されます。しばらくお待ちください。"
    s = signal(zh(japanese), SignalCode.LANGUAGE_MISMATCH)
    assert s.flagged and s.details["detected"] == "ja"


def test_language_not_judged_for_unknown_languages_or_letterless_answers():
    ctx = AnswerContext("x", "y", "xx", "whatever text here")
    assert signal(ctx, SignalCode.LANGUAGE_MISMATCH).details["checked"] is False
    assert signal(en("😀😀😀 123 456"), SignalCode.LANGUAGE_MISMATCH).flagged is False


def test_off_topic():
    chat_en = (
        "My cat loves sitting on my laptop whenever I try to work, so I bought her a heated bed."
    )
    chat_zh = "成都的火锅真的太好吃了，推荐去宽窄巷子附近那家老店，记得点毛肚和鸭肠。"
    assert signal(en(chat_en), SignalCode.OFF_TOPIC).flagged
    assert signal(zh(chat_zh), SignalCode.OFF_TOPIC).flagged
    assert not signal(en(EN_GOOD), SignalCode.OFF_TOPIC).flagged
    assert not signal(zh(ZH_GOOD), SignalCode.OFF_TOPIC).flagged


def test_off_topic_is_not_judged_for_a_two_word_question():
    ctx = AnswerContext(
        "Refund?", "", "en", "You can get your money back within 14 days of purchase."
    )
    s = signal(ctx, SignalCode.OFF_TOPIC)
    assert not s.flagged and s.details["checked"] is False


def test_copied_from_knowledge_base_reports_source():
    s = signal(
        en("Hi there! " + KB_EN + " Hope this helps!", knowledge_base=("unrelated", KB_EN)),
        SignalCode.COPIED,
    )
    assert s.flagged
    assert s.details["source"] == "knowledge_base" and s.details["source_index"] == 1
    assert s.details["similarity"] >= 0.8


def test_copied_from_another_answer_in_chinese():
    other = ZH_GOOD.replace("您好，", "亲，")
    s = signal(zh(ZH_GOOD, other_answers=("无关的回答内容", other)), SignalCode.COPIED)
    assert s.flagged and s.details["source"] == "other_answer" and s.details["source_index"] == 1


def test_paraphrase_of_knowledge_base_is_not_a_copy():
    assert not signal(en(EN_GOOD, knowledge_base=(KB_EN,)), SignalCode.COPIED).flagged
    assert not signal(zh(ZH_GOOD, knowledge_base=(KB_ZH,)), SignalCode.COPIED).flagged


def test_short_stock_phrase_is_not_a_copy():
    kb = "Please restart the phone and try again. " + KB_EN
    assert not signal(
        en("Please restart the phone.", knowledge_base=(kb,)), SignalCode.COPIED
    ).flagged


def test_personal_data_reports_kinds_and_masks_values():
    s = signal(
        zh(ZH_GOOD + "有问题打我手机 138 1234 5678，或发邮件 zhangwei_88@163.com"),
        SignalCode.PERSONAL_DATA,
    )
    assert s.flagged and s.details["kinds"] == {"phone": 1, "email": 1}
    assert "电话号码" in s.reason_zh and "phone" in s.reason
    assert "1234 5678" not in str(dict(s.details)) and "12345678" not in str(dict(s.details))
    s = signal(en(EN_GOOD + " Call me at (415) 555-2671."), SignalCode.PERSONAL_DATA)
    assert s.flagged and s.details["kinds"] == {"phone": 1}


def test_company_hotline_is_not_personal_data():
    assert not signal(
        zh(ZH_GOOD + "也可以拨打客服热线 400-820-8820。"), SignalCode.PERSONAL_DATA
    ).flagged
    assert not signal(en(EN_GOOD + " Or call 1-800-555-0100."), SignalCode.PERSONAL_DATA).flagged


def test_banned_terms_are_case_insensitive_whole_words_and_work_in_chinese():
    s = signal(
        en(EN_GOOD + " Message us on WHATSAPP.", banned_terms=("WhatsApp",)),
        SignalCode.BANNED_TERMS,
    )
    assert s.flagged and s.details["terms"] == ("whatsapp",)
    assert not signal(
        en(EN_GOOD + " We can assist.", banned_terms=("ass",)), SignalCode.BANNED_TERMS
    ).flagged
    s = signal(
        zh(ZH_GOOD + "淘 宝上更便宜", banned_terms=("淘宝", "拼多多")), SignalCode.BANNED_TERMS
    )
    assert s.flagged and s.details["terms"] == ("淘宝",)
    assert not signal(zh(ZH_GOOD, banned_terms=("淘宝",)), SignalCode.BANNED_TERMS).flagged


def test_external_links():
    s = signal(zh(ZH_GOOD + "详情见www.cheap-deals.com。"), SignalCode.EXTERNAL_LINKS)
    assert s.flagged and s.details["hosts"] == ("www.cheap-deals.com",)
    assert not signal(
        zh(ZH_GOOD + "详情见 https://help.yunque.com/refund 。"), SignalCode.EXTERNAL_LINKS
    ).flagged
    assert signal(en(EN_GOOD + " See http://bit.ly/x"), SignalCode.EXTERNAL_LINKS).flagged
    assert not signal(en(EN_GOOD + " See shoplark.com/help"), SignalCode.EXTERNAL_LINKS).flagged


@pytest.mark.parametrize(
    "make,text",
    [
        (
            en,
            "As an AI language model, I cannot see your order, but refunds generally take "
            "some time to arrive.",
        ),
        (zh, "作为一个人工智能语言模型，我无法访问您的订单信息，建议您联系客服人员获取帮助。"),
        (
            en,
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
            "incididunt.",
        ),
        (en, " ".join(["Thank you for your question."] * 8)),
        (zh, "你好" * 15),
        (en, "asdfghjkl qwertyuiop zxcvbnm sdfsdf ghjkghjk lkjhgf"),
        (
            en,
            "Dear [Customer Name], thank you for contacting us about your refund, we "
            "appreciate it.",
        ),
    ],
)
def test_machine_filler(make, text):
    assert signal(make(text), SignalCode.MACHINE_FILLER).flagged


def test_long_normal_answer_is_not_filler():
    assert not signal(en(" ".join([EN_GOOD, KB_EN])), SignalCode.MACHINE_FILLER).flagged
    assert not signal(zh(ZH_GOOD + KB_ZH), SignalCode.MACHINE_FILLER).flagged


def test_promotional():
    assert signal(zh("加我微信 xy88866 领取优惠券，全网最低价。"), SignalCode.PROMOTIONAL).flagged
    assert signal(
        en("Buy now! Limited time offer, use promo code SAVE50."), SignalCode.PROMOTIONAL
    ).flagged
    assert signal(
        en("Get it half the price at www.fixmyphone-now.com"), SignalCode.PROMOTIONAL
    ).flagged
    coupon = (
        "满减门槛按券适用商品的金额计算，特价商品不参加，"
        "您可以在我的优惠券里查看这张优惠券的适用范围。"
    )
    assert not signal(zh(coupon), SignalCode.PROMOTIONAL).flagged


def test_rude():
    assert signal(en("What a stupid question. " + EN_GOOD), SignalCode.RUDE).flagged
    assert signal(zh("白痴，" + ZH_GOOD), SignalCode.RUDE).flagged
    assert signal(zh(ZH_GOOD + "别再来烦我了，这都不会"), SignalCode.RUDE).flagged
    assert not signal(en(EN_GOOD), SignalCode.RUDE).flagged
    assert not signal(zh("请向下滚动页面，在底部找到退款进度。" + ZH_GOOD), SignalCode.RUDE).flagged
    assert not signal(
        en("Tap Skip to continue, it classes the order as shipped."), SignalCode.RUDE
    ).flagged


# Ordinary Chinese and English wording that contains a rude entry as a substring.
POLITE_LOOKALIKES_ZH = [
    "水烧到滚开后再冲泡，奶粉更容易化开。",
    "其他妈妈们也反映过这个问题，我们已经登记了。",
    "这款洁面仪可以去死皮，每周用两次就够了。",
    "扫地机的废物盒满了会提示，倒掉后重新装好即可。",
    "包装盒可以废物利用，也可以交给快递员回收。",
    "我妈妈的手机也是这个型号，升级后就好了。",
    "如果您有病历或者诊断证明，可以申请延长保修。",
    "清洁时注意屋角的去死角刷头，能刷到缝隙。",
    "第二货架上的商品今天全部打折。",
    "页面往下拉就能看到，有问题随时可以麻烦我们。",
    "您可以自己查询物流进度，也可以把订单号发给我。",
    "您可以自己看一下订单详情里的发货时间。",
    "这个故障并不是弱智能模式引起的，关掉省电模式即可。",
    "这都不会影响保修，请放心使用。",
]
POLITE_LOOKALIKES_EN = [
    "This is a simple dumb phone, so it has no app store.",
    "We'll deal with it for you today; no need to send the phone in.",
    "To stop wasting battery, turn off background refresh.",
    "Damn, that sounds frustrating. Let's get it sorted: restart the router first.",
]


@pytest.mark.parametrize("text", POLITE_LOOKALIKES_ZH)
def test_ordinary_chinese_words_are_not_rude(text):
    rude = signal(zh(text + ZH_GOOD), SignalCode.RUDE)
    assert not rude.flagged, rude.details
    assert rude.score >= 0.75


@pytest.mark.parametrize("text", POLITE_LOOKALIKES_EN)
def test_ordinary_english_wording_is_not_rude(text):
    assert not signal(en(text + " " + EN_GOOD), SignalCode.RUDE).flagged


def test_one_mild_word_does_not_flag_but_two_do_and_one_insult_does():
    one_mild = signal(zh(ZH_GOOD + "真是无语。"), SignalCode.RUDE)
    assert not one_mild.flagged and one_mild.score == 0.75
    two_mild = signal(zh("无语，懒得说了。" + ZH_GOOD), SignalCode.RUDE)
    assert two_mild.flagged and two_mild.score == 0.5
    insult = signal(zh("白痴，" + ZH_GOOD), SignalCode.RUDE)
    assert insult.flagged and insult.score == 0.5
    damn = signal(en("Damn. " + EN_GOOD), SignalCode.RUDE)
    assert not damn.flagged
    assert signal(en("Damn, I have better things to do. " + EN_GOOD), SignalCode.RUDE).flagged


def test_automatic_score_hard_flags_cap_the_score():
    clean = run_checks(en(EN_GOOD))
    with_pii = run_checks(en(EN_GOOD + " Call me at (415) 555-2671."))
    assert automatic_score(clean) > 0.8
    assert automatic_score(with_pii) <= HARD_CAP
    # The cap holds even when a deployment softens the weight of a hard signal.
    soft = {**DEFAULT_WEIGHTS, SignalCode.PERSONAL_DATA: 0.3}
    assert automatic_score(with_pii, soft) == HARD_CAP
    assert automatic_score(clean, soft) == automatic_score(clean)
    assert automatic_score(()) == 1.0


def test_automatic_score_formula():
    a = Signal(SignalCode.RUDE, 0.5, True, "r", "r")
    b = Signal(SignalCode.OFF_TOPIC, 0.0, True, "o", "o")
    expected = (1 - DEFAULT_WEIGHTS[SignalCode.RUDE] * 0.5) * (
        1 - DEFAULT_WEIGHTS[SignalCode.OFF_TOPIC]
    )
    assert automatic_score([a, b]) == pytest.approx(expected)
    with pytest.raises(ValueError):
        automatic_score([a], {SignalCode.RUDE: 2.0})


def test_thresholds_are_configurable():
    ctx = en(EN_GOOD, thresholds=CheckThresholds(off_topic=0.99))
    assert signal(ctx, SignalCode.OFF_TOPIC).flagged


@pytest.mark.parametrize(
    "kwargs",
    [
        {"question_language": " "},
        {"min_length": -1},
        {"min_length": True},
        {"banned_terms": "WhatsApp"},
        {"knowledge_base": (1, 2)},
        {"phone_region": "USA"},
        {"answer": None},
        {"thresholds": {"off_topic": 0.1}},
        {"phone_region": 86},
    ],
)
def test_invalid_context_raises_value_error(kwargs):
    base = {"question_subject": "s", "question_body": "b", "question_language": "en", "answer": "a"}
    with pytest.raises(ValueError):
        AnswerContext(**{**base, **kwargs})


def test_lists_are_accepted_and_frozen_to_tuples():
    ctx = AnswerContext("s", "b", "en", "a", banned_terms=["x"])
    assert ctx.banned_terms == ("x",)


def test_signal_rejects_out_of_range_scores_and_freezes_details():
    with pytest.raises(ValueError):
        Signal(SignalCode.RUDE, 1.5, False, "r", "r")
    with pytest.raises(ValueError):
        Signal(SignalCode.RUDE, float("nan"), False, "r", "r")
    s = Signal(SignalCode.RUDE, 1, False, "r", "r", {"a": 1})
    with pytest.raises(TypeError):
        s.details["a"] = 2  # type: ignore[index]
    assert hash(s) == hash(Signal(SignalCode.RUDE, 1, False, "r", "r", {"b": 2}))
