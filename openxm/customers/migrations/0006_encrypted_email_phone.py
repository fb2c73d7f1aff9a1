"""A contact's e-mail and phone encrypted at rest; their key columns become blind indexes.

The data step reads every contact (values stored before are plain text, which the encrypted
field reads as it is), saves e-mail and phone encrypted and replaces ``email_key``/``phone_key``
(the normalised values until now) by their blind indexes (``openxm.crypto``), in chunks. It
needs the encryption keys as the running server does (``OPENXM_ENCRYPTION_KEYS``, or the
embedded default's key file). Not reversible: the plain values are not written back.
"""

import openxm.crypto
from django.db import migrations, models

CHUNK = 2000


def encrypt_contacts(apps, schema_editor):
    from openxm.crypto import blind_index
    from openxm.customers.identifiers import email_key, phone_key

    Contact = apps.get_model("customers", "Contact")
    names = ["email", "phone", "email_key", "phone_key"]
    batch = []
    for contact in Contact._default_manager.only("pk", *names).order_by("pk").iterator(chunk_size=CHUNK):
        contact.email_key = blind_index(email_key(contact.email))
        contact.phone_key = blind_index(phone_key(contact.phone))
        batch.append(contact)
        if len(batch) == CHUNK:
            Contact._default_manager.bulk_update(batch, names)
            batch = []
    if batch:
        Contact._default_manager.bulk_update(batch, names)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0005_contact_value_tier_settings"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contact",
            name="customers_c_organiz_3ecf30_idx",
        ),
        migrations.AlterField(
            model_name="contact",
            name="phone_key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="contact",
            name="email",
            field=openxm.crypto.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="contact",
            name="phone",
            field=openxm.crypto.EncryptedTextField(blank=True),
        ),
        # Widened (phone_key) before and narrowed (email_key) after the data step: a blind
        # index is 64 characters.
        migrations.RunPython(encrypt_contacts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contact",
            name="email_key",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
