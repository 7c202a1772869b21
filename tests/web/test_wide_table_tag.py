"""`{% wide_table %}`: the focusable, labelled region a wide table scrolls in (issue 23)."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError


def _render(source: str, **context: object) -> str:
    return Template("{% load wide_table %}" + source).render(Context(context))


def test_the_box_is_a_focusable_region_named_by_its_label() -> None:
    html = _render(
        '{% wide_table "Suggested peers for " role|lower " & others" %}<table></table>'
        "{% endwide_table %}",
        role="Case <Auditor>",
    )
    assert html == (
        '<div class="pd-table-wrapper" role="region" '
        'aria-label="Suggested peers for case &lt;auditor&gt; &amp; others" tabindex="0">'
        "<table></table></div>"
    )


def test_extra_classes_and_tidied_spaces() -> None:
    html = _render(
        '{% wide_table "Day " day "  by peer " class="pd-grid-wide" %}x{% endwide_table %}', day=2
    )
    assert html.startswith('<div class="pd-table-wrapper pd-grid-wide" role="region" ')
    assert 'aria-label="Day 2 by peer"' in html


def test_a_box_without_a_label_is_refused() -> None:
    with pytest.raises(TemplateSyntaxError, match="needs a label"):
        _render("{% wide_table %}x{% endwide_table %}")


def test_every_table_in_the_templates_sits_in_a_wide_table_box() -> None:
    """A bare <table> wider than a phone scrolls the whole page sideways (WCAG 1.4.10), so every
    table in the templates is written inside {% wide_table %}...{% endwide_table %}."""
    import re
    from pathlib import Path

    import peerdiag

    root = Path(peerdiag.__file__).parent
    bare = []
    for path in sorted(root.rglob("templates/**/*.html")):
        source = path.read_text()
        for match in re.finditer(r"<table\b", source):
            before = source[: match.start()]
            depth = len(re.findall(r"{%\s*wide_table\b", before)) - len(
                re.findall(r"{%\s*endwide_table\s*%}", before)
            )
            if depth <= 0:
                bare.append(f"{path.relative_to(root)}:{before.count(chr(10)) + 1}")
    assert not bare, "tables outside {% wide_table %}: " + ", ".join(bare)
    assert len(list(root.rglob("templates/**/*.html"))) > 100  # the templates were found
