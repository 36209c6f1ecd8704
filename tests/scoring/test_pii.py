"""Tests for scoring.pii: validators, detection of each kind, masking and look-alikes."""

import pytest

from scoring.pii import (
    cn_id_checksum,
    find_pii,
    is_bank_card,
    is_valid_cn_id,
    luhn_valid,
    mask_digits,
)
from scoring.text import normalize


def kinds(text: str, region: str = "CN") -> list[str]:
    return [m.kind for m in find_pii(normalize(text), region)]


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("")
    assert not luhn_valid("4111-1111")
    assert is_bank_card("6222021234567890127") is luhn_valid("6222021234567890127")
    assert not is_bank_card("2024051812345678")  # order-number range, not a card network


def test_cn_id_checksum_and_validation():
    assert cn_id_checksum("11010519491231002") == "X"
    assert is_valid_cn_id("11010519491231002X")
    assert is_valid_cn_id("11010519491231002x")
    assert not is_valid_cn_id("110105194912310021")  # wrong check character
    assert not is_valid_cn_id("11010519491331002X")  # month 13
    assert is_valid_cn_id("310104850312123")  # 15-digit old format, 1985-03-12
    assert not is_valid_cn_id("310104851332123")
    assert not is_valid_cn_id("")
    with pytest.raises(ValueError):
        cn_id_checksum("123")


@pytest.mark.parametrize(
    "text",
    [
        "电话13812345678谢谢",
        "打我手机 138 1234 5678",
        "手机 138-1234-5678",
        "+86 138 1234 5678",
        "0086 13812345678",
        "+86-186-0211-3456",
        "座机 021-6234 5678",
    ],
)
def test_chinese_phone_formats(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "call (415) 555-2671",
        "+44 20 7946 0958",
        "+61 412 345 678",
        "+1 415 555 0182",
        "138-1234-5678",
    ],
)
def test_international_phone_formats(text):
    assert kinds(text, "US") == ["phone"]


def test_two_adjacent_numbers_are_two_phones():
    assert kinds("13812345678 13987654321") == ["phone", "phone"]


def test_id_cards_bank_cards_and_emails():
    assert kinds("身份证 11010519491231002X") == ["id_card"]
    assert kinds("卡号 4111 1111 1111 1111") == ["bank_card"]
    assert kinds("card 4111-1111-1111-1111", "US") == ["bank_card"]
    assert kinds("mail me: Jane.Doe+cs@Example.co.uk", "US") == ["email"]
    assert kinds("邮箱 zhangwei_88@163.com 谢谢") == ["email"]


@pytest.mark.parametrize(
    "text",
    [
        "客服热线 400-820-8820",
        "订单号 YQ20240518773",
        "运单 SF1234567890123",
        "订单号 2024051812345678",
        "Order SL-482913 on 2024-05-18 10:30, $1,299.00, flight SH 218",
        "卡号 4111 1111 1111 1112",
        "身份证 110105194912310021",
        "version 1.2.3 and 3.14159",
        "尾号 5678 的银行卡",
    ],
)
def test_look_alikes_are_not_personal_data(text):
    assert kinds(text, "CN") == []
    assert kinds(text, "US") == []


def test_us_toll_free_number_is_not_a_chinese_mobile():
    # 1-800-555-0100 has the digits of the mobile 180 0555 0100, but not its grouping.
    assert kinds("Call 1-800-555-0100 toll free", "US") == []


def test_values_are_masked():
    text = "电话 13812345678，身份证 11010519491231002X，邮箱 zhangwei_88@163.com"
    found = find_pii(normalize(text))
    masked = " ".join(m.masked for m in found)
    assert "13812345678" not in masked and "11010519491231002X" not in masked
    assert "zhangwei_88" not in masked
    assert [m.masked for m in found] == ["138******78", "110*************2X", "z***@163.com"]
    assert mask_digits("1234") == "****"
