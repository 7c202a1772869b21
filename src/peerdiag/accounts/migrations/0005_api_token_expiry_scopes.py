"""API tokens get an expiry date and a scope.

Tokens made before this migration had neither: each one keeps working for 90 days from the
moment the migration runs (then it expires like any other) and gets the `write` scope, which
is what it could do before (read and change; never sensitive files, which now need the
`sensitive` scope and a fresh two-factor check to make).
"""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

EXISTING_LIFETIME = timedelta(days=90)


def expire_existing_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + EXISTING_LIFETIME
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sign_in_delay"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[
                    ("read", "Read only"),
                    ("write", "Read and change"),
                    ("sensitive", "Read, change and download sensitive files"),
                ],
                default="write",
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
