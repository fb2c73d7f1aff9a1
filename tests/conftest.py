"""Shared fixtures: organizations, members in each role, API keys, signed-in clients.

Django is imported inside the fixtures so that the pure packages' tests also run without
pytest-django (``pytest -p no:django tests/analytics``).
"""

import pytest
from hypothesis import HealthCheck, settings

# The suite shares a 2-core CI machine with other jobs: time limits on example generation make
# property tests fail for the machine's load, not for a bug.
settings.register_profile("openxm", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("openxm")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _english_command_line(monkeypatch):
    """The CLI speaks the language of OPENXM_LANGUAGE or the locale; tests expect English unless
    they set one (tests/commands/test_cli_language.py)."""
    for name in ("OPENXM_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def make_org(db):
    from openxm.accounts import services

    def make(slug: str = "acme", name: str | None = None):
        return services.bootstrap_organization(slug, name or slug.title())

    return make


@pytest.fixture
def make_member(db):
    from openxm.accounts import services

    def make(org, role: str, email: str | None = None):
        email = email or f"{role}-{org.slug}@example.com"
        user = services.bootstrap_user(email, PASSWORD, name=role.title())
        if services.membership_in(user, org) is None:
            services.add_member(services.operator_actor(org), email, role)
        return user

    return make


@pytest.fixture
def org_a(make_org):
    return make_org("org-a", "Org A")


@pytest.fixture
def org_b(make_org):
    return make_org("org-b", "Org B")


@pytest.fixture
def make_key(db):
    from openxm.accounts import services

    def make(org, role: str = "admin") -> str:
        return services.create_api_key(services.operator_actor(org), f"{role} key", role).plaintext

    return make


@pytest.fixture
def api(client):
    """Calls the API with a key: api(key).get(path) etc."""

    class Caller:
        def __init__(self, key):
            self.headers = {"Authorization": f"Bearer {key}"}

        def get(self, path, **kw):
            return client.get(f"/api/v1{path}", headers=self.headers, **kw)

        def post(self, path, data=None):
            return client.post(
                f"/api/v1{path}", data=data or {}, content_type="application/json", headers=self.headers
            )

        def put(self, path, data=None):
            return client.put(
                f"/api/v1{path}", data=data or {}, content_type="application/json", headers=self.headers
            )

        def delete(self, path):
            return client.delete(f"/api/v1{path}", headers=self.headers)

    return Caller


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
