"""The POST forms on a page, parsed: where each posts, its hidden fields and its buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PostForm:
    action: str
    inputs: dict[str, str] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)

    @property
    def once(self) -> str:
        return self.inputs.get("once", "")


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[PostForm] = []
        self._open: PostForm | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._open = None
            if a.get("method", "get").lower() == "post":
                self._open = PostForm(action=a.get("action", ""))
                self.forms.append(self._open)
        elif self._open is not None and tag == "input" and a.get("name"):
            self._open.inputs.setdefault(a["name"], a.get("value", ""))
        elif self._open is not None and tag == "button" and a.get("type", "submit") == "submit":
            self._open.buttons.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def post_forms(html: str) -> list[PostForm]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms
