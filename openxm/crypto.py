"""Encryption at rest: MultiFernet with keys from ``OPENXM_ENCRYPTION_KEYS``, blind indexes.

A platform piece every app may use (it imports no app).

* Keys: ``OPENXM_ENCRYPTION_KEYS`` is a comma-separated list of Fernet keys (urlsafe base64 of
  32 bytes; ``openxm privacy generate-key`` prints one). The first key encrypts; every key
  decrypts, so a new key is put first and the old one kept until ``openxm privacy rotate-keys``
  has re-encrypted everything with the first. The keys are never derived from the Django secret
  key.
* Unset: the embedded default (SQLite, no ``DATABASE_URL``) creates a key file
  ``OPENXM_HOME/encryption.keys`` (mode 0600) on first use and reads it after; back it up with
  the database. With ``DATABASE_URL`` set and debug off, the start-up check ``openxm.E002`` stops
  the server instead (``openxm.web.checks``).
* :class:`EncryptedTextField` stores text as a Fernet token (``fernet:`` + token); a value
  written before encryption was switched on (no prefix) is read as it is and encrypted at the
  next save or rotation.
* :func:`blind_index`: HMAC-SHA256 of a normalised value under a key derived (HKDF) from an
  encryption key, so an encrypted e-mail or phone can be looked up exactly
  (:func:`blind_indexes` gives one per key, so lookups keep working during a rotation). A model
  with blind-index columns registers how to recompute them (:func:`register_reindex`), so
  ``openxm privacy rotate-keys`` moves them to the first key with the ciphertext.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

PREFIX = "fernet:"
KEY_FILE = "encryption.keys"
ENV = "OPENXM_ENCRYPTION_KEYS"


class EncryptionKeyError(ImproperlyConfigured):
    """The keys are missing or malformed; the message says which and what to do."""


def _parse(raw: str, where: str) -> list[bytes]:
    keys = [k.strip().encode() for k in raw.split(",") if k.strip()]
    if not keys:
        raise EncryptionKeyError(f"{where}: no key given")
    for i, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise EncryptionKeyError(
                f"{where}: key {i} is not a Fernet key (32 bytes, urlsafe base64; "
                "`openxm privacy generate-key` prints one)"
            ) from None
    return keys


@cache
def keys() -> tuple[bytes, ...]:
    """The keys in use, first = the one that encrypts (see the module docstring)."""
    raw = os.environ.get("OPENXM_ENCRYPTION_KEYS") or ""
    if raw.strip():
        return tuple(_parse(raw, ENV))
    from django.conf import settings

    if getattr(settings, "DATABASE_URL", None) and not settings.DEBUG:
        raise EncryptionKeyError(
            f"{ENV} is not set. A deployment with DATABASE_URL needs its encryption keys from the "
            f"environment: {ENV}=$(openxm privacy generate-key) (docs/settings.md)."
        )
    path = Path(settings.OPENXM_HOME) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(Fernet.generate_key().decode() + "\n")
    return tuple(_parse(path.read_text(), str(path)))


def reset() -> None:
    """Forget the cached keys (after the environment changed: tests, rotation)."""
    keys.cache_clear()
    _fernet.cache_clear()
    _index_keys.cache_clear()


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys()])


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(text: str) -> str:
    """``text`` encrypted with the first key ("" stays "": nothing to hide, and blank checks work)."""
    if not text:
        return ""
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    """The text of a stored value; a value without the prefix is plain text from before."""
    if not stored or not stored.startswith(PREFIX):
        return stored or ""
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise EncryptionKeyError(
            f"a stored value cannot be decrypted with the keys in {ENV}: was a key removed "
            "before `openxm privacy rotate-keys` ran?"
        ) from None


def is_current(stored: str) -> bool:
    """Whether a stored value is encrypted with the first key (rotation skips those)."""
    if not stored:
        return True
    if not stored.startswith(PREFIX):
        return False
    try:
        Fernet(keys()[0]).decrypt(stored[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


@cache
def _index_keys() -> tuple[bytes, ...]:
    return tuple(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"openxm blind index").derive(k)
        for k in keys()
    )


def blind_index(value: str) -> str:
    """The keyed hash of ``value`` (already normalised) under the first key; "" for ""."""
    if not value:
        return ""
    return hmac.new(_index_keys()[0], value.encode(), hashlib.sha256).hexdigest()


def blind_indexes(value: str) -> list[str]:
    """The keyed hash of ``value`` under every key: look up with ``column__in`` so rows indexed
    before a rotation are still found."""
    if not value:
        return []
    return [hmac.new(k, value.encode(), hashlib.sha256).hexdigest() for k in _index_keys()]


# model label -> recompute the instance's blind-index columns, returning the names that changed.
_REINDEX: dict[str, Callable[[models.Model], set[str]]] = {}


def register_reindex(label: str, refresh: Callable[[models.Model], set[str]]) -> None:
    """Declare that ``label``'s rows keep blind indexes, recomputed by ``refresh(obj)`` (called
    from the owning app's ``AppConfig.ready``)."""
    _REINDEX[label] = refresh


def reindexer(label: str) -> Callable[[models.Model], set[str]] | None:
    return _REINDEX.get(label)


class _DecryptOnRead(DeferredAttribute):
    """The attribute of an :class:`EncryptedTextField`: the instance keeps the stored token as
    loaded and decrypts it at the first read (then keeps the text). Loading many rows costs no
    decryption for the columns nobody reads (a segment's members, an import's known contacts).
    A data descriptor, so every read comes here and not straight from the instance's dict."""

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if instance is not None and isinstance(value, str) and value.startswith(PREFIX):
            value = instance.__dict__[self.field.attname] = decrypt(value)
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text stored encrypted (see the module docstring); a model instance reads it decrypted.
    Not for filtering: the ciphertext differs at every write; keep a :func:`blind_index` column
    beside it for exact lookups. ``values()``/``values_list()`` give the stored token: pass it
    to :func:`decrypt`."""

    descriptor_class = _DecryptOnRead

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


class EncryptedJSONField(models.JSONField):
    """A JSON value stored as one encrypted string (a messenger's configuration with its
    tokens). A value stored before encryption (a plain JSON object) is read as it is."""

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, str) and value.startswith(PREFIX):
            import json

            return json.loads(decrypt(value))
        return value

    def get_prep_value(self, value):
        import json

        if value is None:
            return super().get_prep_value(value)
        return super().get_prep_value(encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True)))
