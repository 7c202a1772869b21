"""The peer bench over HTTP: searching, reading and saving peer profiles.

The bench is the LGA's own list, so reading it needs `directory.view_bench` (LGA staff). A
peer may also save their own profile once it exists (`directory.change_peer_profile`).
A caller without the permission gets 403 before anything is looked up, so the answer says
nothing about which people exist.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import PathEx, Query, Router, Status
from ninja.pagination import paginate
from ninja.params import P

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.directory.domain.bench import save_peer_profile, search_bench
from peerdiag.directory.models import PeerProfile, Person

from .common import LIST_ERRORS, PAGE_SIZE, Pages, caller
from .schemas.common import CODE_PATTERN, FieldErrors, Message, StaleVersion
from .schemas.team import BenchFilters, PeerProfileIn, PeerProfileOut, PeerSummaryOut

router = Router(tags=["bench"])

VIEW_BENCH = "directory.view_bench"
CHANGE_PROFILE = "directory.change_peer_profile"
NOT_BENCH = "Only LGA staff may see the peer bench"
NOT_YOURS = "Only LGA staff and the peer themself may change a bench profile"

PersonCode = PathEx[str, P(pattern=CODE_PATTERN, description="The person's public code")]

BENCH_LIST_ERRORS: dict[int, Any] = {**LIST_ERRORS, 403: Message}
BENCH_READ_ERRORS: dict[int, Any] = {**BENCH_LIST_ERRORS, 404: Message}
BENCH_WRITE_ERRORS: dict[int, Any] = {**BENCH_READ_ERRORS, 400: FieldErrors, 409: StaleVersion}


def _may_see_bench(user: User) -> None:
    if not user.has_perm(VIEW_BENCH):
        raise PermissionDenied(NOT_BENCH)


def _profile(person: Person) -> PeerProfile | None:
    """The person's profile as the bench shows it (with its count of team places)."""
    return search_bench(include_inactive=True).filter(person=person).first()


@router.get(
    "/bench",
    response={200: list[PeerSummaryOut], **BENCH_LIST_ERRORS},
    url_name="bench_list",
    operation_id="searchBench",
    summary="Search the peer bench",
)
@paginate(Pages, page_size=PAGE_SIZE)
def bench_list(request: HttpRequest, filters: Query[BenchFilters]) -> Any:
    """Active profiles by name, 50 to a page; every filter given must match."""
    _may_see_bench(caller(request))
    return search_bench(
        text=filters.text or "",
        role=filters.role or "",
        expertise=filters.expertise or "",
        region=filters.region or "",
        include_inactive=filters.include_inactive,
    ).order_by("person__full_name", "pk")


@router.get(
    "/bench/{person_code}",
    response={200: PeerProfileOut, **BENCH_READ_ERRORS},
    url_name="bench_detail",
    operation_id="getPeerProfile",
    summary="A peer's bench profile, declared work and past diagnostics",
)
def bench_detail(request: HttpRequest, person_code: PersonCode) -> Any:
    _may_see_bench(caller(request))
    person = Person.objects.filter(code=person_code).first()
    profile = _profile(person) if person is not None else None
    if profile is None:
        raise Http404("No such bench profile")
    return profile


@router.put(
    "/bench/{person_code}",
    response={200: PeerProfileOut, 201: PeerProfileOut, **BENCH_WRITE_ERRORS},
    url_name="bench_save",
    operation_id="savePeerProfile",
    summary="Put a person on the bench, or replace their profile",
)
def bench_save(request: HttpRequest, person_code: PersonCode, payload: PeerProfileIn) -> Any:
    """`201` when the person joins the bench, `200` when their profile is replaced. Send the
    profile's `version` as you read it (0 for someone not on the bench yet): if it has changed
    since, the answer is 409 and nothing is saved.

    Putting someone on the bench is for LGA staff; a peer may then keep their own profile.
    """
    user = caller(request)
    person = Person.objects.select_related("organisation").filter(code=person_code).first()
    existing = PeerProfile.objects.filter(person=person).first() if person is not None else None
    if existing is not None:
        if not user.has_perm(CHANGE_PROFILE, existing):
            raise PermissionDenied(NOT_YOURS)
    else:
        _may_see_bench(user)
    if person is None:
        raise Http404("No such person")
    try:
        save_peer_profile(person, by=user, **payload.model_dump())
    except DomainError as exc:
        # The person is named by the path here, not by a body field.
        if exc.field == "person":
            raise DomainError(exc.message, field="person_code") from None
        raise
    return Status(200 if existing else 201, _profile(person))
