"""The web shell: languages, organization switching, security defaults, sign-in throttling."""

import pytest
from django.conf import settings
from django.test import Client

from openxm import settings as openxm_settings
from openxm.accounts.models import AuditEvent
from tests.conftest import PASSWORD


def test_pages_render_in_chinese_and_english(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "admin"))
    english = client.get("/settings/members/").content.decode()
    assert "Add a member" in english and "添加成员" not in english
    response = client.post("/language/", {"language": "zh-hans", "next": "/settings/members/"})
    assert response.status_code == 302 and response["Location"] == "/settings/members/"
    chinese = client.get("/settings/members/").content.decode()
    assert "添加成员" in chinese and "Add a member" not in chinese
    assert 'lang="zh-hans"' in chinese


def test_language_choice_is_kept_on_the_user(org_a, make_member):
    user = make_member(org_a, "viewer")
    first = Client()
    first.force_login(user)
    first.post("/language/", {"language": "zh-hans"})
    user.refresh_from_db()
    assert user.language == "zh-hans"
    other_device = Client()
    other_device.force_login(user)
    assert "概览" in other_device.get("/").content.decode()


def test_unknown_language_and_foreign_next_are_refused(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "viewer"))
    assert client.post("/language/", {"language": "xx"}).status_code == 400
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_switch_organization(org_a, org_b, make_member, signed_in):
    user = make_member(org_a, "admin", email="both@example.com")
    make_member(org_b, "viewer", email="both@example.com")
    client = signed_in(user)
    assert "Org A" in client.get("/").content.decode().split("<h1>")[1]
    client.post("/org/switch/", {"organization": "org-b"})
    page = client.get("/").content.decode()
    assert page.split("<h1>")[1].startswith("Org B")
    assert client.get("/settings/api-keys/").status_code == 403  # a viewer in org B


def test_sign_in_page_and_redirects(client):
    assert client.get("/").status_code == 302
    assert client.get("/accounts/login/").status_code == 200


def test_user_without_organization_gets_a_clear_page(db, client):
    from openxm.accounts import services

    client.force_login(services.bootstrap_user("alone@example.com", PASSWORD))
    response = client.get("/")
    assert response.status_code == 403
    assert "not a member of any organization" in response.content.decode()


def test_sign_in_is_locked_after_repeated_failures(org_a, make_member, client):
    user = make_member(org_a, "viewer")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/accounts/login/", {"username": user.email, "password": "nope"})
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        AuditEvent.objects.system().filter(action="auth.sign_in_failed").count()
        >= settings.LOGIN_MAX_FAILURES
    )


def test_successful_sign_in_clears_the_failure_count(org_a, make_member, client):
    user = make_member(org_a, "viewer")
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        client.post("/accounts/login/", {"username": user.email, "password": "nope"})
    assert client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    client.logout()
    client.post("/accounts/login/", {"username": user.email, "password": "nope"})
    assert client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code == 302


def test_csrf_is_enforced(org_a, make_member):
    client = Client(enforce_csrf_checks=True)
    user = make_member(org_a, "viewer")
    assert client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code == 403
    client.force_login(user)
    assert client.post("/api/v1/units", {}, content_type="application/json").status_code == 401


def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_defaults():
    assert openxm_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert not openxm_settings.DEBUG
    assert openxm_settings.SESSION_COOKIE_SECURE and openxm_settings.CSRF_COOKIE_SECURE
    assert openxm_settings.SESSION_COOKIE_HTTPONLY


def test_argon2_hashes_passwords():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("s3cret-passphrase", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("s3cret-passphrase", encoded) and not hasher.verify("other", encoded)


def test_password_change(org_a, make_member, signed_in):
    user = make_member(org_a, "viewer")
    client = signed_in(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-passphrase",
            "new_password2": "a-much-better-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-much-better-passphrase")
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "path", ["/static/openxm/vendor/echarts-5.6.0.min.js", "/static/openxm/vendor/htmx-2.0.11.min.js"]
)
def test_vendored_javascript_is_served(db, client, path):
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    assert response.status_code == 200 and len(body) > 10_000
