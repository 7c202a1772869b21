# Issue 15: every case list entry already stored gets the keyed digest of its (still plain)
# reference, then its reference, team and legal status are encrypted in place with the newest
# key of PEERDIAG_CASE_KEYS. Going back decrypts them; the digests are simply left.

from django.db import migrations

from peerdiag.common.fields import decrypt_in_place, encrypt_in_place

COLUMNS = ("pseudonymous_ref", "team", "legal_status")


def fill_digests(apps, schema_editor):
    # Read the plain column with SQL: the historical model's field would try to decrypt it.
    from peerdiag.casereview.models import reference_digest

    model = apps.get_model("casereview", "caselistentry")
    table = schema_editor.quote_name(model._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, pseudonymous_ref FROM {table}")  # noqa: S608
        for pk, ref in cursor.fetchall():
            cursor.execute(
                f"UPDATE {table} SET ref_digest = %s WHERE id = %s",  # noqa: S608
                [reference_digest(ref or ""), pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("casereview", "0003_reference_format_and_encrypted_entries"),
    ]

    operations = [
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
        migrations.RunPython(
            encrypt_in_place("casereview", "caselistentry", *COLUMNS),
            decrypt_in_place("casereview", "caselistentry", *COLUMNS),
        ),
    ]
