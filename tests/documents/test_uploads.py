"""Uploads: content checked against the name, size limit, versions, nothing stored on refusal."""

from __future__ import annotations

import hashlib

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import check_upload, supply_document
from peerdiag.documents.models import DocumentVersion

from .helpers import JPEG, PDF, PNG, ooxml, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (PDF, "plan.pdf", "application/pdf"),
        (PNG, "chart.PNG", "image/png"),
        (JPEG, "photo.jpeg", "image/jpeg"),
        (
            ooxml("word/"),
            "plan.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            ooxml("xl/"),
            "data.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            ooxml("ppt/"),
            "deck.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (b"a,b\n1,2\n", "data.csv", "text/csv"),
        (b"\xef\xbb\xbfhello \xc2\xa3", "notes.txt", "text/plain"),
    ],
)
def test_each_allowed_kind_is_recognised_by_its_content(content, name, expected):  # type: ignore[no-untyped-def]
    assert check_upload(upload(content, name), name) == expected


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (PNG, "report.pdf", "its content is not a PDF"),
        (ooxml("xl/"), "plan.docx", "its content is not a Word document"),
        (PDF, "plan.docx", "its content is not a Word document"),
        (b"hello\x00world", "notes.txt", "its content is not a plain text file"),
        (b"caf\xe9", "data.csv", "its content is not a CSV file in UTF-8"),
        (PDF, "tool.exe", "The file must be a PDF, Word, Excel"),
        (b"", "empty.pdf", "The selected file is empty"),
    ],
)
def test_mismatched_or_unknown_files_are_refused_naming_the_file_field(content, name, words):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        check_upload(upload(content, name), name)
    assert e.value.field == "file"
    assert words in e.value.message


def test_the_size_limit_comes_from_settings(settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_UPLOAD_MAX_MB = 1
    big = PDF + b"x" * (1024 * 1024)
    with pytest.raises(DomainError) as e:
        check_upload(upload(big, "big.pdf"), "big.pdf")
    assert e.value.message == "The file must be smaller than 1 MB"
    settings.PEERDIAG_UPLOAD_MAX_MB = 2
    assert check_upload(upload(big, "big.pdf"), "big.pdf") == "application/pdf"


def test_supplying_stores_a_new_version_each_time(world):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    v1 = supply_document(ask, by=world.organiser, file=upload(PDF, "plan.pdf"), name="plan.pdf")
    v2 = supply_document(
        ask,
        by=world.organiser,
        file=upload(PDF + b"2", "../../plan v2.pdf"),
        name="../../plan v2.pdf",
        classification="personal_data",
    )
    ask.refresh_from_db()
    assert ask.status == "supplied"
    assert [v.version for v in ask.versions.all()] == [2, 1]
    assert v2.original_name == "plan v2.pdf"
    assert v2.classification == "personal_data" and v2.sensitive and not v1.sensitive
    assert v2.sha256 == hashlib.sha256(PDF + b"2").hexdigest()
    assert v2.size == len(PDF) + 1
    # Stored under the reference and a random folder, never at the user's own name.
    assert v1.file.name.startswith("documents/RPD-2027-001/")
    assert v1.file.name.endswith("/v1.pdf") and v2.file.name.endswith("/v2.pdf")
    assert v1.file.name.split("/")[2] != v2.file.name.split("/")[2]
    with v2.file.open("rb") as f:
        assert f.read() == PDF + b"2"
    assert world.own.audit.filter(summary__startswith="Supplied version 2 of").count() == 1


def test_a_refused_file_stores_nothing(world, settings):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    with pytest.raises(DomainError):
        supply_document(ask, by=world.organiser, file=upload(PNG, "plan.pdf"), name="plan.pdf")
    ask.refresh_from_db()
    assert ask.status == "requested"
    assert DocumentVersion.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not (media / "documents").exists()
