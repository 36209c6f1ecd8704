"""Why an answer was rejected, in words the expert reads (English and Simplified Chinese)."""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.moderation.models import RejectReason

REASON_TEXT: dict[str, tuple[str, str]] = {
    RejectReason.WRONG: ("The answer is wrong.", "回答内容有误。"),
    RejectReason.INCOMPLETE: ("The answer leaves out part of the question.", "回答不完整。"),
    RejectReason.RUDE: ("The answer is rude to the customer.", "回答对客户不礼貌。"),
    RejectReason.OFF_BRAND: ("The answer does not fit the brand.", "回答不符合品牌要求。"),
    RejectReason.PERSONAL_DATA: (
        "The answer leaks personal data.",
        "回答泄露了个人信息。",
    ),
    RejectReason.COPIED: ("The answer was copied.", "回答是抄袭的。"),
    RejectReason.SPAM: ("The answer is spam.", "回答是垃圾内容。"),
}


def explain(reasons: Iterable[str]) -> list[dict[str, str]]:
    """Reject reasons with their text in English and Chinese."""
    return [
        {"code": r, "reason": REASON_TEXT[r][0], "reason_zh": REASON_TEXT[r][1]}
        for r in reasons
        if r in REASON_TEXT
    ]
