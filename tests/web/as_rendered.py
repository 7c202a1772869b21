"""What a browser would send if the person pressed a form's button without touching anything:
hidden and text inputs with their values, only the checked radios and checkboxes, each select's
selected options (or its first), and textareas' text.

Also what a page says is wrong (`field_errors`): the GOV.UK error summary's links
(`#id_<field>`) and the messages drawn inside each field's form group."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


@dataclass
class RenderedForm:
    action: str
    method: str
    data: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    @property
    def filled(self) -> set[str]:
        """The fields the page filled in: a value that is not blank (a checked box counts)."""
        return {name for name, values in self.data.items() if any(v.strip() for v in values)}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected, all
        self._option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = RenderedForm(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    form.add(name, a.get("value", "on"))
                return
            form.add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = value
            self._text = []
            if value is not None:
                self._select[2].append(value)
                if "selected" in a:
                    self._select[1].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._text)
            self._form.add(self._textarea, unescape(text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, selected, every = self._select
            for value in selected or every[:1]:
                self._form.add(name, value)
            self._select = None


def rendered_forms(html: str) -> list[RenderedForm]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def rendered_post_form(html: str, action: str = "") -> RenderedForm:
    """The page's one POST form (posting to `action` when given, or to the page itself)."""
    found = [f for f in rendered_forms(html) if f.method == "post" and f.action == action]
    assert len(found) == 1, f"{len(found)} POST forms with action {action!r}"
    return found[0]


@dataclass(frozen=True)
class FieldError:
    """One error a page shows: the field names it is about (an anchor or a form group's fields)
    and its words."""

    names: frozenset[str]
    message: str


_SPACE = re.compile(r"\s+")


def _words(parts: list[str]) -> str:
    return _SPACE.sub(" ", "".join(parts)).replace("Error:", "").strip()


class _Errors(HTMLParser):
    """The error summary's links and the messages inside `govuk-form-group--error` groups."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.errors: list[FieldError] = []
        self.summary: list[str] = []  # every message the summary lists, linked or not
        self._divs: list[str] = []  # the class of each open div
        self._in_summary = 0
        self._link: tuple[str, list[str]] | None = None
        self._item: list[str] | None = None
        self._groups: list[tuple[int, set[str], list[str]]] = []  # depth, names, messages
        self._message: tuple[str, list[str]] | None = None  # tag, words

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "div":
            self._divs.append(a.get("class", ""))
            if "govuk-error-summary" in classes:
                self._in_summary = len(self._divs)
            if "govuk-form-group--error" in classes:
                self._groups.append((len(self._divs), set(), []))
        if self._in_summary and tag == "li":
            self._item = []
        if self._in_summary and tag == "a" and a.get("href", "").startswith("#"):
            self._link = (a["href"][1:], [])
        if self._groups and tag in ("input", "select", "textarea") and a.get("name"):
            self._groups[-1][1].add(a["name"])
        if self._groups and "govuk-error-message" in classes:
            self._message = (tag, [])

    def handle_data(self, data: str) -> None:
        for words in (self._item, self._link[1] if self._link else None):
            if words is not None:
                words.append(data)
        if self._message is not None:
            self._message[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            anchor, words = self._link
            self._link = None
            if anchor.startswith("id_"):
                self.errors.append(FieldError(frozenset({anchor[3:]}), _words(words)))
        elif tag == "li" and self._item is not None:
            self.summary.append(_words(self._item))
            self._item = None
        elif self._message is not None and tag == self._message[0]:
            self._groups[-1][2].append(_words(self._message[1]))
            self._message = None
        elif tag == "div" and self._divs:
            depth = len(self._divs)
            self._divs.pop()
            if self._in_summary == depth:
                self._in_summary = 0
            if self._groups and self._groups[-1][0] == depth:
                _, names, messages = self._groups.pop()
                for message in messages:
                    self.errors.append(FieldError(frozenset(names), message))


def field_errors(html: str) -> tuple[list[FieldError], list[str]]:
    """The field errors a page shows, and every message of its error summary."""
    parser = _Errors()
    parser.feed(html)
    return parser.errors, parser.summary


def about_filled(error: FieldError, filled: set[str]) -> set[str]:
    """Which of the filled-in fields an error is about. An anchor names a field's id: `start`,
    `due_on_0` (the day box of a date), `day_0` (the first radio of `day`) or a prefixed
    `form-0-start`; Django's id is `id_` and the field's name."""
    hit: set[str] = set()
    for name in error.names:
        stem = re.sub(r"_\d+$", "", name)
        for candidate in filled:
            if candidate in (name, stem) or re.fullmatch(
                rf"({re.escape(name)}|{re.escape(stem)})_\d+", candidate
            ):
                hit.add(candidate)
    return hit
