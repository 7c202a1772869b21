"""The evaluation: the public survey page (by token, no account), and the results on the
diagnostic for the LGA and the team, with the outcome and the impact check-ins.

The council never sees the results page: its own people wrote the answers, and the LGA's
notes on further support are internal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import ENDED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.domain.checkins import plan_check_ins, record_check_in
from peerdiag.evaluation.domain.outcome import NO_OUTCOME_YET, outcome_of, record_outcome
from peerdiag.evaluation.domain.surveys import (
    RATING_QUESTIONS,
    RATINGS,
    ROLE_LABELS,
    answer_survey,
    respondents,
    send_survey_now,
    surveys_due_on,
)
from peerdiag.evaluation.models import CheckIn, Survey
from peerdiag.web.forms.evaluation import CheckInForm, OutcomeForm, SurveyForm

from .stale import already_saved

VIEW = "evaluation.view_results"
MANAGE = "evaluation.manage"


def _survey_response(request: HttpRequest, template: str, ctx: dict[str, Any]) -> HttpResponse:
    response = render(request, template, ctx)
    # The token is the key: keep the page out of search engines and the address out of the
    # Referer sent to other sites. (Not "no-referrer": browsers then send "Origin: null" with
    # the form, and Django's CSRF check rightly refuses it.)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey for whoever holds the link; thanks once it is answered; 404 for a bad token."""
    s = (
        Survey.objects.select_related("diagnostic__host_council", "respondent")
        .filter(token=token, sent_at__isnull=False)
        .first()
    )
    if s is None:
        raise Http404("No survey has this address")
    ctx: dict[str, Any] = {
        "title": s.diagnostic.title,
        "council": s.diagnostic.host_council.name,
        "name": s.respondent.full_name,
    }
    if s.completed_at is not None:
        return _survey_response(request, "web/evaluation/survey_thanks.html", ctx)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer_survey(s, **form.answers())
        except DomainError as e:
            form.add_domain_error(e)
        else:
            return redirect("web:survey", token=token)
    return _survey_response(request, "web/evaluation/survey.html", {**ctx, "form": form})


def _averages(answered: list[Survey]) -> list[dict[str, Any]]:
    out = []
    for name in RATINGS:
        values = [getattr(s, name) for s in answered if getattr(s, name) is not None]
        avg = sum(values) / len(values) if values else None
        out.append({"question": RATING_QUESTIONS[name], "average": avg, "count": len(values)})
    return out


def _page(
    request: HttpRequest,
    d: Diagnostic,
    *,
    outcome_form: OutcomeForm | None = None,
    check_in_form: tuple[str, CheckInForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    surveys = list(Survey.objects.filter(diagnostic=d).select_related("respondent"))
    answered = [s for s in surveys if s.completed_at is not None]
    outcome = outcome_of(d)
    if outcome_form is None:
        initial = (
            {"contacted_on": outcome.contacted_on, "further_support": outcome.further_support}
            if outcome
            else None
        )
        outcome_form = OutcomeForm(
            initial=initial, initial_version=outcome.version if outcome else NO_OUTCOME_YET
        )
    check_ins = list(CheckIn.objects.filter(diagnostic=d).select_related("recorded_by"))
    rows = []
    for c in check_ins:
        if check_in_form is not None and check_in_form[0] == c.code:
            form = check_in_form[1]
        else:
            form = CheckInForm(
                prefix=c.code,
                initial={"held_on": c.held_on, "notes": c.notes},
                initial_version=c.version,
            )
        rows.append({"c": c, "form": form})
    sent_to = {s.respondent_id for s in surveys}
    can_manage = request.user.has_perm(MANAGE, d)
    return render(
        request,
        "web/evaluation/results.html",
        {
            "d": d,
            "surveys": [
                {
                    "s": s,
                    "role": ROLE_LABELS.get(s.role, s.role),
                    "ratings": [(RATING_QUESTIONS[n], getattr(s, n)) for n in RATINGS],
                }
                for s in surveys
            ],
            "answered": len(answered),
            "averages": _averages(answered),
            "support_requested": [s for s in answered if s.further_support],
            "due_on": surveys_due_on(d),
            "waiting": [r for r in respondents(d) if r.person.pk not in sent_to],
            "outcome": outcome,
            "outcome_form": outcome_form,
            "check_ins": rows,
            "has_errors": bool(outcome_form.errors)
            or (check_in_form is not None and bool(check_in_form[1].errors)),
            "can_manage": can_manage,
            "can_send": can_manage
            and d.written_feedback_issued_on is not None
            and d.stage not in ENDED,
        },
        status=status,
    )


@login_required
def evaluation(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW)
    return _page(request, d)


@login_required
@require_POST
def evaluation_send(request: HttpRequest, ref: str) -> HttpResponse:
    """Send the survey now, before its date (the PCM's choice)."""
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    try:
        made = send_survey_now(d, by=request.user)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        who = ", ".join(s.respondent.full_name for s in made)
        messages.success(request, f"Evaluation survey sent to {who}")
    return redirect("web:evaluation", d.reference)


@login_required
@require_POST
def evaluation_outcome(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            record_outcome(
                d,
                by=request.user,  # type: ignore[arg-type]
                contacted_on=form.cleaned_data["contacted_on"],
                further_support=form.cleaned_data["further_support"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            current = {
                "contacted_on": getattr(e.current, "contacted_on", None),
                "further_support": getattr(e.current, "further_support", ""),
            }
            sent = {k: form.cleaned_data[k] for k in current}
            if already_saved(e, request.user, saved=current, sent=sent):
                messages.success(request, "Evaluation outcome recorded")
                return redirect("web:evaluation", d.reference)
            form.show_conflict(e, current=current)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Evaluation outcome recorded")
            return redirect("web:evaluation", d.reference)
    return _page(request, d, outcome_form=form)


@login_required
@require_POST
def check_ins_plan(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    try:
        made = plan_check_ins(d, by=request.user)  # type: ignore[arg-type]
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            "Check-ins planned: "
            + ", ".join(f"{c.months} months ({c.due_on.day} {c.due_on:%B %Y})" for c in made),
        )
    return redirect("web:evaluation", d.reference)


@login_required
@require_POST
def check_in_record(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=MANAGE)
    check_in = CheckIn.objects.filter(diagnostic=d, code=code).select_related("diagnostic").first()
    if check_in is None:
        raise Http404("No such check-in")
    form = CheckInForm(request.POST, prefix=check_in.code)
    if form.is_valid():
        try:
            record_check_in(
                check_in,
                by=request.user,  # type: ignore[arg-type]
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            current = {
                "held_on": getattr(e.current, "held_on", None),
                "notes": getattr(e.current, "notes", ""),
            }
            sent = {k: form.cleaned_data[k] for k in current}
            if already_saved(e, request.user, saved=current, sent=sent):
                messages.success(request, f"{check_in.months}-month check-in recorded")
                return redirect("web:evaluation", d.reference)
            form.show_conflict(e, current=current)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{check_in.months}-month check-in recorded")
            return redirect("web:evaluation", d.reference)
    return _page(request, d, check_in_form=(check_in.code, form))
