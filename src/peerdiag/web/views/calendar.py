"""Your private calendar address, a new one on request, and the feed calendar apps read."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peerdiag.accounts.models import User
from peerdiag.directory.models import Person
from peerdiag.timetable.domain.feeds import (
    feed_calendar,
    feed_for_person,
    feed_sessions,
    feed_url,
    renew_feed,
)


def _person(request: HttpRequest) -> Person | None:
    assert isinstance(request.user, User)
    return getattr(request.user, "person", None)


@never_cache
@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The signed-in person's private feed address and the published sessions it holds."""
    person = _person(request)
    url, sessions = "", []
    if person is not None:
        feed = feed_for_person(person)
        url = feed_url(feed)
        for ref, s in feed_sessions(feed):
            sessions.append({"reference": ref, "date": date.fromisoformat(s["date"]), **s})
    return render(
        request,
        "web/calendar/my_calendar.html",
        {"nav": "account", "person": person, "feed_url": url, "sessions": sessions},
    )


@never_cache
@login_required
def my_calendar_reset(request: HttpRequest) -> HttpResponse:
    """Confirm, then replace the feed's token so the old address stops working."""
    person = _person(request)
    if person is None:
        messages.error(request, "Your sign-in is not linked to a person, so it has no calendar")
        return redirect("web:my_calendar")
    if request.method == "POST":
        renew_feed(person)
        messages.success(request, "Your calendar has a new address: the old one no longer works")
        return redirect("web:my_calendar")
    return render(request, "web/calendar/reset_confirm.html", {"nav": "account"})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics feed for whoever holds the address; 404 for an unknown token."""
    content = feed_calendar(token)
    if content is None:
        raise Http404("No calendar has this address")
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="peerdiag.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
