"""Key rotation: re-encrypt every encrypted column with the first key of OPENXM_ENCRYPTION_KEYS.

The encrypted columns are found, not listed: every field of every installed model that is an
``openxm.crypto`` encrypted field (today messengers' configuration, webhooks' secrets, contacts'
e-mail and phone), so a new one is rotated without a change here. A model that keeps blind
indexes beside them (contacts' ``email_key``/``phone_key``) registered how to recompute them
(``crypto.register_reindex``); they move to the first key in the same save. Rows are read and
saved again per organization (each organization's rows with ``objects.for_org``), in one
transaction per model and organization; rows already under the first key (ciphertext and blind
indexes) are left as they are. Audited as ``privacy.keys_rotated``
per organization (the operator's action, via the CLI).
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from openxm import crypto
from openxm.accounts import audit
from openxm.accounts import services as accounts

ENCRYPTED = (crypto.EncryptedTextField, crypto.EncryptedJSONField)


def encrypted_columns() -> dict[str, tuple[type, list[str]]]:
    """model label -> (model, names of its encrypted fields)."""
    found = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, ENCRYPTED)]
        if names:
            found[model._meta.label] = (model, names)
    return found


def _raw(model, pk, names: list[str]) -> list[str]:
    """The stored values as the database holds them (the fields decrypt on read)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    # Table and column names come from the model's metadata, quoted; the id is a parameter.
    sql = f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        values = cursor.fetchone()
    # A JSON column holds the token as a JSON string: strip its quotes.
    return [str(v).strip('"') if v is not None else "" for v in values]


def rotate_keys() -> dict[str, int]:
    """Re-encrypt what is not under the first key yet (and recompute stale blind indexes); rows
    rewritten per model label."""
    crypto.reset()
    done: dict[str, int] = {}
    for org in accounts.organizations():
        per_org = 0
        for label, (model, names) in encrypted_columns().items():
            with transaction.atomic():
                reindex = crypto.reindexer(label)
                for obj in model.objects.for_org(org).select_for_update():
                    # A row saved under the new key may still carry an old blind index (a save
                    # of other fields writes the ciphertext again but does not reindex).
                    reindexed = reindex(obj) if reindex else set()
                    if not reindexed and all(crypto.is_current(v) for v in _raw(model, obj.pk, names)):
                        continue
                    obj.save(update_fields=[*names, *sorted(reindexed)])
                    done[label] = done.get(label, 0) + 1
                    per_org += 1
        if per_org:
            audit.record(accounts.operator_actor(org), "privacy.keys_rotated", data={"rows": per_org})
    return done
