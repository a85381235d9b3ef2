"""The day from which a line change holds, so the volume in force can be derived per date.

Existing changes get the effective date of their change request, or 1 January of their year.
"""

import datetime

from django.db import migrations, models


def fill_effective_from(apps, schema_editor):
    AgreementLineChange = apps.get_model("agreements", "AgreementLineChange")
    changes = list(
        AgreementLineChange.objects.filter(effective_from__isnull=True).select_related("change_request")
    )
    for change in changes:
        if change.change_request_id is not None:
            change.effective_from = change.change_request.effective_from
        else:
            change.effective_from = datetime.date(change.year, 1, 1)
    AgreementLineChange.objects.bulk_update(changes, ["effective_from"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_sign_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreementlinechange",
            name="effective_from",
            field=models.DateField(
                blank=True,
                help_text="De dag vanaf welke de nieuwe afname geldt; daarvoor gold de oude afname.",
                null=True,
                verbose_name="geldt vanaf",
            ),
        ),
        migrations.RunPython(fill_effective_from, migrations.RunPython.noop),
    ]
