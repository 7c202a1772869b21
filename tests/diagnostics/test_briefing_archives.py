"""Issue 15, finding 5: a zip-bomb or damaged Word or OpenDocument briefing is refused before it
is stored and handed to the peers; a real Word briefing is still issued."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import issue_briefing
from peerdiag.diagnostics.models import Briefing
from tests.common.zips import many_entries, with_entry, word_document, zeros_zip

pytestmark = pytest.mark.django_db


def _refused(world, content: bytes, name: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        issue_briefing(
            world.own, by=world.pcm, file=ContentFile(content), name=name, version=UNCHECKED
        )
    assert e.value.field == "file"
    assert not Briefing.objects.exists()
    return e.value.message


def test_a_300_mb_word_briefing_is_refused_naming_the_limit(world):  # type: ignore[no-untyped-def]
    bomb = zeros_zip("word/document.xml", 300, base=word_document())
    message = _refused(world, bomb, "briefing.docx")
    assert message.startswith("The file must be smaller than 50 MB once uncompressed")


def test_an_opendocument_bomb_and_swarm_are_refused(world):  # type: ignore[no-untyped-def]
    assert "once uncompressed" in _refused(world, zeros_zip("content.xml", 300), "brief.odt")
    assert "no more than 10,000 parts" in _refused(world, many_entries(20_000), "brief.odt")


def test_a_briefing_with_a_part_that_climbs_out_is_refused(world):  # type: ignore[no-untyped-def]
    evil = with_entry("/etc/passwd", base=word_document())
    assert "a part whose name points outside it" in _refused(world, evil, "briefing.docx")


def test_a_pdf_named_docx_is_refused_as_not_a_word_document(world):  # type: ignore[no-untyped-def]
    message = _refused(world, b"%PDF-1.4 briefing", "briefing.docx")
    assert message == (
        "The file is called ‘briefing.docx’ but its content is not a Word document: check you "
        "chose the right file"
    )


def test_the_briefing_page_shows_the_refusal_and_a_real_word_file_is_issued(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.pcm)
    url = reverse("web:briefing", args=[world.own.reference])
    bomb = zeros_zip("word/document.xml", 300, base=word_document())
    page = c.post(url, {"file": SimpleUploadedFile("briefing.docx", bomb), "version": 0})
    assert page.status_code == 200
    assert 'href="#id_file">The file must be smaller than 50 MB once uncompressed' in page.text
    assert not Briefing.objects.exists()
    real = word_document()
    r = c.post(url, {"file": SimpleUploadedFile("briefing.docx", real), "version": 0})
    assert r["Location"] == url
    briefing = Briefing.objects.get()
    briefing.file.open("rb")
    assert briefing.file.read() == real
