# Evidence notes, quotes and KIT digests encrypted at rest (issue 15, point 10): each field
# becomes an EncryptedTextField, then the plain text already stored is encrypted in place with
# the newest key of PEERDIAG_CASE_KEYS (and decrypted again on the way back).

from django.db import migrations

import peerdiag.common.fields
from peerdiag.common.fields import decrypt_in_place, encrypt_in_place

ENCRYPTED = {
    "evidencenote": ("title", "heard_from", "body"),
    "quote": ("text",),
    "kitdigest": ("sponsor_response",),
    "digestitem": ("text",),
}


class Migration(migrations.Migration):
    dependencies = [
        ("findings", "0002_versions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="digestitem",
            name="text",
            field=peerdiag.common.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="evidencenote",
            name="body",
            field=peerdiag.common.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="evidencenote",
            name="heard_from",
            field=peerdiag.common.fields.EncryptedTextField(
                blank=True, help_text="Who spoke, by role or group, never by name", max_length=300
            ),
        ),
        migrations.AlterField(
            model_name="evidencenote",
            name="title",
            field=peerdiag.common.fields.EncryptedTextField(max_length=200),
        ),
        migrations.AlterField(
            model_name="kitdigest",
            name="sponsor_response",
            field=peerdiag.common.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="quote",
            name="text",
            field=peerdiag.common.fields.EncryptedTextField(),
        ),
        *(
            migrations.RunPython(
                encrypt_in_place("findings", model, *columns),
                decrypt_in_place("findings", model, *columns),
            )
            for model, columns in ENCRYPTED.items()
        ),
    ]
