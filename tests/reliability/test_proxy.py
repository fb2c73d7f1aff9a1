"""Behind a proxy: X-Forwarded-For/-Proto believed only from OPENXM_TRUSTED_PROXIES; sign-in
lockout per account-from-address and per address; respondent rate limit per real client."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD

PROXY = "10.1.2.3"


@pytest.fixture
def behind_proxy(settings):
    settings.OPENXM_TRUSTED_PROXIES = ["10.0.0.0/8"]


def _via_proxy(client_ip: str, **extra) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip, **extra}


def _sign_in(client, email, password, **meta):
    return client.post("/accounts/login/", {"username": email, "password": password}, **meta)


def test_guessing_from_one_address_does_not_lock_the_owner_out_elsewhere(
    org_a, make_member, behind_proxy, settings
):
    owner = make_member(org_a, "owner")
    attacker = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES + 2):
        _sign_in(attacker, owner.email, "wrong-password", **_via_proxy("198.51.100.66"))
    locked = _sign_in(attacker, owner.email, PASSWORD, **_via_proxy("198.51.100.66"))
    assert locked.status_code == 200 and "Too many failed sign-ins" in locked.content.decode()
    home = _sign_in(Client(), owner.email, PASSWORD, **_via_proxy("203.0.113.10"))
    assert home.status_code == 302


def test_one_address_guessing_many_accounts_is_locked(org_a, make_member, behind_proxy, settings):
    owner = make_member(org_a, "owner")
    attacker = Client()
    for i in range(settings.LOGIN_MAX_FAILURES * 4):
        _sign_in(attacker, f"user{i}@example.com", "wrong-password", **_via_proxy("198.51.100.66"))
    refused = _sign_in(attacker, owner.email, PASSWORD, **_via_proxy("198.51.100.66"))
    assert "Too many failed sign-ins" in refused.content.decode()
    assert _sign_in(Client(), owner.email, PASSWORD, **_via_proxy("203.0.113.10")).status_code == 302


def test_forwarded_for_from_an_untrusted_peer_is_ignored(org_a, make_member, settings):
    """Without OPENXM_TRUSTED_PROXIES a client cannot dodge the lock by inventing addresses."""
    owner = make_member(org_a, "owner")
    attacker = Client()
    for i in range(settings.LOGIN_MAX_FAILURES):
        _sign_in(
            attacker, owner.email, "wrong", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}"
        )
    refused = _sign_in(
        attacker, owner.email, PASSWORD, REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="1.1.1.99"
    )
    assert "Too many failed sign-ins" in refused.content.decode()


def test_audit_log_records_the_real_client(org_a, make_member, behind_proxy):
    from openxm.accounts.models import AuditEvent

    owner = make_member(org_a, "owner")
    _sign_in(Client(), owner.email, PASSWORD, **_via_proxy("203.0.113.10"))
    event = AuditEvent.objects.for_org(org_a).filter(action="auth.signed_in").latest("pk")
    assert event.ip_address == "203.0.113.10"


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.OPENXM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    trusted = Client().get("/health", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert trusted.status_code == 200
    forged = Client().get("/health", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301 and forged["Location"].startswith("https://")


def test_respondent_rate_limit_counts_each_real_client(org_a, app_token, behind_proxy, settings):
    settings.OPENXM_RESPOND_RATE_PER_IP = 1
    path = f"/api/v1/public/surveys/{app_token}/responses"

    def submit(ip):
        return Client().post(
            path, {"answers": {"csat": 4}}, content_type="application/json", **_via_proxy(ip)
        )

    assert submit("203.0.113.1").status_code == 201
    assert submit("203.0.113.2").status_code == 201
    limited = submit("203.0.113.1")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert isinstance(limited.json()["detail"], str)
