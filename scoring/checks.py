"""Automatic answer checks: run_checks(AnswerContext) -> Signals, and their combined score."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from scoring.filler import filler_strength
from scoring.lexicon import PROMO, RUDE, PhraseHit, term_matcher
from scoring.links import foreign_hosts
from scoring.pii import find_pii
from scoring.signals import AnswerContext, Signal, SignalCode
from scoring.text import (
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

# How much a fully failed signal pulls the automatic score down (see automatic_score).
DEFAULT_WEIGHTS: Mapping[SignalCode, float] = MappingProxyType(
    {
        SignalCode.TOO_SHORT: 0.9,
        SignalCode.LANGUAGE_MISMATCH: 0.8,
        SignalCode.OFF_TOPIC: 0.7,
        SignalCode.COPIED: 1.0,
        SignalCode.PERSONAL_DATA: 1.0,
        SignalCode.BANNED_TERMS: 0.8,
        SignalCode.EXTERNAL_LINKS: 0.7,
        SignalCode.MACHINE_FILLER: 0.8,
        SignalCode.PROMOTIONAL: 0.7,
        SignalCode.RUDE: 0.9,
    }
)
HARD_CODES = frozenset({SignalCode.PERSONAL_DATA, SignalCode.COPIED})
HARD_CAP = 0.2

_KIND_ZH = {
    "phone": "电话号码",
    "email": "电子邮箱",
    "id_card": "身份证号",
    "bank_card": "银行卡号",
}


@dataclass(frozen=True)
class PreparedAnswer:
    """Normalised texts and token sets shared by the checks, computed once per answer."""

    answer: str
    folded: str
    answer_tokens: list[str]
    question_tokens: frozenset[str]


def prepare_answer(ctx: AnswerContext) -> PreparedAnswer:
    """Normalise the answer and tokenise answer and question once for all checks."""
    answer = normalize(ctx.answer)
    question = normalize(f"{ctx.question_subject}\n{ctx.question_body}")
    return PreparedAnswer(answer, answer.casefold(), tokens(answer), frozenset(tokens(question)))


def _signal(
    code: SignalCode, score: float, flagged: bool, en: str, zh: str, **details: object
) -> Signal:
    return Signal(code, min(1.0, max(0.0, score)), flagged, en, zh, details)


def check_length(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """too_short: score = min(1, L / min_length), L in Latin-equivalent characters (Han = 3)."""
    length = effective_length(p.answer)
    score = 1.0 if ctx.min_length == 0 else length / ctx.min_length
    details = {"length": length, "min_length": ctx.min_length, "empty": length == 0}
    if length == 0:
        return _signal(
            SignalCode.TOO_SHORT, 0.0, True, "The answer is empty.", "回答为空。", **details
        )
    if length < ctx.min_length:
        en = f"The answer is too short ({length} of at least {ctx.min_length} characters)."
        zh = f"回答过短（{length}，至少需要 {ctx.min_length} 个字符）。"
        return _signal(SignalCode.TOO_SHORT, score, True, en, zh, **details)
    return _signal(
        SignalCode.TOO_SHORT,
        score,
        False,
        "The answer is long enough.",
        "回答长度合适。",
        **details,
    )


def check_language(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """language_mismatch: score = min(1, s / (2 t)), s = weighted share of the question's script.

    Flagged when s < t (default 0.3). Latin letters weigh 0.3 of a Han character. A Chinese
    question answered in Japanese or Korean counts as s = 0. Answers with under 3 letter units
    or questions in an unknown language are not judged.
    """
    code, threshold = SignalCode.LANGUAGE_MISMATCH, ctx.thresholds.language_share
    expected = ctx.question_language.strip().lower().replace("_", "-").split("-")[0]
    scripts = language_scripts(ctx.question_language)
    profile = script_profile(p.answer)
    if scripts is None or profile.total < 3:
        return _signal(code, 1.0, False, "Language not judged.", "未判断语言。", checked=False)
    detected = detect_language(p.answer)
    share = 0.0 if expected == "zh" and detected in ("ja", "ko") else profile.share(scripts)
    details = {
        "checked": True,
        "expected": expected,
        "detected": detected,
        "share": round(share, 3),
    }
    score = share / (2 * threshold) if threshold > 0 else 1.0
    if share < threshold:
        en = f"The answer is not written in the question's language ({expected}; found {detected})."
        zh = f"回答所用语言与问题语言不一致（应为 {expected}，检测到 {detected}）。"
        return _signal(code, score, True, en, zh, **details)
    return _signal(
        code,
        score,
        False,
        "The answer is in the question's language.",
        "回答语言与问题一致。",
        **details,
    )


def topical_relatedness(question_tokens: Iterable[str], answer_tokens: Iterable[str]) -> float:
    """Relatedness r = max(cos(Q, A), c(Q in A) / 2) over content-token sets (see text.tokens)."""
    q, a = set(question_tokens), set(answer_tokens)
    return max(ochiai(q, a), containment(q, a) / 2)


def check_off_topic(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """off_topic: score = min(1, r / (2 t)) for relatedness r (topical_relatedness), flag if r < t.

    Questions with fewer than off_topic_min_tokens distinct content tokens are not judged (a
    two-word question shares too few words with any correct answer), nor are answers shorter
    than min_length, which too_short already flags.
    """
    code, threshold = SignalCode.OFF_TOPIC, ctx.thresholds.off_topic
    too_few = len(p.question_tokens) < ctx.thresholds.off_topic_min_tokens
    if too_few or not p.answer_tokens or effective_length(p.answer) < ctx.min_length:
        details = {"checked": False, "question_tokens": len(p.question_tokens)}
        return _signal(code, 1.0, False, "Topic not judged.", "未判断是否切题。", **details)
    related = topical_relatedness(p.question_tokens, p.answer_tokens)
    shared = sorted(p.question_tokens & set(p.answer_tokens))[:10]
    details = {"checked": True, "relatedness": round(related, 3), "shared_terms": tuple(shared)}
    score = related / (2 * threshold) if threshold > 0 else 1.0
    if related < threshold:
        en = "The answer barely relates to the question."
        return _signal(code, score, True, en, "回答与问题关联度很低，可能答非所问。", **details)
    return _signal(
        code, score, False, "The answer relates to the question.", "回答与问题相关。", **details
    )


def _best_source(answer: set[str], ctx: AnswerContext) -> tuple[float, str, int]:
    best = (0.0, "", -1)
    sources = [("knowledge_base", ctx.knowledge_base), ("other_answer", ctx.other_answers)]
    for kind, texts in sources:
        for index, text in enumerate(texts):
            source = char_shingles(normalize(text))
            similarity = max(jaccard(answer, source), containment(answer, source))
            if similarity > best[0]:
                best = (similarity, kind, index)
    return best


def check_copied(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """copied: s = max over sources of max(Jaccard(A, S), |A & S| / |A|) on 4-character shingles.

    score = clamp(2 (t - s) / t): 1 up to half the threshold t (default 0.6), where paraphrases
    of the same article sit, falling to 0 at t. Flagged when s >= t and the answer has at
    least copied_min_shingles shingles (short stock phrases are not copies). Reports the source.
    """
    code, threshold = SignalCode.COPIED, ctx.thresholds.copied
    shingles = char_shingles(p.answer)
    similarity, kind, index = _best_source(shingles, ctx)
    details = {"similarity": round(similarity, 3), "source": kind or None, "source_index": index}
    long_enough = len(shingles) >= ctx.thresholds.copied_min_shingles
    score = 2.0 * (threshold - similarity) / threshold if threshold > 0 else 1.0
    if long_enough and similarity >= threshold:
        where_en = "a knowledge-base article" if kind == "knowledge_base" else "another answer"
        where_zh = "知识库文章" if kind == "knowledge_base" else "其他回答"
        en = f"The answer is a near copy of {where_en} (#{index}, similarity {similarity:.0%})."
        zh = f"回答与{where_zh}（#{index}）高度相似（相似度 {similarity:.0%}）。"
        return _signal(code, score, True, en, zh, **details)
    return _signal(code, score, False, "The answer is original.", "回答为原创内容。", **details)


def check_personal_data(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """personal_data: score 0 if a phone, e-mail, Chinese ID or bank card number shows, else 1."""
    region = ctx.phone_region or ("CN" if ctx.question_language.lower().startswith("zh") else "US")
    found = find_pii(p.answer, region.upper())
    if not found:
        return _signal(
            SignalCode.PERSONAL_DATA, 1.0, False, "No personal data found.", "未发现个人信息。"
        )
    kinds = Counter(m.kind for m in found)
    names = sorted(kinds)
    en = "The answer contains personal data: " + ", ".join(k.replace("_", " ") for k in names) + "."
    zh = "回答包含个人信息：" + "、".join(_KIND_ZH[k] for k in names) + "。"
    masked = tuple(m.masked for m in found[:10])
    return _signal(SignalCode.PERSONAL_DATA, 0.0, True, en, zh, kinds=dict(kinds), masked=masked)


def check_banned_terms(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """banned_terms: score = max(0, 1 - 0.5 n) for n distinct banned terms found; flag if n > 0."""
    hits = (
        sorted({h.text for h in term_matcher(ctx.banned_terms).find(p.folded)})
        if ctx.banned_terms
        else []
    )
    if not hits:
        return _signal(SignalCode.BANNED_TERMS, 1.0, False, "No banned terms.", "未发现违禁词。")
    en = f"The answer uses {len(hits)} banned term(s): " + ", ".join(hits) + "."
    zh = f"回答包含 {len(hits)} 个违禁词：" + "、".join(hits) + "。"
    return _signal(SignalCode.BANNED_TERMS, 1.0 - 0.5 * len(hits), True, en, zh, terms=tuple(hits))


def check_external_links(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """external_links: score = max(0, 1 - 0.6 n) for n distinct hosts outside allowed domains."""
    hosts = foreign_hosts(p.answer, ctx.allowed_domains)
    if not hosts:
        return _signal(
            SignalCode.EXTERNAL_LINKS, 1.0, False, "No external links.", "未发现外部链接。"
        )
    en = "The answer links to sites outside the allowed domains: " + ", ".join(hosts) + "."
    zh = "回答包含非允许域名的链接：" + "、".join(hosts) + "。"
    return _signal(SignalCode.EXTERNAL_LINKS, 1.0 - 0.6 * len(hosts), True, en, zh, hosts=hosts)


def check_machine_filler(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """machine_filler: score = 1 - strength (see filler.filler_strength); flag if strength >= t."""
    m = filler_strength(p.folded, p.answer_tokens)
    details = {
        "strength": round(m.strength, 3),
        "phrases": m.phrases,
        "compression_ratio": None if m.compression_ratio is None else round(m.compression_ratio, 3),
        "distinct_token_ratio": None
        if m.distinct_token_ratio is None
        else round(m.distinct_token_ratio, 3),
        "char_run": m.char_run,
        "mash_words": m.mash_words,
        "repeated_share": round(m.repeated_share, 3),
    }
    if m.strength >= ctx.thresholds.machine_filler:
        en = "The answer looks machine-generated, templated or repetitive."
        zh = "回答疑似机器生成、模板填充或大量重复。"
        return _signal(SignalCode.MACHINE_FILLER, 1.0 - m.strength, True, en, zh, **details)
    return _signal(
        SignalCode.MACHINE_FILLER,
        1.0 - m.strength,
        False,
        "No filler found.",
        "未发现灌水内容。",
        **details,
    )


def _distinct_weight(hits: Iterable[PhraseHit]) -> tuple[float, tuple[str, ...]]:
    """Summed weight of distinct matched phrases (a word repeated five times counts once)."""
    seen: dict[str, float] = {}
    for hit in hits:
        seen.setdefault(hit.text, hit.weight)
    return sum(seen.values()), tuple(seen)[:10]


def check_promotional(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """promotional: score = max(0, 1 - w), w = distinct advert-phrase weights; flag if w >= t.

    A link outside the allowed domains adds 0.5 to w: sales talk plus an outside link is an ad,
    while two sales words alone (a support answer about coupons) are not.
    """
    weight, phrases = _distinct_weight(PROMO.find(p.folded))
    if foreign_hosts(p.answer, ctx.allowed_domains):
        weight += 0.5
    details = {"weight": round(weight, 3), "phrases": phrases}
    if weight >= ctx.thresholds.promotional:
        en = "The answer advertises or asks the customer to move off the platform."
        return _signal(
            SignalCode.PROMOTIONAL,
            1.0 - weight,
            True,
            en,
            "回答包含广告或站外引流内容。",
            **details,
        )
    return _signal(
        SignalCode.PROMOTIONAL,
        1.0 - weight,
        False,
        "No advertising.",
        "未发现广告内容。",
        **details,
    )


def check_rude(ctx: AnswerContext, p: PreparedAnswer) -> Signal:
    """rude: score = max(0, 1 - w / (2 t)) for distinct insult/dismissal weights w; flag if w >= t.

    With t = 1 (default) one insult (1.0) or two words that are rude only together (0.5 each)
    flag and score 0.5; a single such word scores 0.75 and does not flag (see scoring.lexicon).
    """
    threshold = ctx.thresholds.rude
    weight, terms = _distinct_weight(RUDE.find(p.folded))
    details = {"weight": round(weight, 3), "terms": terms}
    score = 1.0 - weight / (2 * threshold)
    if weight >= threshold:
        en = "The answer is rude or insulting to the customer."
        return _signal(
            SignalCode.RUDE, score, True, en, "回答对客户不礼貌或含有侮辱性语言。", **details
        )
    return _signal(
        SignalCode.RUDE, score, False, "The tone is acceptable.", "语气得体。", **details
    )


CHECKS: tuple[Callable[[AnswerContext, PreparedAnswer], Signal], ...] = (
    check_length,
    check_language,
    check_off_topic,
    check_copied,
    check_personal_data,
    check_banned_terms,
    check_external_links,
    check_machine_filler,
    check_promotional,
    check_rude,
)


def run_checks(ctx: AnswerContext) -> tuple[Signal, ...]:
    """Run every check on the answer; one Signal per SignalCode, in SignalCode order."""
    prepared = prepare_answer(ctx)
    return tuple(check(ctx, prepared) for check in CHECKS)


def automatic_score(
    signals: Iterable[Signal], weights: Mapping[SignalCode, float] = DEFAULT_WEIGHTS
) -> float:
    """Combined score A = prod_c (1 - w_c (1 - s_c)), capped at 0.2 if personal_data or copied flag.

    w_c are DEFAULT_WEIGHTS (missing codes weigh 0.5). An empty signal list scores 1.
    """
    score = 1.0
    hard = False
    for signal in signals:
        weight = weights.get(signal.code, 0.5)
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"weight for {signal.code} must be in [0, 1], got {weight!r}")
        score *= 1.0 - weight * (1.0 - signal.score)
        hard = hard or (signal.flagged and signal.code in HARD_CODES)
    return min(score, HARD_CAP) if hard else score
