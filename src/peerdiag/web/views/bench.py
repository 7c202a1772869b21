"""The peer bench: search it, read a profile, add or change a profile, declare recent work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.directory.domain.bench import (
    add_to_bench,
    declare_recent_work,
    profile_roles_label,
    save_peer_profile,
    search_bench,
)
from peerdiag.directory.models import PeerProfile, Person
from peerdiag.web.forms.team import (
    BenchAddForm,
    BenchSearchForm,
    PeerProfileEditForm,
    RecentWorkForm,
)

from .common import is_htmx

VIEW_BENCH = "directory.view_bench"
CHANGE_PROFILE = "directory.change_peer_profile"
PAGE_SIZE = 25


def _person(code: str) -> Person:
    person = Person.objects.select_related("organisation", "peer_profile").filter(code=code).first()
    if person is None:
        raise Http404("No such person")
    return person


def _profile(person: Person) -> PeerProfile | None:
    return getattr(person, "peer_profile", None)


@login_required
def bench(request: HttpRequest) -> HttpResponse:
    """Search the bench by words, role offered, expertise and region, 25 a page."""
    if not request.user.has_perm(VIEW_BENCH):
        raise PermissionDenied
    form = BenchSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    profiles = search_bench(
        text=data.get("q", ""),
        role=data.get("role", ""),
        expertise=data.get("expertise", ""),
        region=data.get("region", ""),
    )
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "web/bench/list.html#results" if is_htmx(request) else "web/bench/list.html"
    return render(
        request,
        template,
        {
            "nav": "bench",
            "form": form,
            "page": page,
            "rows": [{"p": p, "roles": profile_roles_label(p.roles)} for p in page.object_list],
            "query": query.urlencode(),
            "filtered": any(request.GET.get(k) for k in ("q", "role", "expertise", "region")),
        },
    )


def _profile_page(
    request: HttpRequest, person: Person, *, work_form: RecentWorkForm | None = None
) -> HttpResponse:
    profile = _profile(person)
    can_change = request.user.has_perm(CHANGE_PROFILE, profile)
    places = person.team_places.select_related("diagnostic").order_by("-diagnostic__created_at")
    return render(
        request,
        "web/bench/profile.html",
        {
            "nav": "bench",
            "person": person,
            "profile": profile,
            "roles": profile_roles_label(profile.roles) if profile else [],
            "expertise": profile.expertise.all() if profile else [],
            "recent_work": profile.recent_work.select_related("council") if profile else [],
            "places": places,
            "can_change": can_change,
            "can_search": request.user.has_perm(VIEW_BENCH),
            "work_form": work_form or (RecentWorkForm() if profile and can_change else None),
        },
    )


def _may_read(request: HttpRequest, profile: PeerProfile | None) -> bool:
    # LGA staff read every profile; a peer reads (and keeps up to date) their own.
    return request.user.has_perm(VIEW_BENCH) or (
        profile is not None and request.user.has_perm(CHANGE_PROFILE, profile)
    )


@login_required
def bench_profile(request: HttpRequest, code: str) -> HttpResponse:
    person = _person(code)
    if not _may_read(request, _profile(person)):
        raise PermissionDenied
    return _profile_page(request, person)


@login_required
@require_POST
def bench_recent_work(request: HttpRequest, code: str) -> HttpResponse:
    """Declare work for a council: it keeps the peer off that council's diagnostics 3 years."""
    person = _person(code)
    profile = _profile(person)
    if profile is None:
        if not request.user.has_perm(VIEW_BENCH):
            raise PermissionDenied
        raise Http404("This person is not on the bench")
    if not request.user.has_perm(CHANGE_PROFILE, profile):
        raise PermissionDenied
    form = RecentWorkForm(request.POST)
    if form.is_valid():
        try:
            work = declare_recent_work(profile, **form.cleaned_data)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Work for {work.council} recorded")
            return redirect("web:bench_profile", person.code)
    return _profile_page(request, person, work_form=form)


def _profile_initial(profile: PeerProfile | None) -> dict[str, Any]:
    if profile is None:
        return {"active": True}
    return {
        "seniority": profile.seniority,
        "roles": profile.roles,
        "expertise": [e.area for e in profile.expertise.all()],
        "summary": profile.summary,
        "trained_on": profile.trained_on,
        "availability_notes": profile.availability_notes,
        "active": profile.active,
    }


@login_required
def bench_profile_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Put someone on the bench, or change their profile (LGA staff, or the peer themselves)."""
    person = _person(code)
    profile = _profile(person)
    if not request.user.has_perm(CHANGE_PROFILE, profile):
        raise PermissionDenied
    form = PeerProfileEditForm(
        request.POST if request.method == "POST" else None,
        initial=_profile_initial(profile),
        initial_version=profile.version if profile else 0,
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_peer_profile(
                person,
                by=request.user,  # type: ignore[arg-type]
                version=form.sent_version(),
                **{k: form.cleaned_data[k] for k in PROFILE_FIELDS},
            )
        except StaleEdit as e:
            form.show_conflict(e, current=_profile_initial(e.current))  # type: ignore[arg-type]
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"Bench profile of {person} saved")
            return redirect("web:bench_profile", person.code)
    return render(
        request,
        "web/bench/edit.html",
        {"nav": "bench", "person": person, "profile": profile, "form": form},
    )


PROFILE_FIELDS = (
    "seniority",
    "roles",
    "expertise",
    "summary",
    "trained_on",
    "availability_notes",
    "active",
)


@login_required
def bench_add(request: HttpRequest) -> HttpResponse:
    """A new person at a council and their bench profile, both or neither."""
    if not request.user.has_perm(CHANGE_PROFILE, None):
        raise PermissionDenied
    form = BenchAddForm(
        request.POST if request.method == "POST" else None, initial={"active": True}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = add_to_bench(
                data["council"],
                by=request.user,  # type: ignore[arg-type]
                full_name=data["full_name"],
                job_title=data["job_title"],
                email=data["email"],
                **{k: data[k] for k in PROFILE_FIELDS},
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{person} is on the bench")
            return redirect("web:bench_profile", person.code)
    return render(request, "web/bench/add.html", {"nav": "bench", "form": form})
