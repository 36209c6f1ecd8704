"""Text normalisation, script detection and language-aware tokenisation for answer analysis."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Every check looks at no more than this many characters, so a 1 MB answer costs the same as a
# 50 kB one; all scans below are linear in the capped length.
MAX_ANALYSED_CHARS = 50_000
# Raw input is cut before normalisation; HTML tags and entities shrink text, so keep some slack.
_RAW_CAP = 4 * MAX_ANALYSED_CHARS

_INVISIBLE = [
    0x00AD,
    0x034F,
    0x061C,
    0x115F,
    0x1160,
    0x180E,
    0x3164,
    0xFEFF,
    0xFFA0,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
]
_CONTROL = [c for c in range(0x20) if c not in (0x09, 0x0A)] + list(range(0x7F, 0xA0))
# Lone surrogates cannot be encoded as UTF-8 and carry no text.
_SURROGATES = list(range(0xD800, 0xE000))
_TRANSLATE = {c: None for c in _INVISIBLE + _SURROGATES} | {c: " " for c in _CONTROL}

# Bounded tag length keeps the regex linear even on "<<<<<" floods.
_TAG_RE = re.compile(r"<[^<>]{0,500}>")
_SPACE_RE = re.compile(r"[ \t\r\f\v]+")
_NEWLINES_RE = re.compile(r"\n{3,}")

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f"
KANA = "\u3040-\u30ff\u31f0-\u31ff"
HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_SCRIPT_RES = {
    "han": re.compile(f"[{HAN}]"),
    "kana": re.compile(f"[{KANA}]"),
    "hangul": re.compile(f"[{HANGUL}]"),
    "latin": re.compile(f"[{LATIN}]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "arabic": re.compile("[\u0600-\u06ff]"),
    "greek": re.compile("[\u0370-\u03ff]"),
    "thai": re.compile("[\u0e00-\u0e7f]"),
    "devanagari": re.compile("[\u0900-\u097f]"),
    "hebrew": re.compile("[\u0590-\u05ff]"),
}
# A Latin word carries roughly as much meaning as one or two Han characters, but takes 5-6
# letters, so each alphabetic letter is worth 0.3 of a Han, kana or Hangul character.
_SCRIPT_WEIGHT = {"han": 1.0, "kana": 1.0, "hangul": 1.0}
_ALPHABET_WEIGHT = 0.3

_LANGUAGE_SCRIPTS = {
    "zh": ("han",),
    "ja": ("kana", "han"),
    "ko": ("hangul", "han"),
    "ru": ("cyrillic",),
    "uk": ("cyrillic",),
    "bg": ("cyrillic",),
    "ar": ("arabic",),
    "fa": ("arabic",),
    "el": ("greek",),
    "th": ("thai",),
    "hi": ("devanagari",),
    "he": ("hebrew",),
}
_LATIN_LANGUAGES = frozenset(
    "en fr de es it pt nl sv da no nb fi pl cs sk hu ro tr id ms vi tl sw ca hr sl et lv lt"  # noqa: SIM905
    " ga is latin".split()
)

_TOKEN_RE = re.compile(f"[{HAN}]+|[{KANA}]+|[{HANGUL}]+|[a-z0-9\u00c0-\u024f]+(?:'[a-z]+)?")
_CJK_RUN_RE = re.compile(f"[{HAN}{KANA}{HANGUL}]")

_EN_STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing don down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours hi hello dear thanks thank please sorry hope helps help let know can't don't it's i'm
    you're we're i'll you'll get got go ok okay yes sure also via per""".split()  # noqa: SIM905
)
# Han bigrams that appear in almost every customer-service exchange carry no topic.
_ZH_STOP_BIGRAMS = frozenset(
    """您好 你好 谢谢 感谢 可以 我们 您的 你的 一下 如果 然后 这个 那个 就是 没有
    的话 请您 麻烦 需要 已经 时候 什么 怎么 如何 问题 一个 是否 还是 或者 以及
    因为 所以 但是 不过 目前 现在 亲亲 希望 帮助 帮到 您可 您在 在您 了吗 的吗
    是的 好的 不是 也可 还可""".split()  # noqa: SIM905
)
# Function characters: a bigram touching one mostly straddles two words.
_ZH_STOP_CHARS = frozenset(
    "的了吗呢吧啊呀您你我他她它们是在和与就都也很把被这那个有要会能可请一不么怎什样"
    "还没给让对为从以及或而但如果"
)


def normalize(text: str, max_chars: int = MAX_ANALYSED_CHARS) -> str:
    """Return NFKC text without tags, entities, invisible characters or runs of blanks, capped."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    text = text[:_RAW_CAP]
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    # NFKC can expand a character up to 18-fold (U+FDFA), so cut again before further passes.
    text = unicodedata.normalize("NFKC", text)[:_RAW_CAP].translate(_TRANSLATE)
    text = _SPACE_RE.sub(" ", text)
    text = _NEWLINES_RE.sub("\n\n", text)
    return text.strip()[:max_chars]


def fold(text: str) -> str:
    """Return normalised, case-folded text for matching."""
    return normalize(text).casefold()


@dataclass(frozen=True)
class ScriptProfile:
    """Weighted amount of each writing system in a text (alphabet letters count 0.3 each)."""

    weights: tuple[tuple[str, float], ...]

    @property
    def total(self) -> float:
        """Sum of all script weights."""
        return sum(w for _, w in self.weights)

    def share(self, scripts: Iterable[str]) -> float:
        """Fraction of the total weight written in the given scripts (0 when the text is empty)."""
        wanted = set(scripts)
        total = self.total
        if total <= 0:
            return 0.0
        return sum(w for s, w in self.weights if s in wanted) / total

    def dominant(self) -> str | None:
        """Script with the largest weight, or None when the text has no letters."""
        if not self.weights:
            return None
        return max(self.weights, key=lambda sw: (sw[1], sw[0]))[0]


def script_profile(text: str) -> ScriptProfile:
    """Count letters per script: weight = count (Han, kana, Hangul) or 0.3 x count (alphabets)."""
    weights = []
    for name, regex in _SCRIPT_RES.items():
        count = sum(1 for _ in regex.finditer(text))
        if count:
            weights.append((name, count * _SCRIPT_WEIGHT.get(name, _ALPHABET_WEIGHT)))
    return ScriptProfile(tuple(weights))


def language_scripts(language: str) -> tuple[str, ...] | None:
    """Scripts that a language code ("en", "zh-CN", "ja") is written in; None if unknown."""
    base = language.strip().lower().replace("_", "-").split("-")[0]
    if base in _LANGUAGE_SCRIPTS:
        return _LANGUAGE_SCRIPTS[base]
    if base in _LATIN_LANGUAGES:
        return ("latin",)
    return None


def detect_language(text: str) -> str:
    """Guess a language code from scripts: kana -> ja, Hangul -> ko, Han -> zh, Latin -> en.

    Returns "und" when the text has no letters. Latin-script text is reported as "en"; telling
    English from other Latin-script languages is out of scope.
    """
    profile = script_profile(text)
    dominant = profile.dominant()
    if dominant is None:
        return "und"
    cjk = profile.share(("han", "kana", "hangul"))
    if cjk >= 0.5:
        if profile.share(("kana",)) >= 0.1 * cjk:
            return "ja"
        if profile.share(("hangul",)) >= 0.1 * cjk:
            return "ko"
        return "zh"
    names = {"latin": "en", "cyrillic": "ru", "arabic": "ar", "greek": "el", "thai": "th"}
    names |= {"devanagari": "hi", "hebrew": "he", "han": "zh", "kana": "ja", "hangul": "ko"}
    return names[dominant]


def effective_length(text: str) -> int:
    """Length in Latin-equivalent characters: non-blank characters, Han/kana/Hangul counting 3."""
    non_blank = len(text) - sum(1 for ch in text if ch.isspace())
    cjk = sum(1 for _ in _CJK_RUN_RE.finditer(text))
    return non_blank + 2 * cjk


def _stem(word: str) -> str:
    """Strip common English inflections so "refunds", "refunded" and "refunding" match."""
    for suffix, keep in (("ies", 4), ("ing", 5), ("ed", 4), ("es", 4), ("s", 3)):
        if len(word) > keep and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def _cjk_tokens(run: str) -> list[str]:
    """Characters and bigrams of a Han/kana/Hangul run, without function characters.

    Unigrams let related texts that word things differently still meet; bigrams reward shared
    words. Bigrams touching a function character mostly straddle two words, so they are noise.
    """
    chars = [ch for ch in run if ch not in _ZH_STOP_CHARS]
    bigrams = [
        b
        for i in range(len(run) - 1)
        if (b := run[i : i + 2]) not in _ZH_STOP_BIGRAMS
        and b[0] not in _ZH_STOP_CHARS
        and b[1] not in _ZH_STOP_CHARS
    ]
    return chars + bigrams


def tokens(text: str) -> list[str]:
    """Content tokens: characters and bigrams for Han/kana/Hangul runs, stemmed words otherwise.

    Stop words, function characters and greeting bigrams are dropped. Input should be normalised.
    """
    out: list[str] = []
    for match in _TOKEN_RE.finditer(text.casefold()):
        run = match.group()
        if _CJK_RUN_RE.match(run):
            out.extend(_cjk_tokens(run))
        elif run not in _EN_STOPWORDS and not (len(run) == 1 and run.isalpha()):
            out.append(_stem(run))
    return out


def char_shingles(text: str, k: int = 4) -> set[str]:
    """Set of k-character shingles of the case-folded text with blanks and punctuation removed."""
    compact = "".join(ch for ch in text.casefold() if ch.isalnum())
    if len(compact) <= k:
        return {compact} if compact else set()
    return {compact[i : i + k] for i in range(len(compact) - k + 1)}


def ochiai(a: set[str], b: set[str]) -> float:
    """Cosine similarity of two sets: |A & B| / sqrt(|A| |B|), 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def containment(part: set[str], whole: set[str]) -> float:
    """Share of `part` found in `whole`: |P & W| / |P|, 0 when `part` is empty."""
    if not part:
        return 0.0
    return len(part & whole) / len(part)


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity |A & B| / |A | B|, 0 when both are empty."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0
