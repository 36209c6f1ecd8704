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


# Hand-written look-alikes seen in support answers: none of them is personal data.
REALISTIC_NEGATIVES = [
    "您的订单号 4512 3456 7890 1234 已经发货了。",
    "订单编号：6221558812340005，请在“我的订单”里查看。",
    "Your order number is 4111111111111111, keep it for returns.",
    "Tracking number 5500005555555559 shows the parcel in Shenzhen.",
    "顺丰运单号 SF1234567890123，预计明天送达。",
    "圆通快递单号 YT7412589630147，可以在官网查询。",
    "中通快递 73100012345678 已经揽收。",
    "京东物流 JD0012345678901 正在派送中。",
    "手机的 IMEI 是 353918104216572，可以在设置-关于手机里看到。",
    "IMEI: 490154203237518 (dial *#06# to see yours).",
    "设备串号 864321045678913 已登记保修。",
    "序列号 356938035643809 的机器在保修期内。",
    "The serial number on the box is 354856072839451.",
    "Timestamp 1700000000000 in the log shows when the sync failed.",
    "日志时间戳 1712345678901 对应故障发生的时间。",
    "The X7 costs ¥6,299.00 and the case 199.00.",
    "价格 3999 元，优惠后 3599 元，24 期免息每期 149.96 元。",
    "淘宝订单 3712345678901234567 的退款已经原路返回。",
    "工单 2024031512304512 已经转给售后同事处理。",
    "Invoice 4929123456781234 was emailed to the account owner.",
    "Booking reference 6011000990139424 is confirmed for Friday.",
    "Firmware build 20240315.123045 fixes the battery drain.",
    "型号 310104850312123 的配件已停产。",  # 15 digits with a valid date, but no ID word
    "A 15-digit number like 110105491231002 on the receipt is the store's batch code.",
]

REALISTIC_POSITIVES = [
    ("您的银行卡 6222 0212 3456 7890 128 已绑定。", "bank_card"),
    ("卡号 6250946000000016 的退款已受理。", "bank_card"),
    ("Refund to card 4111 1111 1111 1111 is on its way.", "bank_card"),
    ("Mastercard 5555-5555-5555-4444 was charged twice.", "bank_card"),
    ("The new Mastercard 2221 0000 0000 0009 is active.", "bank_card"),
    ("Your Amex 3782 822463 10005 is on file.", "bank_card"),
    ("JCB 3530 1113 3330 0000 has expired.", "bank_card"),
    ("Discover card 6011 1111 1111 1117 needs verification.", "bank_card"),
    ("身份证号 11010519491231002X 已核实。", "id_card"),
    ("我的身份证是 440305198803154377。", "id_card"),
    ("旧身份证号 310104850312123 还能用吗", "id_card"),
    ("Her old ID card number is 310104850312123.", "id_card"),
    ("快递员电话 13812345678，您直接联系他。", "phone"),
]


@pytest.mark.parametrize("text", REALISTIC_NEGATIVES)
def test_order_courier_device_and_time_numbers_are_not_personal_data(text):
    assert kinds(text) == []


@pytest.mark.parametrize(("text", "kind"), REALISTIC_POSITIVES)
def test_real_shapes_of_cards_ids_and_phones_are_found(text, kind):
    assert kinds(text) == [kind]


def test_card_issuers_need_their_prefix_and_length():
    assert is_bank_card("4111111111111111") and is_bank_card("378282246310005")
    assert not is_bank_card("5900000000000008")  # 59 is no Mastercard range (Luhn-valid)
    assert not is_bank_card("353918104216572")  # an IMEI: Luhn-valid, 15 digits, TAC 35
    assert not is_bank_card("7100000000000000")  # no issuer starts with 7


def test_ids_need_a_province_and_a_real_date():
    body = "99010519491231002"  # province 99 does not exist
    assert not is_valid_cn_id(body + cn_id_checksum(body))
    assert not is_valid_cn_id("000000850312123")
    body = "11010521000101002"  # born in 2100
    assert not is_valid_cn_id(body + cn_id_checksum(body))
