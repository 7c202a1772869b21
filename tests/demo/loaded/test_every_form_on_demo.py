"""The every-form walk (tests/web/test_every_form_submits_as_rendered.py) on the demo's diagnostic
in its delivery week: a published week of placed sessions, notes, findings, a case review, as
the demo's own people."""

from __future__ import annotations

import pytest

from peerdiag.accounts.models import User
from peerdiag.diagnostics.models import Diagnostic
from tests.concurrency.test_every_form_is_guarded import _pages
from tests.test_permission_matrix import MATRIX
from tests.web.test_every_form_submits_as_rendered import DEMO_ROLES, walk_page

pytestmark = pytest.mark.django_db


def test_every_form_on_the_demo_in_delivery_submits_as_rendered(demo) -> None:  # type: ignore[no-untyped-def]
    """The same walk on the demo's diagnostic in its delivery week: a published week of placed
    sessions, notes, findings, a case review, as the demo's own people."""
    d = Diagnostic.objects.get(stage="delivery", title="Management oversight of practice")
    users = {r: User.objects.get(email=f"{r}@peerdiag.test") for r in DEMO_ROLES}
    problems: list[str] = []
    sent = 0
    for name in _pages():
        if "ref" not in MATRIX[name].kwargs:
            continue  # pages of no diagnostic show the same forms as in the world
        found, n = walk_page(name, d, users, DEMO_ROLES)
        problems += found
        sent += n
    assert sent > 90, f"only {sent} forms sent: is the walk still reaching the demo's pages?"
    assert problems == [], "forms that refuse what they drew:\n" + "\n".join(problems)
