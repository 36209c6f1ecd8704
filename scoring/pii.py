"""Personal data detection: phone numbers, e-mail addresses, Chinese ID cards and bank cards.

Numbers are judged by their shape and by the words just before them, because order, courier,
IMEI and serial numbers have the same length as IDs and cards:
- an 18-character resident ID needs a known province code, a real birth date (1900-2099) and
  the ISO 7064 MOD 11-2 check character;
- a 15-digit old-format ID needs the province code and birth date and an ID word just before it
  (身份证, 证件, "ID card", "ID number"), since IMEIs are 15 digits too;
- a bank card needs the Luhn check, a known issuer prefix with a length that issuer uses
  (UnionPay 62, Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, JCB 3528-3589,
  Discover 6011/644-649/65), and no order, tracking or device word just before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes (the first two digits of every resident ID).
CN_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)

# A run of digits with single separators, optionally led by + or 00 and ended by an ID's X.
# The look-arounds use ASCII classes because \w also matches Han characters, and Chinese text
# often glues numbers to words ("电话13812345678"). Letters glued to the digits (SF1234567890123,
# YT..., JD...) make the run a code, not a number.
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
# Words that say what a number is; the nearest one before the number (same clause) decides.
_NOT_PERSONAL_WORDS = (
    "订单",
    "单号",
    "运单",
    "快递",
    "物流",
    "序列号",
    "串号",
    "编号",
    "流水号",
    "交易号",
    "发票",
    "工单",
    "imei",
    "meid",
    "serial",
    "s/n",
    "order",
    "tracking",
    "waybill",
    "shipment",
    "parcel",
    "invoice",
    "ticket",
    "booking",
    "reference",
    "ref",
    "confirmation",
    "transaction",
)
_CARD_WORDS = ("卡号", "银行卡", "信用卡", "储蓄卡", "借记卡", "账户", "账号", "card", "account")
_PHONE_WORDS = ("电话", "手机", "联系", "致电", "phone", "call", "mobile", "cell", "tel", "text me")
_ID_WORDS = ("身份证", "证件", "id card", "id number", "id no", "identity", "resident id")
_CONTEXT_WORDS = (
    ("other", _NOT_PERSONAL_WORDS),
    ("card", _CARD_WORDS),
    ("id", _ID_WORDS),
    ("phone", _PHONE_WORDS),
)
_CONTEXT_CHARS = 24
_CLAUSE_END_RE = re.compile(r"[。！？；;!?\n]|\.(?:\s|$)")


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
    return 1900 <= year <= 2099


def cn_id_checksum(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a Chinese resident ID."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("a Chinese ID body is exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _valid_region(code: str) -> bool:
    """A province code from GB/T 2260 followed by a city and county part other than 0000."""
    return code[:2] in CN_PROVINCES and code[2:6] != "0000"


def is_valid_cn_id(value: str) -> bool:
    """True for an 18-character ID (region, date, checksum) or a 15-digit old ID (region, date).

    A 15-digit number also needs an ID word before it in text (see find_pii).
    """
    value = value.strip().upper()
    if not value.isascii() or len(value) not in (15, 18) or not _valid_region(value[:6]):
        return False
    if len(value) == 18 and value[:17].isdigit() and value[17] in "0123456789X":
        year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
        return _valid_date(year, month, day) and cn_id_checksum(value[:17]) == value[17]
    if len(value) == 15 and value.isdigit():
        return _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    return False


def card_issuer(digits: str) -> str | None:
    """The card network whose prefix and length the digits have, or None."""
    n, two, four = len(digits), digits[:2], int(digits[:4] or 0)
    if two == "62" and 16 <= n <= 19:
        return "unionpay"
    if digits[:1] == "4" and n in (13, 16, 19):
        return "visa"
    if (two in {"51", "52", "53", "54", "55"} or 2221 <= four <= 2720) and n == 16:
        return "mastercard"
    if two in {"34", "37"} and n == 15:
        return "amex"
    if 3528 <= four <= 3589 and 16 <= n <= 19:
        return "jcb"
    if (digits[:4] == "6011" or two == "65" or 644 <= four // 10 <= 649) and 16 <= n <= 19:
        return "discover"
    return None


def is_bank_card(digits: str) -> bool:
    """Digits with a known issuer prefix and length (card_issuer) that pass the Luhn check."""
    return digits.isdigit() and card_issuer(digits) is not None and luhn_valid(digits)


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


def number_context(text: str, start: int) -> str | None:
    """What the nearest word before a number (same clause, 24 characters) says it is.

    "other" for an order, tracking, device or document number, "card", "id", "phone", or None.
    """
    window = text[max(0, start - _CONTEXT_CHARS) : start].casefold()
    ends = list(_CLAUSE_END_RE.finditer(window))
    if ends:
        window = window[ends[-1].end() :]
    best: tuple[int, int, str] | None = None  # (end, length, kind): nearest, then longest
    for kind, words in _CONTEXT_WORDS:
        for word in words:
            at = _last_word(window, word)
            if at >= 0 and (best is None or (at + len(word), len(word)) > best[:2]):
                best = (at + len(word), len(word), kind)
    return best[2] if best else None


def _last_word(window: str, word: str) -> int:
    """Last position of `word`; Latin words must not sit inside a longer Latin word."""
    if not word.isascii():
        return window.rfind(word)
    found = -1
    for m in re.finditer(rf"(?<![a-z]){re.escape(word)}(?![a-z])", window):
        found = m.start()
    return found


def _classify(groups: list[str], context: str | None) -> str | None:
    """Kind of a run of digit groups, or None when it is not personal data."""
    compact = "".join(groups)
    if len(compact) == 18 and is_valid_cn_id(compact):
        return "id_card"
    if len(compact) == 15 and context == "id" and is_valid_cn_id(compact):
        return "id_card"
    if _looks_cn_mobile(groups):
        return "phone"
    if context != "other" and is_bank_card(compact):
        return "bank_card"
    return None


def _split_run(text: str, run: str, offset: int) -> list[PiiMatch]:
    """Classify a digit run, trying the whole run first, then greedy groups of its parts."""
    parts = [(m.start(), m.end()) for m in re.finditer(r"\+?[0-9Xx]+", run)]
    context = number_context(text, offset)
    found: list[PiiMatch] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            start, end = parts[i][0], parts[j - 1][1]
            groups = [run[a:b] for a, b in parts[i:j]]
            kind = _classify(groups, context)
            if kind:
                found.append(
                    PiiMatch(kind, mask_digits("".join(groups)), offset + start, offset + end)
                )
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
        if number_context(text, match.start) == "other":
            continue  # an order or tracking number that happens to look like a phone number
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
        candidates.extend(_split_run(text, run.group(), run.start()))
    candidates.extend(_phonenumbers(text, region))
    # Custom matches (ID, bank card, mobile) are listed before libphonenumber's, so they win.
    chosen: list[PiiMatch] = []
    for cand in candidates:
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return tuple(sorted(chosen, key=lambda m: m.start))
