"""EncryptedTextField: what the database holds, what Python reads, which queries are refused,
how Django's own machinery copes with it, key rotation and the migration helpers.

The field is tried on a real model (EvidenceNote, Quote) so the tables are the real ones.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import connection, models
from django.forms.models import model_to_dict
from django.test.utils import isolate_apps

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import DomainGrade
from peerdiag.common import crypto
from peerdiag.common.fields import (
    EncryptedTextField,
    KeysMissing,
    decrypt_in_place,
    encrypt_in_place,
    encrypted_fields,
    rotate_keys,
)
from peerdiag.diagnostics.models import TeamMember
from peerdiag.findings.models import DigestItem, EvidenceNote, KitDigest, Quote
from tests.casereview.helpers import add_auditor, released_case

SECRET = "The duty social worker said the front door is overwhelmed"


def _raw(table: str, column: str, pk: int) -> str | None:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cur.fetchone()[0]  # type: ignore[no-any-return,index]


def _note(world, **kw) -> EvidenceNote:  # type: ignore[no-untyped-def]
    fields = {
        "diagnostic": world.own,
        "author": TeamMember.objects.get(diagnostic=world.own, person=world.peer.person),
        "source_type": "data",
        "title": "Front door",
        "body": SECRET,
    }
    return EvidenceNote.objects.create(**{**fields, **kw})


class Keys:
    """Sets PEERDIAG_CASE_KEYS (newest first). The keys are cached per value of the variable
    (crypto._keyring_from), so a new value takes effect at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.old = Fernet.generate_key().decode()
        self(self.old)

    def __call__(self, *keys: str) -> None:
        self.monkeypatch.setenv(crypto.ENV, ",".join(keys))


@pytest.fixture
def keys(monkeypatch):  # type: ignore[no-untyped-def]
    """A fresh key of the test's own, set as the only one."""
    return Keys(monkeypatch)


# What is stored, what is read ---------------------------------------------------------------


def test_the_column_holds_a_token_and_python_reads_the_text(world):  # type: ignore[no-untyped-def]
    note = _note(world)
    raw = _raw("findings_evidencenote", "body", note.pk)
    assert raw is not None and SECRET not in raw and "front door" not in raw.lower()
    assert raw.startswith("gAAAA")  # a Fernet token
    assert crypto.decrypt(raw) == SECRET
    assert EvidenceNote.objects.get(pk=note.pk).body == SECRET
    # The same text twice makes two different tokens, which is why the database cannot compare.
    again = _note(world)
    assert _raw("findings_evidencenote", "body", again.pk) != raw


def test_an_empty_text_is_stored_empty_and_can_be_asked_for(world):  # type: ignore[no-untyped-def]
    blank = _note(world, body="", heard_from="")
    full = _note(world)
    assert _raw("findings_evidencenote", "body", blank.pk) == ""
    assert list(EvidenceNote.objects.filter(body="")) == [blank]
    assert list(EvidenceNote.objects.exclude(body="")) == [full]
    assert not EvidenceNote.objects.filter(body__isnull=True).exists()


@pytest.mark.parametrize(
    "query",
    [
        {"body": SECRET},
        {"body__icontains": "front"},
        {"body__startswith": "The"},
        {"title__in": ["Front door"]},
        {"heard_from__iexact": ""},
        {"body__gt": "A"},
        {"quotes__text__contains": "x"},
    ],
    ids=lambda q: next(iter(q)),
)
def test_every_comparison_in_the_database_is_refused_by_name(world, query):  # type: ignore[no-untyped-def]
    _note(world)
    lookup = next(iter(query)).split("__")[-1] if "__" in next(iter(query)) else "exact"
    with pytest.raises(
        TypeError, match=rf"is encrypted: the database cannot compare it \('{lookup}'\)"
    ):
        list(EvidenceNote.objects.filter(**query))
    with pytest.raises(TypeError, match="filter in Python after reading"):
        list(EvidenceNote.objects.exclude(**query))


def test_the_refusal_names_the_model_and_field(world):  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match=r"^Quote\.text is encrypted"):
        Quote.objects.filter(text__icontains="x").exists()
    with pytest.raises(TypeError, match=r"^DigestItem\.text is encrypted"):
        DigestItem.objects.filter(text="Removed").exists()
    with pytest.raises(TypeError, match=r"^KitDigest\.sponsor_response is encrypted"):
        KitDigest.objects.exclude(sponsor_response="x").exists()


# Django's own machinery ---------------------------------------------------------------------


def test_values_deferred_loading_refresh_and_updates_work(world):  # type: ignore[no-untyped-def]
    note = _note(world, heard_from="Team managers (3)")
    assert list(EvidenceNote.objects.values_list("body", flat=True)) == [SECRET]
    assert EvidenceNote.objects.values("title", "heard_from").get() == {
        "title": "Front door",
        "heard_from": "Team managers (3)",
    }
    deferred = EvidenceNote.objects.defer("body").get(pk=note.pk)
    assert deferred.body == SECRET  # loaded on first use, decrypted
    only = EvidenceNote.objects.only("pk", "title").get(pk=note.pk)
    assert (only.title, only.heard_from) == ("Front door", "Team managers (3)")

    EvidenceNote.objects.filter(pk=note.pk).update(body="Changed by update()")
    note.refresh_from_db(fields=["body"])
    assert note.body == "Changed by update()"
    assert "Changed" not in _raw("findings_evidencenote", "body", note.pk)  # type: ignore[operator]

    note.title = "Saved by save()"
    note.save(update_fields=["title"])
    assert "Saved" not in _raw("findings_evidencenote", "title", note.pk)  # type: ignore[operator]
    assert EvidenceNote.objects.get(pk=note.pk).title == "Saved by save()"


def test_bulk_create_and_bulk_update_encrypt_too(world):  # type: ignore[no-untyped-def]
    notes = EvidenceNote.objects.bulk_create(
        EvidenceNote(diagnostic=world.own, source_type="data", title=f"Bulk {i}", body=SECRET)
        for i in range(3)
    )
    ids = [n.pk for n in EvidenceNote.objects.order_by("pk")]
    assert all(SECRET not in (_raw("findings_evidencenote", "body", pk) or "") for pk in ids)
    for n, pk in zip(notes, ids, strict=True):
        n.pk = pk
        n.body = f"Updated {pk}"
    EvidenceNote.objects.bulk_update(notes, ["body"])
    for pk in ids:
        assert "Updated" not in (_raw("findings_evidencenote", "body", pk) or "")
        assert EvidenceNote.objects.get(pk=pk).body == f"Updated {pk}"


def test_full_clean_checks_the_plain_texts_length_and_the_constraints(world):  # type: ignore[no-untyped-def]
    note = _note(world)
    note.full_clean()  # the 100-odd character token is not what max_length measures
    note.title = "x" * 201
    with pytest.raises(ValidationError) as e:
        note.full_clean()
    assert "at most 200 characters" in str(e.value.message_dict["title"])


def test_the_admin_lists_filters_and_edits_a_model_with_encrypted_fields(world, rf):  # type: ignore[no-untyped-def]
    class NoteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
        list_display = ["code", "title", "heard_from", "source_type"]
        list_filter = ["source_type"]

    note = _note(world)
    _note(world, source_type="interview", title="Not data")
    model_admin = NoteAdmin(EvidenceNote, AdminSite())
    request = rf.get("/", {"source_type__exact": "data"})
    request.user = world.admin
    listed = model_admin.get_changelist_instance(request).result_list
    assert [n.title for n in listed] == ["Front door"]

    form_class = model_admin.get_form(request, note)
    data = {k: v for k, v in model_to_dict(note).items() if v is not None}
    data.update(title="Edited in the admin", body="New words", kloes=[])
    form = form_class(data=data, instance=note)
    assert form.is_valid(), form.errors
    form.save()
    assert EvidenceNote.objects.get(pk=note.pk).body == "New words"
    assert "New words" not in (_raw("findings_evidencenote", "body", note.pk) or "")


def test_an_admin_search_on_an_encrypted_field_is_refused_not_empty(world, rf):  # type: ignore[no-untyped-def]
    class NoteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
        search_fields = ["body"]

    _note(world)
    request = rf.get("/", {"q": "front"})
    request.user = world.admin
    with pytest.raises(TypeError, match=r"EvidenceNote\.body is encrypted"):
        NoteAdmin(EvidenceNote, AdminSite()).get_changelist_instance(request)


@isolate_apps("peerdiag.common")
def test_the_model_checks_refuse_sorting_or_uniqueness_on_an_encrypted_field():  # type: ignore[no-untyped-def]
    class Sorted(models.Model):  # noqa: DJ008
        secret = EncryptedTextField()
        other = EncryptedTextField(unique=True)

        class Meta:
            app_label = "common"
            ordering = ["-secret"]

    errors = {e.id: e.msg for e in Sorted.check()}
    assert "take it out of Meta.ordering" in errors["peerdiag.E001"]
    assert "Sorted.other is encrypted" in errors["peerdiag.E002"]


def test_every_encrypted_field_is_found_for_rotation():  # type: ignore[no-untyped-def]
    found = {m._meta.label: names for m, names in encrypted_fields()}
    assert found["findings.EvidenceNote"] == ["title", "heard_from", "body"]
    assert found["findings.Quote"] == ["text"]
    assert found["findings.KitDigest"] == ["sponsor_response"]
    assert found["findings.DigestItem"] == ["text"]


# Rotation -----------------------------------------------------------------------------------


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_alone_then_fails(world, keys):  # type: ignore[no-untyped-def]
    note = _note(world, heard_from="Team managers (3)")
    blank = _note(world, body="", heard_from="")
    before = _raw("findings_evidencenote", "body", note.pk)
    new = Fernet.generate_key().decode()
    keys(new, keys.old)

    changed = rotate_keys()
    assert changed["findings.EvidenceNote"] == 2  # both rows: each has a title
    after = _raw("findings_evidencenote", "body", note.pk)
    assert after != before and SECRET not in (after or "")
    assert Fernet(new.encode()).decrypt(after.encode()).decode() == SECRET  # type: ignore[union-attr]
    assert _raw("findings_evidencenote", "body", blank.pk) == ""

    # Again: everything is already under the newest key, nothing is written.
    assert rotate_keys()["findings.EvidenceNote"] == 0
    assert _raw("findings_evidencenote", "body", note.pk) == after

    keys(new)  # the old key can go
    assert EvidenceNote.objects.get(pk=note.pk).body == SECRET
    keys(keys.old)  # and with only the old key, the content no longer opens
    with pytest.raises(ImproperlyConfigured, match="is its key missing"):
        EvidenceNote.objects.get(pk=note.pk).body  # noqa: B018


def test_a_token_under_a_key_no_longer_held_is_named_and_the_rest_still_rotates(world, keys):  # type: ignore[no-untyped-def]
    gone = Fernet.generate_key().decode()
    keys(gone)
    lost = _note(world, title="Made under a key that was dropped")
    current = Fernet.generate_key().decode()
    keys(current)
    kept = _note(world, title="Made under the current key")
    newest = Fernet.generate_key().decode()
    keys(newest, current)
    with pytest.raises(KeysMissing) as e:
        rotate_keys()
    assert e.value.unreadable == {"findings.EvidenceNote": 1}
    assert e.value.rotated["findings.EvidenceNote"] == 1
    assert "findings.EvidenceNote" in str(e.value)
    assert "put back the key they were made with" in str(e.value)
    raw = _raw("findings_evidencenote", "title", kept.pk) or ""
    assert Fernet(newest.encode()).decrypt(raw.encode()).decode() == "Made under the current key"
    keys(gone)  # the lost row was left exactly as it was
    assert EvidenceNote.objects.get(pk=lost.pk).title == "Made under a key that was dropped"


def test_the_command_rotates_case_review_tokens_and_encrypted_fields_alike(world, keys, capsys):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    grades = {d: GradeIn("good", "Seen alone", "") for d in AuditDomain.values}
    save_audit(
        released_case(world.own),
        by=auditor,
        header={},
        grades=grades,
        overall_grade="good",
        difference="Safer",
        finish=True,
        version=0,
    )
    note = _note(world)
    new = Fernet.generate_key().decode()
    keys(new, keys.old)
    call_command("casereview", "rotate-keys")
    out = capsys.readouterr().out
    assert f"casereview.DomainGrade: {len(grades)}" in out
    assert "findings.EvidenceNote: 1" in out and "Re-encrypted" in out
    keys(new)
    assert {crypto.decrypt(g.evidence_enc) for g in DomainGrade.objects.all()} == {"Seen alone"}
    assert EvidenceNote.objects.get(pk=note.pk).body == SECRET
    call_command("casereview", "rotate-keys")
    assert "Re-encrypted 0 records" in capsys.readouterr().out


# Migrations ---------------------------------------------------------------------------------


def _editor() -> SimpleNamespace:
    """What a migration's RunPython gets as its schema editor, as far as the helpers use it
    (SQLite's real one cannot open inside a test's transaction)."""
    return SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)


def _plain(pk: int, text: str) -> None:
    """Write plain text straight into the column, as it was before the migration."""
    with connection.cursor() as cur:
        cur.execute("UPDATE findings_quote SET text = %s WHERE id = %s", [text, pk])


def test_the_migration_helper_encrypts_plain_rows_once_and_the_way_back_decrypts(world):  # type: ignore[no-untyped-def]
    note = _note(world)
    quotes = [
        Quote.objects.create(note=note, text=f"placeholder {i}", group="Managers", group_size=5)
        for i in range(3)
    ]
    _plain(quotes[0].pk, "Nobody reads my reports")
    _plain(quotes[1].pk, "")
    # quotes[2] is already a token (written through the model): it must not be encrypted twice.
    token = _raw("findings_quote", "text", quotes[2].pk)

    forward = encrypt_in_place("findings", "quote", "text")
    forward(django_apps, _editor())
    first = _raw("findings_quote", "text", quotes[0].pk)
    assert first and "reports" not in first and crypto.decrypt(first) == "Nobody reads my reports"
    assert _raw("findings_quote", "text", quotes[1].pk) == ""
    assert _raw("findings_quote", "text", quotes[2].pk) == token
    assert [q.text for q in Quote.objects.order_by("pk")] == [
        "Nobody reads my reports",
        "",
        "placeholder 2",
    ]
    forward(django_apps, _editor())  # a second run changes nothing
    assert _raw("findings_quote", "text", quotes[0].pk) == first

    decrypt_in_place("findings", "quote", "text")(django_apps, _editor())
    assert _raw("findings_quote", "text", quotes[0].pk) == "Nobody reads my reports"
    assert _raw("findings_quote", "text", quotes[2].pk) == "placeholder 2"
