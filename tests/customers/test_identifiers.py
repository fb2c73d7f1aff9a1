import pytest

from openxm.customers.identifiers import email_key, external_key, openid_key, phone_key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("+86 (138) 0013 8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("138.0013.8000", "13800138000"),
        ("（138）0013 8000", "13800138000"),
        ("021-6234 5678", "02162345678"),  # a Shanghai landline keeps its area code
        ("+1 (415) 555-0100", "+14155550100"),
        ("001 415 555 0100", "+14155550100"),
        ("", ""),
        ("n/a", ""),
        ("123", ""),  # too short to be a number
        ("138-0013-800O", ""),  # a letter O is not a digit
    ],
)
def test_phone_key(raw, key):
    assert phone_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [(" Li.Lei@Example.COM ", "li.lei@example.com"), ("a.b@gmail.com", "a.b@gmail.com"), (None, "")],
)
def test_email_key(raw, key):
    assert email_key(raw) == key


def test_external_and_wechat_keys():
    assert external_key(" CRM-001 ") == external_key("crm-001") == "crm-001"
    assert openid_key(" oAbC ") == "oAbC"  # WeChat ids are case-sensitive
    assert openid_key("oAbC") != openid_key("oabc")
