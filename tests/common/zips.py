"""Archives built in the test, bombs included, written in chunks so the test stays small."""

from __future__ import annotations

import io
import struct
import zipfile

MB = 1024 * 1024
_CHUNK = b"\0" * MB


def zeros_zip(entry: str, megabytes: int, *, base: bytes | None = None) -> bytes:
    """A ZIP whose `entry` is `megabytes` MB of zeros (300 MB packs to about 300 KB).

    With `base`, every part of that archive is copied in first, so the bomb is otherwise a
    real Office file.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if base is not None:
            with zipfile.ZipFile(io.BytesIO(base)) as real:
                for info in real.infolist():
                    if info.filename != entry:
                        z.writestr(info, real.read(info))
        with z.open(entry, "w", force_zip64=False) as f:
            for _ in range(megabytes):
                f.write(_CHUNK)
    return buf.getvalue()


def xlsx_bomb(real_xlsx: bytes, megabytes: int) -> bytes:
    """A real workbook whose first sheet is padded with `megabytes` MB of spaces: valid XML."""
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(real_xlsx)) as real:
        xml = real.read(sheet)
    head, tail = xml.rsplit(b"</worksheet>", 1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(io.BytesIO(real_xlsx)) as real:
            for info in real.infolist():
                if info.filename != sheet:
                    z.writestr(info.filename, real.read(info))
        with z.open(sheet, "w", force_zip64=False) as f:
            f.write(head)
            spaces = b" " * MB
            for _ in range(megabytes):
                f.write(spaces)
            f.write(b"</worksheet>" + tail)
    return buf.getvalue()


def many_entries(count: int, *, declare: int | None = None) -> bytes:
    """A ZIP of `count` empty parts; `declare` rewrites the count its end record claims."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<x/>")
        for i in range(count - 2):
            z.writestr(f"{i}", b"")  # short names: 20,000 parts in under 2 MB
    data = bytearray(buf.getvalue())
    if declare is not None:
        at = data.rfind(b"PK\x05\x06")
        struct.pack_into("<HH", data, at + 8, declare, declare)
    return bytes(data)


def with_entry(name: str, *, base: bytes) -> bytes:
    """`base` with one more part called `name`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        with zipfile.ZipFile(io.BytesIO(base)) as real:
            for info in real.infolist():
                z.writestr(info, real.read(info))
        z.writestr(zipfile.ZipInfo(name), b"evil")
    return buf.getvalue()


def word_document() -> bytes:
    import docx

    out = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Improvement plan")
    d.save(out)
    return out.getvalue()


def presentation() -> bytes:
    from pptx import Presentation

    out = io.BytesIO()
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[0]).shapes.title.text = "Self-assessment"  # type: ignore[union-attr]
    deck.save(out)
    return out.getvalue()


def workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
