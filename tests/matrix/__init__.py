"""The permission matrix's vocabulary: how to call a URL and what each relation gets back.

Each module in this package defines ENTRIES: {url name: Case}. tests/test_permission_matrix.py
merges them, fails on any URL that has no entry, and calls every entry as every role.
Relations between a user and a diagnostic:

  anon     not signed in
  admin    LGA administrator
  pcm      the diagnostic's peer challenge manager
  team     a peer on its team (here: the lead peer)
  council  a user at its host council (the organiser; another council's sponsor on its own)
  sponsor  its sponsor (a host council user too; unless an entry says otherwise, the sponsor
           gets what `council` gets)
  none     anyone else signed in (another council, another team's PCM or peer)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RELATIONS = ("anon", "admin", "pcm", "team", "council", "sponsor", "none")


@dataclass(frozen=True)
class Case:
    """How to call one URL and what each relation gets back."""

    expect: dict[str, int]
    method: str = "GET"
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] = field(default_factory=dict)
    kwargs: tuple[str, ...] = ()  # which of ref/code/role/to/uidb64/token the URL takes
    api: bool = False
    # Makes the objects a URL names, given the diagnostic: returns URL arguments (e.g. code).
    make: Callable[[Any], dict[str, str]] | None = None
    # True for a URL that belongs to no diagnostic although it takes arguments (a bench
    # profile): it is judged by the kind of user, like a URL without arguments.
    per_user: bool = False

    @property
    def by_relation(self) -> bool:
        return bool(self.kwargs) and not self.per_user


def rel(**outcomes: int) -> dict[str, int]:
    """Every relation's outcome; `sponsor` may be left out when it is the same as `council`."""
    if "council" in outcomes:
        outcomes.setdefault("sponsor", outcomes["council"])
    assert set(outcomes) == set(RELATIONS), f"give every relation: {sorted(outcomes)}"
    return outcomes


SIGNED_IN = rel(anon=302, admin=200, pcm=200, team=200, council=200, none=200)
PUBLIC = rel(anon=200, admin=200, pcm=200, team=200, council=200, none=200)
VIEW = rel(anon=302, admin=200, pcm=200, team=200, council=200, none=404)
INTERNAL = rel(anon=302, admin=200, pcm=200, team=200, council=403, none=404)
CHANGE = rel(anon=302, admin=200, pcm=200, team=403, council=403, none=404)
CHANGE_POST = rel(anon=302, admin=302, pcm=302, team=403, council=403, none=404)
ADD = rel(anon=302, admin=200, pcm=200, team=403, council=403, none=403)

R = ("ref",)
RC = ("ref", "code")

# The API answers 401 where the pages redirect to sign-in.
A_SIGNED_IN = rel(anon=401, admin=200, pcm=200, team=200, council=200, none=200)
A_PUBLIC = rel(anon=200, admin=200, pcm=200, team=200, council=200, none=200)
A_VIEW = rel(anon=401, admin=200, pcm=200, team=200, council=200, none=404)
A_INTERNAL = rel(anon=401, admin=200, pcm=200, team=200, council=403, none=404)
A_ADD = rel(anon=401, admin=201, pcm=201, team=403, council=403, none=403)


def a_change(ok: int) -> dict[str, int]:
    return rel(anon=401, admin=ok, pcm=ok, team=403, council=403, none=404)
