"""Measures of machine-generated or template filler: stock phrases, repetition, keyboard mash."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from scoring.lexicon import FILLER

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_ROW_TEXT = " ".join(_KEYBOARD_ROWS + tuple(r[::-1] for r in _KEYBOARD_ROWS))
_WORD_RE = re.compile(r"[a-z]{3,}")
# Separator lines ("-----", "=====") and digit runs are formatting, not filler.
_CHAR_RUN_RE = re.compile(r"([^\s\d\-=_*.~#])\1{7,}")
# zlib output of tiny inputs is dominated by headers, so only texts this long are measured.
_MIN_COMPRESS_BYTES = 200
_MIN_TOKENS_FOR_DIVERSITY = 30
# A unit of up to 40 characters repeated 3+ times in a row; the lazy unit keeps it linear-ish
# (at most 40 attempts per position) and the window bounds the total work.
_REPEAT_RE = re.compile(r"(.{1,40}?)\1{2,}", re.DOTALL)
_REPEAT_WINDOW = 5_000
_MIN_REPEAT_CHARS = 12


@dataclass(frozen=True)
class FillerMeasure:
    """Filler strength in [0, 1] with the components it was combined from."""

    strength: float
    phrases: tuple[str, ...]
    compression_ratio: float | None
    distinct_token_ratio: float | None
    char_run: bool
    mash_words: int
    repeated_share: float


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def compression_ratio(text: str) -> float | None:
    """zlib-compressed size / UTF-8 size, or None below 200 bytes where it means little."""
    raw = text.encode("utf-8")
    if len(raw) < _MIN_COMPRESS_BYTES:
        return None
    return len(zlib.compress(raw, 6)) / len(raw)


def repeated_share(folded: str) -> float:
    """Share of letters and digits (first 5,000) inside a unit repeated 3+ times in a row."""
    compact = "".join(ch for ch in folded[:_REPEAT_WINDOW] if ch.isalnum())
    if len(compact) < _MIN_REPEAT_CHARS:
        return 0.0
    covered = sum(m.end() - m.start() for m in _REPEAT_RE.finditer(compact))
    return covered / len(compact)


def is_mash(word: str) -> bool:
    """True for a keyboard-row run of 6+ letters ("asdfgh") or a 6+ letter word with no vowel."""
    if len(word) >= 6 and word in _ROW_TEXT and word != "qwerty":
        return True
    return len(word) >= 6 and not any(v in word for v in "aeiouy")


def filler_strength(folded: str, content_tokens: list[str]) -> FillerMeasure:
    """Noisy-or of filler evidence: strength = 1 - prod(1 - c_i) over the components c_i.

    c_phrase = min(1, sum of matched stock-phrase weights); c_compress = clamp((0.3 - r) / 0.15)
    for zlib ratio r; c_diversity = clamp((0.35 - d) / 0.2) for distinct/total content tokens d
    (30+ tokens); c_repeat = clamp((q - 0.3) / 0.4) for the share q of text inside a unit
    repeated 3+ times in a row; c_run = 0.5 for one character repeated 8+ times; c_mash =
    clamp(2 m / w) for m keyboard-mash words among w words of 3+ letters.
    """
    hits = FILLER.find(folded)
    ratio = compression_ratio(folded)
    diversity = None
    if len(content_tokens) >= _MIN_TOKENS_FOR_DIVERSITY:
        diversity = len(set(content_tokens)) / len(content_tokens)
    words = _WORD_RE.findall(folded)
    mash = sum(1 for w in words if is_mash(w))
    char_run = _CHAR_RUN_RE.search(folded) is not None
    repeated = repeated_share(folded)
    components = (
        _clamp(sum(h.weight for h in hits)),
        _clamp((0.3 - ratio) / 0.15) if ratio is not None else 0.0,
        _clamp((0.35 - diversity) / 0.2) if diversity is not None else 0.0,
        _clamp((repeated - 0.3) / 0.4),
        0.5 if char_run else 0.0,
        _clamp(2.0 * mash / len(words)) if words else 0.0,
    )
    remaining = 1.0
    for c in components:
        remaining *= 1.0 - c
    return FillerMeasure(
        strength=_clamp(1.0 - remaining),
        phrases=tuple(h.text for h in hits),
        compression_ratio=ratio,
        distinct_token_ratio=diversity,
        char_run=char_run,
        mash_words=mash,
        repeated_share=repeated,
    )
