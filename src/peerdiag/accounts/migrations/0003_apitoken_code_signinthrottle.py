"""API tokens get a public code (for the token pages' URLs); failed sign-ins get counted."""

from django.db import migrations, models

import peerdiag.common.models


def give_codes(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(code__isnull=True).only("pk"):
        token.code = peerdiag.common.models.new_code()
        token.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_invitation_totpdevice_recoverycode"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="code",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="code",
            field=models.CharField(
                default=peerdiag.common.models.new_code,
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
        migrations.AlterModelOptions(
            name="apitoken",
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.CreateModel(
            name="SignInThrottle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=80, unique=True)),
                ("failures", models.PositiveIntegerField(default=0)),
                ("window_started_at", models.DateTimeField()),
                ("locked_until", models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]
