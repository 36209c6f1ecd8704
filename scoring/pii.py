"""Personal data detection: phone numbers, e-mail addresses, Chinese ID cards and bank cards."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

# A run of digits with single separators, optionally led by + or 00 and ended by an ID's X.
# The look-arounds use ASCII classes because \w also matches Han characters, and Chinese text
# often glues numbers to words ("电话13812345678").
_DIGIT_RUN_RE = re.compile(
    r"(?<![0-9A-Za-z+])\+?\d(?:[ .\-]?\d){5,40}(?:[ .\-]?[Xx])?(?![0-9A-Za-z])"
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}"
    r"\.[A-Za-z]{2,24}(?![A-Za-z])"
)
_CN_MOBILE_RE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
# Hotlines and toll-free numbers belong to companies, not people.
_NON_PERSONAL_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.UAN,
        PhoneNumberType.VOICEMAIL,
    }
)


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: its kind, a masked rendering and its span in the input."""

    kind: str  # "phone", "email", "id_card" or "bank_card"
    masked: str
    start: int
    end: int


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check: double every second digit from the right, the sum must end in 0."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def cn_id_checksum(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a Chinese resident ID."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("a Chinese ID body is exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def is_valid_cn_id(value: str) -> bool:
    """True for an 18-character ID with a valid date and checksum, or a 15-digit old-format ID."""
    value = value.strip().upper()
    if not value.isascii() or not value or value[0] not in "12345678":
        return False
    if len(value) == 18 and value[:17].isdigit() and value[17] in "0123456789X":
        year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
        return _valid_date(year, month, day) and cn_id_checksum(value[:17]) == value[17]
    if len(value) == 15 and value.isdigit():
        return _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    return False


def is_bank_card(digits: str) -> bool:
    """13-19 digits from a card network range (first digit 3-6) that pass the Luhn check."""
    return 13 <= len(digits) <= 19 and digits[:1] in "3456" and luhn_valid(digits)


def mask_digits(value: str) -> str:
    """Keep the first 3 and last 2 characters, star the rest: 13812345678 -> 138******78."""
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def mask_email(value: str) -> str:
    """Keep the first character of the local part and the domain: j***@example.com."""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def _looks_cn_mobile(groups: list[str]) -> bool:
    """A Chinese mobile number (1[3-9] + 9 digits, optional 86 prefix) grouped the Chinese way.

    A lone leading "1" group is the North American trunk prefix: "1-800-555-0100" is a US
    toll-free number, not the mobile 180 0555 0100.
    """
    if not _CN_MOBILE_RE.fullmatch("".join(groups).lstrip("+")):
        return False
    head = groups[0].lstrip("+")
    return head.startswith(("86", "0086")) or len(head) >= 3


def _classify(groups: list[str]) -> str | None:
    """Kind of a run of digit groups, or None when it is not personal data."""
    compact = "".join(groups)
    if is_valid_cn_id(compact):
        return "id_card"
    if _looks_cn_mobile(groups):
        return "phone"
    if compact.isdigit() and is_bank_card(compact):
        return "bank_card"
    return None


def _split_run(run: str, offset: int) -> list[PiiMatch]:
    """Classify a digit run, trying the whole run first, then greedy groups of its parts."""
    parts = [(m.start(), m.end()) for m in re.finditer(r"\+?[0-9Xx]+", run)]
    found: list[PiiMatch] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            start, end = parts[i][0], parts[j - 1][1]
            groups = [run[a:b] for a, b in parts[i:j]]
            compact = "".join(groups)
            kind = _classify(groups)
            if kind:
                found.append(PiiMatch(kind, mask_digits(compact), offset + start, offset + end))
                i = j
                break
        else:
            i += 1
    return found


def _phonenumbers(text: str, region: str) -> list[PiiMatch]:
    """Phone numbers that libphonenumber considers valid and that are not company hotlines."""
    found = []
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        if phonenumbers.number_type(match.number) in _NON_PERSONAL_TYPES:
            continue
        compact = re.sub(r"\D", "", match.raw_string)
        found.append(PiiMatch("phone", mask_digits(compact), match.start, match.end))
    return found


def find_pii(text: str, region: str = "CN") -> tuple[PiiMatch, ...]:
    """All personal data in normalised text, ordered by position, overlapping finds merged.

    `region` is the ISO country whose national phone formats are recognised without a "+".
    """
    candidates = [
        PiiMatch("email", mask_email(m.group()), m.start(), m.end())
        for m in _EMAIL_RE.finditer(text)
    ]
    for run in _DIGIT_RUN_RE.finditer(text):
        candidates.extend(_split_run(run.group(), run.start()))
    candidates.extend(_phonenumbers(text, region))
    # Custom matches (ID, bank card, mobile) are listed before libphonenumber's, so they win.
    chosen: list[PiiMatch] = []
    for cand in candidates:
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return tuple(sorted(chosen, key=lambda m: m.start))
