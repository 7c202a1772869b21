"""Small valid files of each kind, built in memory."""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import ContentFile

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
