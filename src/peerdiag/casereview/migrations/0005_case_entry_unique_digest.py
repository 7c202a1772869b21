# Issue 15: each case reference once per list again, now by its keyed digest; the database
# no longer sorts by the (encrypted) reference.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casereview", "0004_encrypt_case_list_entries"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="caselistentry",
            constraint=models.UniqueConstraint(
                fields=("case_list", "ref_digest"), name="case_entry_unique_ref"
            ),
        ),
        migrations.AlterModelOptions(
            name="caselistentry",
            options={"ordering": ["pk"]},
        ),
        migrations.AlterModelOptions(
            name="sampledcase",
            options={"ordering": ["entry__cohort", "pk"]},
        ),
    ]
