"""The responses' idempotency key constraint leads with the organization (see Response.Meta)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_quota_counts")]

    operations = [
        migrations.RemoveConstraint(model_name="response", name="uniq_response_idempotency"),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                fields=("organization", "survey", "idempotency_key"), name="uniq_response_idempotency"
            ),
        ),
    ]
