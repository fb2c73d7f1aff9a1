"""Normalised identifiers: what makes two spellings of one e-mail, phone or id compare equal.

Pure functions (no database). Rules (docs/customers.md, "Identifiers"):

* e-mail: surrounding space removed, lower-cased (the local part too: no mail system in use here
  treats ``Li@`` and ``li@`` as two people); no provider-specific rules (Gmail dots are kept).
* phone: every space, dash, dot, slash and bracket dropped; a Chinese country code (``+86``,
  ``0086``, or ``86`` before an 11-digit mobile number) dropped, so ``+86 138-0013-8000``,
  ``0086 13800138000`` and ``13800138000`` are one number; any other international prefix
  ``00`` becomes ``+``. A value with letters or fewer than 5 digits is not a phone number ("").
* WeChat openid / unionid: surrounding space removed; case kept (they are case-sensitive).
* external id: surrounding space removed and case-folded, so ``CRM-001`` and ``crm-001 `` match.
"""

from __future__ import annotations

import re

_PHONE_NOISE = re.compile(r"[\s\-./()\u00a0\u3000（）]")
KINDS = ("external_id", "email", "phone", "wechat_openid", "wechat_unionid")


def email_key(value: str | None) -> str:
    return (value or "").strip().lower()


def phone_key(value: str | None) -> str:
    raw = _PHONE_NOISE.sub("", (value or "").strip())
    if not raw:
        return ""
    plus = raw.startswith("+")
    digits = raw[1:] if plus else raw
    if not digits.isdigit() or len(digits) < 5:
        return ""
    if plus:
        if digits.startswith("86"):
            return digits[2:]
        return "+" + digits
    if digits.startswith("0086"):
        return digits[4:]
    if digits.startswith("00"):
        return "+" + digits[2:]
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits


def openid_key(value: str | None) -> str:
    return (value or "").strip()


def external_key(value: str | None) -> str:
    return (value or "").strip().casefold()


NORMALISERS = {
    "external_id": external_key,
    "email": email_key,
    "phone": phone_key,
    "wechat_openid": openid_key,
    "wechat_unionid": openid_key,
}
