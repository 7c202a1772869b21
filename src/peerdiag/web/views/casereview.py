"""Pages of the case record review. Every page that shows case content is behind
`sensitive("child_data")`; the safeguarding concern page for the council shows only the
council's own case reference and is limited to the named contact and the PCM."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerdiag.accounts.models import User
from peerdiag.casereview.domain import audits, concerns, report, sampling
from peerdiag.casereview.domain.gate import case_review_blockers, case_review_warnings
from peerdiag.casereview.domain.lists import import_case_list
from peerdiag.casereview.domain.reviews import record_sharing_mechanism, review_for, set_sample_size
from peerdiag.casereview.enums import AuditStatus
from peerdiag.casereview.models import CaseListEntry, CaseReview, SafeguardingConcern, SampledCase
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.web.forms.casereview import (
    AuditForm,
    ByHandForm,
    ConcernForm,
    DrawForm,
    SharingForm,
    UploadForm,
)

from .sensitive import sensitive

SELECT = "casereview.select_cases"
APPROVE = "casereview.approve_report"


def _me(request: HttpRequest) -> User:
    # Every view here is behind login_required.
    assert isinstance(request.user, User)
    return request.user


def _review(request: HttpRequest, ref: str) -> tuple[Diagnostic, CaseReview]:
    d = get_diagnostic_for_user(request.user, ref)
    try:
        return d, review_for(d)
    except DomainError:
        raise Http404("No case record review is in scope") from None


def _may_select(request: HttpRequest, d: Diagnostic) -> None:
    if not request.user.has_perm(SELECT, d):
        raise PermissionDenied


def _case(review: CaseReview, code: str) -> SampledCase:
    case = (
        review.cases.select_related("entry__case_list", "auditor__person", "review__diagnostic")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def _visible_cases(request: HttpRequest, d: Diagnostic, review: CaseReview) -> Any:
    """The PCM and the lead peer see the whole sample; a case auditor the cases given to them."""
    qs = review.cases.select_related("entry__case_list", "auditor__person", "audit")
    if request.user.has_perm(SELECT, d):
        return qs
    return qs.filter(auditor__person__user=_me(request), released_at__isnull=False)


@login_required
@sensitive("child_data")
def overview(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    can_select = request.user.has_perm(SELECT, d)
    cases = list(_visible_cases(request, d, review))
    audits.log_read(review, by=_me(request), case=None, what="list of sampled cases")
    return render(
        request,
        "web/casereview/overview.html",
        {
            "d": d,
            "review": review,
            "cases": cases,
            "can_select": can_select,
            "can_approve": request.user.has_perm(APPROVE, d),
            "lists": [
                {"l": cl, "count": CaseListEntry.objects.filter(case_list=cl).count()}
                for cl in d.agreed_case_lists.all()
            ]
            if can_select
            else [],
            "eligible": sampling.eligible_entries(review) if can_select else [],
            "sharing_form": SharingForm(initial={"sharing_mechanism": review.sharing_mechanism}),
            "draw_form": DrawForm(initial={"size": review.sample_size}),
            "hand_form": ByHandForm(),
            "blockers": case_review_blockers(d, Stage.READY),
            "warnings": case_review_warnings(d),
            "done": sum(
                1 for c in cases if hasattr(c, "audit") and c.audit.status == AuditStatus.DONE
            ),
        },
    )


@login_required
@sensitive("child_data")
@require_POST
def sharing(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    _may_select(request, d)
    form = SharingForm(request.POST)
    if form.is_valid():
        try:
            record_sharing_mechanism(
                review, by=_me(request), text=form.cleaned_data["sharing_mechanism"]
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "The way cases are shared is recorded")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("sharing_mechanism", [])))
    return redirect("web:casereview", d.reference)


@login_required
@sensitive("child_data")
def upload(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d, _ = _review(request, ref)
    _may_select(request, d)
    case_list = d.agreed_case_lists.filter(code=code).first()
    if case_list is None:
        raise Http404("No such list")
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            n = import_case_list(case_list, by=_me(request), data=form.cleaned_data["file"])
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, f"{n} cases imported to ‘{case_list.name}’")
            return redirect("web:casereview", d.reference)
    return render(
        request, "web/casereview/upload.html", {"d": d, "case_list": case_list, "form": form}
    )


@login_required
@sensitive("child_data")
@require_POST
def draw(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    _may_select(request, d)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("web:casereview", d.reference)
    try:
        set_sample_size(review, by=_me(request), size=form.cleaned_data["size"])
        made = sampling.draw_sample(review, by=_me(request), seed=form.cleaned_data["seed"])
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{len(made)} cases drawn with seed {review.seed}")
    return redirect("web:casereview", d.reference)


@login_required
@sensitive("child_data")
@require_POST
def by_hand(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    _may_select(request, d)
    form = ByHandForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("web:casereview", d.reference)
    # Only an entry on this diagnostic's own lists can be found at all.
    entry = CaseListEntry.objects.filter(
        code=form.cleaned_data["entry"], case_list__diagnostic=d
    ).first()
    try:
        if entry is None:
            raise DomainError("Choose a case from the agreed lists")
        sampling.select_by_hand(
            review, by=_me(request), entry=entry, reason=form.cleaned_data["reason"]
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "The case is added to the sample")
    return redirect("web:casereview", d.reference)


@login_required
@sensitive("child_data")
@require_POST
def share_out(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    _may_select(request, d)
    try:
        cases = sampling.share_out(review, by=_me(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{len(cases)} cases shared out and released to the auditors")
    return redirect("web:casereview", d.reference)


@login_required
@sensitive("child_data")
def case(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """One case: its audit form for the auditor it was given to, read-only for the others."""
    d, review = _review(request, ref)
    c = _case(review, code)
    if not _visible_cases(request, d, review).filter(pk=c.pk).exists():
        raise Http404("No such case")
    audit = getattr(c, "audit", None) if hasattr(c, "audit") else None
    is_auditor = audits._is_auditor(c, _me(request))
    editable = is_auditor and c.released_at and (audit is None or audit.status == AuditStatus.DRAFT)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = AuditForm(request.POST)
        if form.is_valid():
            finish = "finish" in request.POST
            try:
                audits.save_audit(
                    c,
                    by=_me(request),
                    header=form.header(),
                    grades=form.grades(),
                    overall_grade=form.cleaned_data["overall_grade"],
                    difference=form.cleaned_data["difference"],
                    finish=finish,
                )
            except DomainError as e:
                form.add_domain_error(e)
            else:
                messages.success(request, "Audit finished" if finish else "Audit saved")
                return redirect("web:casereview_case", d.reference, c.code)
    content = audits.read_case(c, by=_me(request))
    if request.method != "POST":
        initial: dict[str, Any] = {"difference": content.difference}
        if audit is not None:
            initial |= {
                "period_months": audit.period_months,
                "age_band": audit.age_band,
                "placement_moves": audit.placement_moves,
                "referrals_last_year": audit.referrals_last_year,
                "overall_grade": audit.overall_grade,
            }
        for dom, g in content.grades.items():
            initial |= {
                f"{dom}_grade": g.grade,
                f"{dom}_evidence": g.evidence,
                f"{dom}_commentary": g.commentary,
            }
        form = AuditForm(initial=initial)
    return render(
        request,
        "web/casereview/case.html",
        {
            "d": d,
            "c": c,
            "audit": audit,
            "form": form,
            "editable": editable,
            "content": content,
            "is_auditor": is_auditor,
            "concerns": audit.concerns.all() if audit else [],
        },
    )


@login_required
@sensitive("child_data")
def raise_concern(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d, review = _review(request, ref)
    c = _case(review, code)
    if not _visible_cases(request, d, review).filter(pk=c.pk).exists():
        raise Http404("No such case")
    if not hasattr(c, "audit"):
        raise PermissionDenied
    form = ConcernForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = concerns.raise_concern(
                c.audit, by=_me(request), summary=form.cleaned_data["summary"]
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            if concern.escalated_at:
                messages.success(request, f"Concern raised and e-mailed to {concern.escalated_to}")
            else:
                messages.error(
                    request,
                    "The concern is saved but the e-mail failed: telephone the council's contact "
                    "and the PCM now",
                )
            return redirect("web:casereview_case", d.reference, c.code)
    return render(request, "web/casereview/concern_new.html", {"d": d, "c": c, "form": form})


@login_required
def concern(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """A safeguarding concern as its recipients see it: the council's own case reference, when
    and by whom it was raised, and the acknowledgement. The auditor's words stay encrypted."""
    d = get_diagnostic_for_user(request.user, ref)
    item = (
        SafeguardingConcern.objects.select_related(
            "audit__case__entry", "audit__case__review", "raised_by", "acknowledged_by"
        )
        .filter(code=code, audit__case__review__diagnostic=d)
        .first()
    )
    if item is None:
        raise Http404("No such concern")
    if not concerns.may_acknowledge(_me(request), item):
        raise PermissionDenied
    if request.method == "POST":
        try:
            concerns.acknowledge_concern(item, by=_me(request))
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "Concern acknowledged")
        return redirect("web:casereview_concern", d.reference, item.code)
    audits.log_read(
        item.audit.case.review,
        by=_me(request),
        case=item.audit.case,
        what="safeguarding concern reference",
    )
    return render(request, "web/casereview/concern.html", {"d": d, "item": item})


@login_required
def report_download(request: HttpRequest, ref: str) -> HttpResponse:
    """The report as a Word file: for the team, and for the council once issued."""
    d = get_diagnostic_for_user(request.user, ref)
    review = CaseReview.objects.filter(diagnostic=d).first()
    internal = request.user.has_perm("diagnostics.view_internal", d)
    if not internal and (review is None or review.report_issued_at is None):
        raise PermissionDenied
    if review is None:
        raise Http404("No case record review yet")
    body = report.build_docx(report.gather_report(review))
    response = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{d.reference}-case-review.docx"'
    return response


@login_required
@require_POST
def report_approve(request: HttpRequest, ref: str) -> HttpResponse:
    d = get_diagnostic_for_user(request.user, ref, perm=APPROVE)
    review = CaseReview.objects.filter(diagnostic=d).first()
    if review is None:
        raise Http404("No case record review yet")
    try:
        report.approve_report(review, by=_me(request))
        report.issue_report(review, by=_me(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Report approved and issued to the council and the team")
    return redirect("web:casereview", d.reference)
