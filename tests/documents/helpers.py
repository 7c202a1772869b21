"""Small valid files of each kind, built in memory."""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import ContentFile
from django.test import Client

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def ooxml(part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{part}document.xml", "<x/>")
    return buf.getvalue()


def upload(content: bytes, name: str) -> ContentFile:
    return ContentFile(content, name=name)


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def supplied(world, classification: str = "official", title: str = "Safeguarding audit"):  # type: ignore[no-untyped-def]
    """A document the PCM asked for and the organiser supplied (a PDF), and its version."""
    from peerdiag.documents.domain.requests import request_document
    from peerdiag.documents.domain.uploads import supply_document

    ask = request_document(world.own, by=world.pcm, title=title)
    version = supply_document(
        ask,
        by=world.organiser,
        file=upload(PDF, "audit.pdf"),
        name="audit.pdf",
        classification=classification,
    )
    return ask, version
