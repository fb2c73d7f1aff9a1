"""PII redaction: one row per case, including the checksum edge cases."""

import datetime as dt

import pytest

from openxm.text.pii import cn_id_valid, luhn_valid, redact

VALID_ID = "11010519491231002X"  # checksum X
VALID_ID_DIGIT = "110101198001010010"  # checksum 0
VALID_CARD = "6222021001123456789"  # 19 digits, Luhn ok
VISA_TEST = "4111111111111111"


@pytest.mark.parametrize(
    ("text", "expected_text", "kinds"),
    [
        ("联系我 zhang.san+cx@example.com.cn 谢谢", "联系我 [EMAIL] 谢谢", ("email",)),
        ("电话13812345678找我", "电话[PHONE]找我", ("phone",)),
        ("电话 138 1234 5678", "电话 [PHONE]", ("phone",)),
        ("电话 138-1234-5678。", "电话 [PHONE]。", ("phone",)),
        ("call +86 138 1234 5678 now", "call [PHONE] now", ("phone",)),
        ("ring me on +44 20 7946 0958", "ring me on [PHONE]", ("phone",)),
        ("座机010-12345678", "座机[PHONE]", ("phone",)),
        ("full-width １３８１２３４５６７８", "full-width [PHONE]", ("phone",)),
        (f"身份证{VALID_ID}", "身份证[ID]", ("cn_id",)),
        (f"身份证{VALID_ID.lower()}", "身份证[ID]", ("cn_id",)),
        (f"身份证号 {VALID_ID_DIGIT} 卡号 {VALID_CARD}", "身份证号 [ID] 卡号 [CARD]", ("cn_id", "bank_card")),
        ("card 4111 1111 1111 1111 thanks", "card [CARD] thanks", ("bank_card",)),
        ("card 4111-1111-1111-1111", "card [CARD]", ("bank_card",)),
        (f"card {VISA_TEST}", "card [CARD]", ("bank_card",)),
    ],
)
def test_redacts(text, expected_text, kinds):
    result = redact(text)
    assert result.text == expected_text
    assert result.kinds == kinds
    for span in result.spans:  # spans point at the original text
        assert text[span.start : span.end].strip()


@pytest.mark.parametrize(
    "text",
    [
        "订单号 110105194912310021 请查",  # 18 digits, wrong ID check digit, fails Luhn too
        "身份证 110105194913310029",  # month 13
        "card 4111 1111 1111 1112",  # Luhn fails
        "运单号 123456789012",  # 12 digits: too short for a card, not a phone
        "电话12812345678",  # 12x is not a mobile prefix
        "价格 12.5 元，共 3 件",
        "no digits or at-signs here",
        "",
    ],
)
def test_leaves_non_pii_alone(text):
    result = redact(text)
    assert result.text == text
    assert result.spans == ()


def test_id_birth_date_must_be_real_and_past():
    assert cn_id_valid(VALID_ID)
    assert not cn_id_valid(VALID_ID, today=dt.date(1949, 12, 30))  # born after "today"
    assert not cn_id_valid("11010519490230001X")  # 30 February (any check digit)
    assert not cn_id_valid("11010519491231002")  # 17 characters


def test_luhn():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert not luhn_valid("7992 7398 713")


def test_spans_sorted_and_non_overlapping():
    text = f"a@b.co {VALID_ID} 13912345678 {VISA_TEST} x@y.org"
    result = redact(text)
    assert [s.kind for s in result.spans] == ["email", "cn_id", "phone", "bank_card", "email"]
    ends = [(s.start, s.end) for s in result.spans]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))
    assert result.text == "[EMAIL] [ID] [PHONE] [CARD] [EMAIL]"
