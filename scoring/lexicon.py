"""Word lists and phrase matching for the rude, machine_filler and promotional checks.

The lists are deliberately small and documented here so moderators can see why something was
flagged. Latin entries are regular expressions matched on whole words of case-folded text; Han
entries are matched as substrings of the text with blanks removed (so "傻 逼" still matches),
except inside the ordinary words listed for them in HAN_EXCLUSIONS ("水烧到滚开" is boiling
water, "其他妈妈" other mothers, "去死皮" exfoliating, "废物盒" a waste box).

Rude weights: 1.0 is an insult or a dismissal that is rude on its own; 0.5 is a word that is
rude only in company ("damn", "无语", "自己查"), so one such word never flags: the rude check
flags at a summed weight of 1.0 (CheckThresholds.rude). Promotional weights work the same way
against their own threshold (0.8): 1.0 alone, 0.3 needs company.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scoring.text import HAN

# Insults and unambiguous dismissals (1.0); words that are rude only together (0.5).
RUDE_EN: tuple[tuple[str, float], ...] = (
    (r"idiot(?:s|ic)?", 1.0),
    (r"stupid(?:ity)?", 1.0),
    (r"morons?", 1.0),
    (r"dumb(?:ass)?(?! ?phones?)", 1.0),  # a "dumb phone" is a feature phone
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
    (r"rtfm", 1.0),
    (r"not my problem", 1.0),
    (r"google it", 1.0),
    (r"use your (?:brain|head|eyes)", 1.0),
    (r"can'?t you read", 1.0),
    (r"learn (?:how )?to read", 1.0),
    (r"are you blind", 1.0),
    (r"stop (?:whining|complaining)", 1.0),
    (r"stop wasting (?:my|our) time", 1.0),
    (r"waste of (?:my|our) time", 1.0),
    (r"what(?:'s| is) wrong with you", 1.0),
    (r"people like you (?:are|always|never|should)", 1.0),
    (r"(?:i'?m|i am) not your (?:babysitter|mother|mom|servant|slave)", 1.0),
    (r"maybe (?:\w+ ){0,2}(?:just )?(?:isn'?t|aren'?t) for you", 1.0),
    (r"crap", 0.5),
    (r"damn", 0.5),
    (r"deal with it", 0.5),  # "we'll deal with it" is service, "deal with it." is not
    (r"figure (?:it|that|this) out (?:yourself|on your own)", 0.5),
    (r"how hard (?:is it|can it be)", 0.5),
    (r"obviously you (?:didn'?t|did not|can'?t)", 0.5),
    (r"(?:read|rtfm)(?: the)? (?:fucking )?manual", 0.5),
    (r"(?:it'?s )?not rocket science", 0.5),
    (r"are you kidding me", 0.5),
    (r"(?:spell|explain) it (?:out )?(?:twice|again)", 0.5),
    (r"(?:got|have) better things to do", 0.5),
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
    "关我什么事",
    "爱买不买",
    "别烦我",
    "烦我",
    "你瞎",
    "看不懂吗",
    "听不懂吗",
    "这都不会？",
    "这都不会吗",
    "这都不懂",
    "不会看说明",
    "自己百度去",
    "烦死了",
    "有没有脑子",
    "没长眼",
    "浪费我时间",
    "说了多少遍",
    "脑子呢",
    "没脑子",
    "笨死",
    "服了你",
    "懒得跟你",
    "我真是无语",
)
_RUDE_ZH_MILD = (
    "自己看",
    "自己查",
    "不会自己",
    "自己不会",
    "自己百度",
    "懒得",
    "无语",
    "这都不会",
    "问这种问题",
    "也要问",
    "也要来问",
)
RUDE_ZH: tuple[tuple[str, float], ...] = tuple((t, 1.0) for t in _RUDE_ZH_STRONG) + tuple(
    (t, 0.5) for t in _RUDE_ZH_MILD
)
# Ordinary words that contain a rude entry; a hit inside one of them is not counted.
HAN_EXCLUSIONS: Mapping[str, tuple[str, ...]] = {
    "滚开": ("水滚开", "烧滚开", "煮滚开", "到滚开", "至滚开", "已滚开", "滚开水", "滚开后"),
    "他妈": ("其他妈", "他妈妈"),
    "妈的": (
        "妈妈的",
        "爸妈的",
        "姨妈的",
        "舅妈的",
        "姑妈的",
        "大妈的",
        "我妈的",
        "老妈的",
        "宝妈的",
    ),
    "去死": ("去死皮", "去死角", "去死茧", "去死细胞", "除去死", "去死机"),
    "废物": (
        "废物盒",
        "废物箱",
        "废物桶",
        "废物袋",
        "废物利用",
        "废物回收",
        "废物处理",
        "废物分类",
        "固体废物",
        "生活废物",
        "有害废物",
        "医疗废物",
        "电子废物",
    ),
    "你有病": ("你有病历", "你有病史", "你有病例", "你有病假"),
    "神经病": ("神经病学", "神经病科", "神经病医"),
    "尼玛": ("尼玛县",),
    "二货": ("第二货", "二货架", "二货柜"),
    "弱智": ("弱智能",),
    "混蛋": ("混蛋液", "混蛋白"),
    "给我滚": ("给我滚动",),
    "智障": ("智障人士", "智障儿童"),
    "你是猪": ("你是猪肉",),
    "烦我": ("麻烦我",),
    "自己查": ("自己查询", "自己查看", "自己查阅"),
    "自己看": ("自己看一下", "自己看看", "自己看到"),
}

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

    def __init__(
        self,
        latin: Sequence[tuple[str, float]],
        han: Sequence[tuple[str, float]] = (),
        han_exclusions: Mapping[str, Iterable[str]] | None = None,
    ):
        """Compile the fragments into a single alternation each for Latin and Han text."""
        self._latin_weights = [w for _, w in latin]
        # Terms are normalised like the text (NFKC: full-width "？" becomes "?").
        self._han_weights = {_fold(t): w for t, w in han}
        self._latin = _compile_words([p for p, _ in latin])
        han_terms = sorted(self._han_weights, key=len, reverse=True)
        # A look-ahead alternation finds overlapping hits: in "自己不会看说明" both the mild
        # "自己不会" and the strong "不会看说明" count.
        alternation = "|".join(map(re.escape, han_terms))
        self._han = re.compile(f"(?=({alternation}))") if han_terms else None
        # term -> (offset of the term inside the compound, compound)
        self._exclusions = {
            _fold(term): tuple(
                (_fold(c).index(_fold(term)), _fold(c)) for c in compounds if term in c
            )
            for term, compounds in (han_exclusions or {}).items()
        }

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
                PhraseHit(m.group(1), self._han_weights[m.group(1)])
                for m in self._han.finditer(compact)
                if not self._excluded(compact, m.group(1), m.start())
            )
        return tuple(hits)

    def _excluded(self, text: str, term: str, at: int) -> bool:
        """True when the hit at `at` is part of one of the term's ordinary compounds."""
        return any(
            text.startswith(compound, at - offset)
            for offset, compound in self._exclusions.get(term, ())
            if at >= offset
        )


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


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


RUDE = PhraseMatcher(RUDE_EN, RUDE_ZH, HAN_EXCLUSIONS)
FILLER = PhraseMatcher(FILLER_EN, FILLER_ZH)
PROMO = PhraseMatcher(PROMO_EN, PROMO_ZH)
