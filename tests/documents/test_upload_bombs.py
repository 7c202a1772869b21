"""Issue 15, finding 5: a zip-bomb Word, Excel or PowerPoint file is refused before it is stored
or handed on; real Office files are still accepted."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peerdiag.common.errors import DomainError
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from peerdiag.documents.models import DocumentVersion
from tests.common.zips import (
    many_entries,
    presentation,
    with_entry,
    word_document,
    workbook,
    zeros_zip,
)

from .helpers import upload

pytestmark = pytest.mark.django_db

TOO_BIG = "The file must be smaller than 50 MB once uncompressed"


def _refused(world, settings, content: bytes, name: str) -> str:  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    with pytest.raises(DomainError) as e:
        supply_document(ask, by=world.organiser, file=upload(content, name), name=name)
    assert e.value.field == "file"
    ask.refresh_from_db()
    assert ask.status == "requested"
    assert DocumentVersion.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "documents").exists()
    return e.value.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.docx", lambda: zeros_zip("word/document.xml", 300, base=word_document())),
        ("deck.pptx", lambda: zeros_zip("ppt/media/image1.png", 300, base=presentation())),
        ("data.xlsx", lambda: zeros_zip("xl/worksheets/sheet1.xml", 300, base=workbook([["a"]]))),
    ],
)
def test_a_300_mb_bomb_is_refused_and_nothing_is_stored(world, settings, name, content):  # type: ignore[no-untyped-def]
    assert _refused(world, settings, content(), name).startswith(TOO_BIG)


def test_the_limit_unpacked_grows_with_the_upload_limit(world, settings):  # type: ignore[no-untyped-def]
    settings.PEERDIAG_UPLOAD_MAX_MB = 100
    bomb = zeros_zip("word/media/scan.bin", 300, base=word_document())
    assert _refused(world, settings, bomb, "plan.docx").startswith(
        "The file must be smaller than 200 MB once uncompressed"
    )


def test_twenty_thousand_parts_are_refused(world, settings):  # type: ignore[no-untyped-def]
    message = _refused(world, settings, many_entries(20_000), "plan.docx")
    assert "no more than 10,000 parts" in message


def test_a_part_compressed_over_a_hundred_to_one_is_refused(world, settings):  # type: ignore[no-untyped-def]
    bomb = zeros_zip("word/media/blank.bin", 20, base=word_document())
    assert "must not be compressed more than 100 to 1" in _refused(world, settings, bomb, "p.docx")


def test_a_part_that_climbs_out_is_refused(world, settings):  # type: ignore[no-untyped-def]
    evil = with_entry("../../../../home/peerdiag/.bashrc", base=word_document())
    assert "a part whose name points outside it" in _refused(world, settings, evil, "plan.docx")


def test_a_broken_zip_named_docx_is_refused_as_not_a_word_document(world, settings):  # type: ignore[no-untyped-def]
    message = _refused(world, settings, word_document()[:-40], "plan.docx")
    assert "its content is not a Word document" in message


def test_the_upload_page_shows_the_refusal_and_stores_nothing(world, settings):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Plan")
    c = Client()
    c.force_login(world.organiser)
    bomb = zeros_zip("word/document.xml", 300, base=word_document())
    page = c.post(
        f"/diagnostics/{world.own.reference}/documents/{ask.code}/upload/",
        {"file": SimpleUploadedFile("plan.docx", bomb), "classification": "official"},
    )
    assert page.status_code == 200
    assert f'href="#id_file">{TOO_BIG}' in page.content.decode()
    assert DocumentVersion.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "documents").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.docx", word_document),
        ("deck.pptx", presentation),
        ("data.xlsx", lambda: workbook([["a"]])),
    ],
)
def test_real_office_files_are_still_stored(world, name, content):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Improvement plan")
    data = content()
    version = supply_document(ask, by=world.organiser, file=upload(data, name), name=name)
    version.file.open("rb")
    assert version.file.read() == data
