"""An upload that fails part-way through being written: a clear error, nothing half-written.

The storage is made to write the first part of the file and then fail, as a full disk or a
dropped connection to object storage would. Afterwards there must be no DocumentVersion row, no
file (whole or partial) under MEDIA_ROOT, the request unchanged, and a message a person can act
on, both from the domain function and on the upload page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from peerdiag.documents.models import DocumentVersion
from tests.documents.helpers import PDF, upload

pytestmark = pytest.mark.django_db

BIG = PDF + b"x" * (3 * 64 * 1024)  # several chunks, so the failure comes part-way


@pytest.fixture
def failing_storage(monkeypatch):  # type: ignore[no-untyped-def]
    """The file system storage writes part of the file, then the disk 'fills up'."""
    original = FileSystemStorage._save

    def _save(self, name, content):  # type: ignore[no-untyped-def]
        real_chunks = content.chunks

        def chunks(chunk_size=None):  # type: ignore[no-untyped-def]
            for chunk in real_chunks(chunk_size=64 * 1024):
                yield chunk[: len(chunk) // 2]  # half the bytes reach the disk ...
                raise OSError(28, "No space left on device")  # ... then it is full

        content.chunks = chunks
        return original(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", _save)


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_failed_write_raises_a_clear_error_and_leaves_nothing(world, settings, failing_storage):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as info:
        supply_document(ask, by=world.organiser, file=upload(BIG, "plan.pdf"), name="plan.pdf")
    assert "could not be stored" in info.value.message
    assert info.value.field == "file"
    ask.refresh_from_db()
    assert ask.status == "requested"
    assert DocumentVersion.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    assert _files(Path(settings.MEDIA_ROOT)) == []


def test_the_upload_page_shows_the_error_and_stores_nothing(world, settings, failing_storage):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    c = Client()
    c.force_login(world.organiser)
    url = f"/diagnostics/{world.own.reference}/documents/{ask.code}/upload/"
    page = c.post(
        url,
        {
            "file": SimpleUploadedFile("plan.pdf", BIG, content_type="application/pdf"),
            "classification": "official",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in html and "could not be stored" in html
    assert DocumentVersion.objects.count() == 0
    assert _files(Path(settings.MEDIA_ROOT)) == []
