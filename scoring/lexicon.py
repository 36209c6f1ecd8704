"""Word lists and phrase matching for the rude, machine_filler and promotional checks.

The lists are deliberately small and documented here so moderators can see why something was
flagged. Latin entries are regular expressions matched on whole words of case-folded text; Han
entries are matched as substrings of the text with blanks removed (so "傻 逼" still matches).
Each entry has a weight: 1.0 is enough on its own to flag, 0.5 needs a second hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scoring.text import HAN

# Insults and profanity (weight 1.0) and dismissive phrases (0.5) seen in support answers.
RUDE_EN: tuple[tuple[str, float], ...] = (
    (r"idiot(?:s|ic)?", 1.0),
    (r"stupid(?:ity)?", 1.0),
    (r"morons?", 1.0),
    (r"dumb(?:ass)?", 1.0),
    (r"shut up", 1.0),
    (r"stfu", 1.0),
    (r"f[u*@]ck(?:ing|ed|er|s)?", 1.0),
    (r"sh[i*!1]t(?:ty)?", 1.0),
    (r"bullshit", 1.0),
    (r"bitch(?:es)?", 1.0),
    (r"bastards?", 1.0),
    (r"assholes?", 1.0),
    (r"losers?", 1.0),
    (r"screw you", 1.0),
    (r"pathetic", 1.0),
    (r"clueless", 1.0),
    (r"wtf", 1.0),
    (r"crap", 0.5),
    (r"damn", 0.5),
    (r"not my problem", 0.5),
    (r"deal with it", 0.5),
    (r"google it", 0.5),
    (r"use your (?:brain|head|eyes)", 0.5),
    (r"can'?t you read", 0.5),
    (r"learn (?:how )?to read", 0.5),
    (r"are you blind", 0.5),
    (r"stop (?:whining|complaining)", 0.5),
    (r"figure it out yourself", 0.5),
    (r"how hard (?:is it|can it be)", 0.5),
    (r"obviously you (?:didn'?t|did not|can'?t)", 0.5),
    (r"(?:read|rtfm)(?: the)? (?:fucking )?manual", 0.5),
    (r"rtfm", 1.0),
    (r"waste of (?:my|our) time", 0.5),
    (r"what(?:'s| is) wrong with you", 0.5),
    (r"stop wasting", 0.5),
    (r"(?:it'?s )?not rocket science", 0.5),
    (r"people like you", 0.5),
)
_RUDE_ZH_STRONG = (
    "傻逼",
    "傻b",
    "煞笔",
    "白痴",
    "笨蛋",
    "蠢货",
    "蠢猪",
    "脑残",
    "废物",
    "去死",
    "滚蛋",
    "滚开",
    "给我滚",
    "神经病",
    "有病吧",
    "你有病",
    "智障",
    "妈的",
    "他妈",
    "特么",
    "尼玛",
    "操你",
    "你是猪",
    "猪脑子",
    "弱智",
    "二货",
    "混蛋",
    "王八蛋",
    "闭嘴",
    "犯贱",
)
_RUDE_ZH_MILD = (
    "自己看",
    "自己查",
    "不会自己",
    "关我什么事",
    "爱买不买",
    "别烦我",
    "你瞎",
    "看不懂吗",
    "这都不会",
    "烦死了",
    "懒得",
    "自己百度",
    "有没有脑子",
    "没长眼",
    "问这种问题",
    "浪费我时间",
    "听不懂吗",
    "说了多少遍",
    "烦我",
    "脑子呢",
    "没脑子",
    "笨死",
    "无语",
    "服了你",
    "自己不会",
)
RUDE_ZH: tuple[tuple[str, float], ...] = tuple((t, 1.0) for t in _RUDE_ZH_STRONG) + tuple(
    (t, 0.5) for t in _RUDE_ZH_MILD
)

# Text that a language model or a template produced rather than a person (weight 1.0).
FILLER_EN: tuple[tuple[str, float], ...] = (
    (r"as an ai(?: language model| assistant| model)?", 1.0),
    (r"as a (?:large )?language model", 1.0),
    (r"i(?: am|'m) (?:just )?an ai", 1.0),
    (r"my (?:last )?knowledge cut-?off", 1.0),
    (r"i (?:do not|don'?t) have access to real-?time", 1.0),
    (r"i (?:cannot|can'?t) browse the internet", 1.0),
    (r"regenerate response", 1.0),
    (r"lorem ipsum", 1.0),
    (r"dolor sit amet", 1.0),
    (r"consectetur adipiscing", 1.0),
    (r"\[(?:your|customer|insert|company|product) ?[a-z ]{0,20}\]", 1.0),
    (r"\{\{ ?[a-z_]{1,30} ?\}\}", 1.0),
    (r"certainly! here(?:'s| is)", 0.5),
    (r"sure! here(?:'s| is) (?:a|an|the) (?:response|answer|reply)", 1.0),
)
_FILLER_ZH = (
    "作为一个人工智能",
    "作为人工智能",
    "作为一个ai",
    "作为ai",
    "作为一个语言模型",
    "作为语言模型",
    "作为ai语言模型",
    "我是一个ai",
    "我是一个人工智能",
    "我只是一个ai",
    "截至我的知识",
    "我的知识截止",
    "我无法访问实时",
    "无法浏览互联网",
    "【客户姓名】",
    "【公司名称】",
    "[客户姓名]",
    "[公司名称]",
    "阿斯顿发",
    "啊实打实",
    "撒旦法",
    "阿萨德发",
)
FILLER_ZH: tuple[tuple[str, float], ...] = tuple((t, 1.0) for t in _FILLER_ZH)

# Advertising and off-platform solicitation (1.0 alone; 0.3 needs company). Support answers
# legitimately mention coupons, prices and offers, so such words only count together.
PROMO_EN: tuple[tuple[str, float], ...] = (
    (r"buy now", 0.3),
    (r"order now", 0.3),
    (r"limited[- ]time (?:offer|deal)", 0.3),
    (r"(?:discount|promo) code", 0.3),
    (r"click (?:here|the link|this link)", 0.3),
    (r"best price", 0.3),
    (r"lowest price", 0.3),
    (r"cheapest", 0.3),
    (r"free gift", 0.3),
    (r"\d{1,2} ?% off", 0.3),
    (r"(?:dm|message|text|add) me on (?:whatsapp|telegram|wechat|instagram|line)", 1.0),
    (r"dm me", 1.0),
    (r"earn (?:\$?\d+ )?(?:money|cash)", 1.0),
    (r"work from home", 1.0),
    (r"make money", 1.0),
    (r"(?:visit|check out) my (?:shop|store|site|website|channel|page)", 1.0),
    (r"follow me on", 1.0),
    (r"subscribe to my", 1.0),
    (r"crypto", 0.3),
    (r"casino", 1.0),
    (r"half (?:the )?price", 0.3),
    (r"(?:way |much |\d{1,2} ?% )cheaper", 0.3),
    (r"free forever", 0.3),
    (r"(?:all )?(?:premium |vip |pro )?features unlocked", 0.3),
    (r"100 ?% (?:free|works|working|guaranteed)", 0.3),
)
_PROMO_ZH_STRONG = (
    "加微信",
    "加我微信",
    "加v",
    "加vx",
    "私聊我",
    "私信我",
    "代购",
    "刷单",
    "日赚",
    "日入",
    "兼职",
    "微商",
    "进群",
    "全网最低",
    "关注我的",
    "我的店铺",
    "淘宝店",
)
_PROMO_ZH_WEAK = (
    "优惠券",
    "返现",
    "低价",
    "最低价",
    "限时",
    "特价",
    "秒杀",
    "免费领取",
    "点击链接",
    "扫码",
    "折扣码",
    "代理",
    "便宜一半",
    "比官网便宜",
    "永久免费",
    "名额有限",
    "先到先得",
)
PROMO_ZH: tuple[tuple[str, float], ...] = tuple((t, 1.0) for t in _PROMO_ZH_STRONG) + tuple(
    (t, 0.3) for t in _PROMO_ZH_WEAK
)


@dataclass(frozen=True)
class PhraseHit:
    """One matched lexicon entry: the matched text and its weight."""

    text: str
    weight: float


class PhraseMatcher:
    """Matches a weighted list of Latin regex fragments and Han substrings in one linear pass."""

    def __init__(self, latin: Sequence[tuple[str, float]], han: Sequence[tuple[str, float]] = ()):
        """Compile the fragments into a single alternation each for Latin and Han text."""
        self._latin_weights = [w for _, w in latin]
        self._han_weights = {t.casefold(): w for t, w in han}
        self._latin = _compile_words([p for p, _ in latin])
        han_terms = sorted(self._han_weights, key=len, reverse=True)
        self._han = re.compile("|".join(map(re.escape, han_terms))) if han_terms else None

    def find(self, folded: str) -> tuple[PhraseHit, ...]:
        """All hits in case-folded text (Han entries are also matched with blanks removed)."""
        hits: list[PhraseHit] = []
        if self._latin is not None:
            for m in self._latin.finditer(folded):
                weight = self._latin_weights[m.lastindex - 1] if m.lastindex else 1.0
                hits.append(PhraseHit(m.group(), weight))
        if self._han is not None:
            compact = re.sub(r"\s+", "", folded)
            hits.extend(
                PhraseHit(m.group(), self._han_weights[m.group()])
                for m in self._han.finditer(compact)
            )
        return tuple(hits)


def _compile_words(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """One regex with a capture group per pattern, anchored on non-letter boundaries."""
    if not patterns:
        return None
    body = "|".join(f"({p})" for p in patterns)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


def term_matcher(terms: Iterable[str]) -> PhraseMatcher:
    """Matcher for plain banned terms: terms with Han characters are substrings, others words."""
    han_re = re.compile(f"[{HAN}]")
    latin: list[tuple[str, float]] = []
    han: list[tuple[str, float]] = []
    for term in terms:
        term = " ".join(term.casefold().split())
        if not term:
            continue
        if han_re.search(term):
            han.append((term.replace(" ", ""), 1.0))
        else:
            latin.append((re.escape(term).replace(r"\ ", r"\s+"), 1.0))
    return PhraseMatcher(latin, han)


RUDE = PhraseMatcher(RUDE_EN, RUDE_ZH)
FILLER = PhraseMatcher(FILLER_EN, FILLER_ZH)
PROMO = PhraseMatcher(PROMO_EN, PROMO_ZH)
