"""Settings for the test run: openxm's own settings with a test key and an isolated home.

OPENXM_TEST_DATABASE_URL runs the suite on PostgreSQL; without it, SQLite.
"""

import os
import tempfile

os.environ.setdefault("OPENXM_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("OPENXM_HOME", tempfile.mkdtemp(prefix="openxm-test-"))
if os.environ.get("OPENXM_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["OPENXM_TEST_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
# A fixed test key (docs/settings.md, OPENXM_ENCRYPTION_KEYS); tests of the key file unset it.
os.environ.setdefault("OPENXM_ENCRYPTION_KEYS", "Fcbn1MvZ1bd6dFdlq1s9cwnnnQ9UvBcI9-4Sf3pGvZY=")
# The broker under test is given per test (tests/test_celery_redis.py); the suite itself is eager.
os.environ.pop("CELERY_BROKER_URL", None)

from openxm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested separately
