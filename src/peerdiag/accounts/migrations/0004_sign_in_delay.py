from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apitoken_code_signinthrottle"),
    ]

    operations = [
        migrations.RenameField(
            model_name="signinthrottle",
            old_name="locked_until",
            new_name="wait_until",
        ),
        migrations.AddField(
            model_name="signinthrottle",
            name="last_failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signinthrottle",
            name="warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
