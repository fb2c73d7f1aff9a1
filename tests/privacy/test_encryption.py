"""Secrets are ciphertext in the raw database, keys rotate, blind indexes survive a rotation."""

import os
import stat

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from openxm import crypto
from openxm.alerts import services as alerts
from openxm.alerts.models import Webhook
from openxm.distribution import services as distribution
from openxm.distribution.models import Messenger
from openxm.privacy.keys import rotate_keys

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TOKEN = "sms-app-secret-4242"


pytestmark = pytest.mark.usefixtures("fresh_keys")


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return [str(r[0]) for r in cursor.fetchall()]


def seed(owner):
    alerts.save_webhook(owner, "crm", "standard", "https://hooks.example.com/x", SECRET)
    distribution.create_messenger(
        owner, "sms", "SMS", {"url": "https://sms.example.com/send", "secret": TOKEN}
    )


def test_secrets_are_ciphertext_in_the_raw_database(owner, org_a):
    seed(owner)
    [secret] = raw("alerts_webhook", "secret")
    [config] = raw("distribution_messenger", "config")
    assert secret.startswith("fernet:") and SECRET not in secret
    assert "fernet:" in config and TOKEN not in config
    assert Webhook.objects.for_org(org_a).get().secret == SECRET
    assert Messenger.objects.for_org(org_a).get().config["secret"] == TOKEN


def test_rotation_re_encrypts_with_the_first_key(owner, org_a, monkeypatch):
    old = os.environ["OPENXM_ENCRYPTION_KEYS"]
    seed(owner)
    before = raw("alerts_webhook", "secret")
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("OPENXM_ENCRYPTION_KEYS", f"{new},{old}")
    crypto.reset()
    assert Webhook.objects.for_org(org_a).get().secret == SECRET  # the old key still decrypts
    assert rotate_keys() == {"alerts.Webhook": 1, "distribution.Messenger": 1}
    assert rotate_keys() == {}  # nothing left under the old key
    assert raw("alerts_webhook", "secret") != before
    monkeypatch.setenv("OPENXM_ENCRYPTION_KEYS", new)  # the old key retired
    crypto.reset()
    assert Webhook.objects.for_org(org_a).get().secret == SECRET
    assert Messenger.objects.for_org(org_a).get().config["secret"] == TOKEN


def test_blind_index_finds_a_value_across_a_rotation(monkeypatch):
    old = os.environ["OPENXM_ENCRYPTION_KEYS"]
    stored = crypto.blind_index("li.wei@example.com")
    assert stored == crypto.blind_index("li.wei@example.com") != crypto.blind_index("li.wai@example.com")
    assert "li.wei" not in stored and len(stored) == 64
    monkeypatch.setenv("OPENXM_ENCRYPTION_KEYS", f"{Fernet.generate_key().decode()},{old}")
    crypto.reset()
    assert crypto.blind_index("li.wei@example.com") != stored
    assert stored in crypto.blind_indexes("li.wei@example.com")


def test_embedded_default_writes_a_private_key_file(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENXM_ENCRYPTION_KEYS")
    settings.OPENXM_HOME = tmp_path
    settings.DATABASE_URL = None
    token = crypto.encrypt("x")
    path = tmp_path / crypto.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    crypto.reset()
    assert crypto.decrypt(token) == "x"  # read back from the file


def test_a_deployment_without_keys_is_refused(settings, monkeypatch):
    monkeypatch.delenv("OPENXM_ENCRYPTION_KEYS")
    settings.DATABASE_URL, settings.DEBUG = "postgres://db/openxm", False
    with pytest.raises(crypto.EncryptionKeyError) as error:
        crypto.encrypt("x")
    assert "OPENXM_ENCRYPTION_KEYS" in str(error.value)


def test_a_malformed_key_is_named(monkeypatch):
    monkeypatch.setenv("OPENXM_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(crypto.EncryptionKeyError) as error:
        crypto.keys()
    assert "key 1 is not a Fernet key" in str(error.value)
