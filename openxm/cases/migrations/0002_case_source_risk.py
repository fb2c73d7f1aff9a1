# A case opened for a customer at churn risk (the at-risk list and the profile).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_cases'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='source',
            field=models.CharField(choices=[('rule', 'Alert rule'), ('response', 'Response page'), ('api', 'API'), ('manual', 'By hand'), ('risk', 'Churn risk')], max_length=10),
        ),
    ]
