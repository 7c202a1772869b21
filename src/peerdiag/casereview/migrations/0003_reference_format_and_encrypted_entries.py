# Issue 15: the council's case reference format on the case review, and the case list entries'
# reference, team and legal status encrypted at rest. This step changes the columns; 0004
# fills the digests and encrypts the rows already stored; 0005 puts the uniqueness back, on the
# digest (an encrypted column cannot be compared).

from django.db import migrations, models

import peerdiag.common.fields


class Migration(migrations.Migration):
    dependencies = [
        ("casereview", "0002_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="casereview",
            name="reference_pattern",
            field=models.CharField(blank=True, max_length=200, verbose_name="reference format"),
        ),
        migrations.RemoveConstraint(
            model_name="caselistentry",
            name="case_entry_unique_ref",
        ),
        migrations.AddField(
            model_name="caselistentry",
            name="ref_digest",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="caselistentry",
            name="pseudonymous_ref",
            field=peerdiag.common.fields.EncryptedTextField(verbose_name="case reference"),
        ),
        migrations.AlterField(
            model_name="caselistentry",
            name="team",
            field=peerdiag.common.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="caselistentry",
            name="legal_status",
            field=peerdiag.common.fields.EncryptedTextField(blank=True),
        ),
    ]
