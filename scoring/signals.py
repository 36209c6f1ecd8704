"""Input and output types of the automatic answer checks: AnswerContext in, Signals out."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class SignalCode(StrEnum):
    """Stable machine codes of the automatic checks, in the order run_checks returns them."""

    TOO_SHORT = "too_short"
    LANGUAGE_MISMATCH = "language_mismatch"
    OFF_TOPIC = "off_topic"
    COPIED = "copied"
    PERSONAL_DATA = "personal_data"
    BANNED_TERMS = "banned_terms"
    EXTERNAL_LINKS = "external_links"
    MACHINE_FILLER = "machine_filler"
    PROMOTIONAL = "promotional"
    RUDE = "rude"


@dataclass(frozen=True)
class Signal:
    """Outcome of one check: score in [0, 1] (1 = fine), a flag, bilingual reason and details."""

    code: SignalCode
    score: float
    flagged: bool
    reason: str
    reason_zh: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        """Reject scores outside [0, 1] or NaN and freeze the details mapping."""
        if not (isinstance(self.score, int | float) and 0.0 <= self.score <= 1.0):
            raise ValueError(f"signal score must be in [0, 1], got {self.score!r}")
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def name(self) -> str:
        """The machine code as a plain string."""
        return self.code.value


@dataclass(frozen=True)
class CheckThresholds:
    """Flagging thresholds of the checks; see each check's docstring for the measured quantity."""

    language_share: float = 0.3  # flag if less than this share of the answer is in the language
    off_topic: float = 0.06  # flag if topical relatedness is below this
    off_topic_min_tokens: int = 3  # questions with fewer content tokens are not judged
    copied: float = 0.6  # flag if similarity to a source is at least this
    copied_min_shingles: int = 25  # shorter answers are too generic to call copies
    machine_filler: float = 0.5  # flag if filler strength is at least this
    promotional: float = 0.8  # flag if the summed promotional weight is at least this
    rude: float = 1.0  # flag at this summed rudeness weight: one insult or two milder words

    def __post_init__(self) -> None:
        """Reject thresholds outside their ranges."""
        for name in ("language_share", "off_topic", "copied", "machine_filler"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0 or math.isnan(value):
                raise ValueError(f"{name} threshold must be in [0, 1], got {value!r}")
        for name in ("promotional", "rude"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} threshold must be positive")
        if self.off_topic_min_tokens < 0 or self.copied_min_shingles < 0:
            raise ValueError("minimum token and shingle counts must be non-negative")


def _str_tuple(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValueError(f"{name} must be a tuple of strings, not {type(value).__name__}")
    items = tuple(value)
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"every item of {name} must be a str")
    return items


@dataclass(frozen=True)
class AnswerContext:
    """Everything the automatic checks need to judge one answer to one question.

    min_length is in Latin-equivalent characters (each Han/kana/Hangul character counts 3).
    phone_region is the ISO country for national phone formats; None picks one from the
    question language (zh -> CN, otherwise US).
    """

    question_subject: str
    question_body: str
    question_language: str
    answer: str
    other_answers: tuple[str, ...] = ()
    knowledge_base: tuple[str, ...] = ()
    banned_terms: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    min_length: int = 40
    phone_region: str | None = None
    thresholds: CheckThresholds = CheckThresholds()

    def __post_init__(self) -> None:
        """Validate types and turn list arguments into tuples."""
        for name in ("question_subject", "question_body", "question_language", "answer"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a str")
        if not self.question_language.strip():
            raise ValueError("question_language must be a language code such as 'en' or 'zh'")
        for name in ("other_answers", "knowledge_base", "banned_terms", "allowed_domains"):
            object.__setattr__(self, name, _str_tuple(name, getattr(self, name)))
        if (
            isinstance(self.min_length, bool)
            or not isinstance(self.min_length, int)
            or self.min_length < 0
        ):
            raise ValueError(f"min_length must be a non-negative int, got {self.min_length!r}")
        region = self.phone_region
        if region is not None and (
            not isinstance(region, str) or len(region) != 2 or not region.isalpha()
        ):
            raise ValueError(
                f"phone_region must be a two-letter country code, got {self.phone_region!r}"
            )
        if not isinstance(self.thresholds, CheckThresholds):
            raise ValueError("thresholds must be a CheckThresholds instance")
