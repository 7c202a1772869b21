"""The written feedback report as a PDF: the same outline as the Word report (text.outline).

The report is written as HTML (`report_html`) and laid out by WeasyPrint as tagged PDF/UA-1:
a structure tree that follows the HTML (headings H1 and H2, paragraphs, lists and list items,
quotes), the report's title shown as the window title, the language (en-GB), and bookmarks
for the sections. Every character is kept as written, except control characters (a form feed
or an escape pasted in with the text), which have no shape to print and are dropped.

Fonts: DejaVu Sans, regular and bold, shipped beside this module (fonts/, with its licence) and
embedded as subsets, so the PDF looks the same on every machine and holds every Latin, Greek
and Cyrillic letter. A character DejaVu Sans lacks falls back to a font the machine has, which
is embedded in the same way.

Each thread loads the font files once and keeps its font configuration: a new one for every
PDF would read the files again and keep a little memory for good each time (about 0.25 MiB a
PDF, which adds up in a long-running worker).

Nothing outside the two font files is ever fetched: the report's text is escaped, and the URL
fetcher refuses every other address.
"""

from __future__ import annotations

import atexit
import re
import threading
from html import escape as escape_html
from pathlib import Path
from typing import Any

from .model import Feedback, Item
from .text import DRAFT, Outline, Section, outline

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "Report Sans"  # our own name, so the shipped files are used, never a system font
FACES = {"normal": FONTS / "DejaVuSans.ttf", "bold": FONTS / "DejaVuSans-Bold.ttf"}
LANG = "en-GB"
AUTHOR = "Local Government Association"
VARIANT = "pdf/ua-1"

FONT_FACES = "".join(
    f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; src: url("{path.as_uri()}"); }}'
    for weight, path in FACES.items()
)

CSS = """
@page {
  size: A4;
  margin: 20mm;
  font-family: "%(family)s";
  font-size: 9pt;
  color: #0b0c0c;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); }
  %(draft)s
}
@page :first { @bottom-center { content: none; } }
html { font-family: "%(family)s"; font-size: 11pt; line-height: 1.4; color: #0b0c0c; }
body { margin: 0; }
h1, h2 { font-weight: bold; line-height: 1.2; break-after: avoid; }
p { margin: 0 0 2.5mm; }
ul, ol { margin: 0 0 3mm; padding-left: 7mm; }
li { margin-bottom: 1mm; }
p, li { white-space: pre-line; }  /* a line break typed in a finding stays */
.cover { padding-top: 40mm; break-after: page; }
.cover h1 { font-size: 26pt; margin: 0 0 4mm; }
.cover .kind { font-size: 16pt; margin: 0 0 6mm; }
.cover .line { font-size: 12pt; margin: 0 0 1.5mm; }
.contents { margin-top: 14mm; }
.contents h2 { font-size: 14pt; margin: 0 0 3mm; }
.contents ol { list-style: none; padding-left: 0; }
.contents a { color: inherit; text-decoration: none; }
.contents a::after { content: leader(".") target-counter(attr(href), page); }
section > h2 { font-size: 16pt; margin: 7mm 0 2.5mm; }
section:first-child > h2 { margin-top: 0; }
ol.items > li { margin-bottom: 3mm; break-inside: avoid; }
ol.items p { margin: 0 0 1mm; }
.kloe { font-size: 10pt; color: #505a5f; }
blockquote { font-size: 10pt; margin: 0 0 1mm 7mm; }
"""

DRAFT_MARK = f'@top-right {{ content: "{DRAFT}: not for circulation"; font-weight: bold; }}'

# C0 and C1 control characters but tab, line feed and carriage return.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """`text` for HTML: control characters dropped, the rest escaped (quotes too)."""
    return escape_html(CONTROL.sub("", text))


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def _item(item: Item) -> str:
    parts = [_p(item.text)]
    if item.kloe:
        parts.append(_p(item.kloe, "kloe"))
    parts.extend(f"<blockquote>{_p(quote)}</blockquote>" for quote in item.quotes)
    return f"<li>{''.join(parts)}</li>"


def _section(n: int, section: Section) -> str:
    parts = [f'<section id="s{n}">', f"<h2>{escape(section.heading)}</h2>"]
    parts.extend(_p(text) for text in section.text)
    if section.bullets:
        parts.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in section.bullets) + "</ul>")
    if section.items:
        parts.append('<ol class="items">' + "".join(_item(i) for i in section.items) + "</ol>")
    parts.append("</section>")
    return "".join(parts)


def _cover(plan: Outline) -> str:
    lines = "".join(_p(line, "line") for line in plan.cover)
    entries = "".join(
        f'<li><a href="#s{n}">{escape(s.heading)}</a></li>' for n, s in enumerate(plan.sections)
    )
    contents = f'<nav class="contents"><h2>Contents</h2><ol>{entries}</ol></nav>' if entries else ""
    return (
        f'<div class="cover"><h1>{escape(plan.title)}</h1>'
        f'<p class="kind">Written feedback</p>{lines}{contents}</div>'
    )


def report_html(fb: Feedback) -> str:
    """The written report for `fb` as one HTML document, every piece of text escaped. Its fonts
    come in a stylesheet of their own (FONT_FACES, see `_fonts`)."""
    plan = outline(fb)
    css = CSS % {"family": FAMILY, "draft": DRAFT_MARK if plan.draft else ""}
    subject = f"{fb.council} {fb.reference}".strip()
    sections = "".join(_section(n, s) for n, s in enumerate(plan.sections))
    return (
        f'<!DOCTYPE html><html lang="{LANG}"><head><meta charset="utf-8">'
        f"<title>{escape(plan.title)}</title>"
        f'<meta name="author" content="{escape(AUTHOR)}">'
        f'<meta name="description" content="{escape(subject)}">'
        '<meta name="generator" content="peerdiag">'
        f"<style>{css}</style></head>"
        f"<body>{_cover(plan)}<main>{sections}</main></body></html>"
    )


def _fetcher() -> Any:
    """A URL fetcher that hands out the shipped font files and refuses every other address."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    allowed = {path.as_uri(): path for path in FACES.values()}

    class ShippedFontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = allowed.get(url)
            if path is None:
                raise FatalURLFetchingError(f"The report may not load {url!r}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})

    return ShippedFontsOnly()


_local = threading.local()


def _fonts() -> tuple[Any, Any]:
    """This thread's font configuration and the stylesheet that loaded the shipped fonts into
    it, made at its first PDF."""
    made: tuple[Any, Any] | None = getattr(_local, "fonts", None)
    if made is None:
        from weasyprint import CSS as Stylesheet
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        faces = Stylesheet(string=FONT_FACES, font_config=config, url_fetcher=_fetcher())
        made = _local.fonts = (config, faces)
    return made


@atexit.register
def _forget_fonts() -> None:
    # The configuration deletes its copy of the fonts when dropped; at exit, while it still can.
    _local.__dict__.pop("fonts", None)


def build_report_pdf(fb: Feedback) -> bytes:
    """The written report for `fb` as a tagged PDF (PDF/UA-1): a cover page with the contents,
    then the report's sections in order with numbered findings and recommendations, and the
    team. Drafts say so on every page."""
    # Imported here: WeasyPrint loads Pango through cffi, which only the PDF needs.
    from weasyprint import HTML

    config, faces = _fonts()
    document = HTML(string=report_html(fb), url_fetcher=_fetcher())
    return bytes(document.write_pdf(pdf_variant=VARIANT, stylesheets=[faces], font_config=config))
