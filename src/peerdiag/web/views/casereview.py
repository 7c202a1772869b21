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
from peerdiag.casereview import rules as cr_rules
from peerdiag.casereview.domain import audits, concerns, report, sampling
from peerdiag.casereview.domain import sharing as sharing_domain
from peerdiag.casereview.domain.gate import case_review_blockers, case_review_warnings
from peerdiag.casereview.domain.lists import import_case_list, set_reference_pattern
from peerdiag.casereview.domain.reviews import (
    named_contact,
    review_for,
    set_named_contact,
    set_sample_size,
)
from peerdiag.casereview.enums import (
    AuditStatus,
    Grade,
    SharingState,
    audit_domains,
    domain_label,
)
from peerdiag.casereview.models import (
    CaseAudit,
    CaseListEntry,
    CaseReview,
    CaseSharing,
    SafeguardingConcern,
    SampledCase,
)
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.queries import get_diagnostic_for_user
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.web.forms.casereview import (
    AcknowledgeForm,
    AuditForm,
    ByHandForm,
    ConcernForm,
    ContactForm,
    DrawForm,
    ModerationForm,
    NamedContactForm,
    ReferencePatternForm,
    ReportTextForm,
    ReviewActionForm,
    SharingDecisionForm,
    SharingProposalForm,
    UploadForm,
)

from .common import recent_auth
from .sensitive import sensitive
from .stale import already_saved

SELECT = "casereview.select_cases"
APPROVE = "casereview.approve_report"
WRITE_REPORT = "casereview.write_report"


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


OVERVIEW = "the case record review"


def _overview_forms(
    d: Diagnostic,
    review: CaseReview,
    *,
    named_form: NamedContactForm | None,
    report_form: ReportTextForm | None,
    draw_form: DrawForm | None,
    hand_form: ByHandForm | None,
    share_out_form: ReviewActionForm | None,
    approve_form: ReviewActionForm | None,
) -> dict[str, Any]:
    """The overview's forms by their names in the template: those given (bound, perhaps with
    errors), the others new, each carrying the review's version."""
    v = review.version
    if named_form is None:
        named_form = NamedContactForm(
            diagnostic=d,
            initial={"person": review.named_contact.code if review.named_contact else ""},
            initial_version=v,
        )
    if report_form is None:
        report_form = ReportTextForm(
            initial={
                "strengths": review.report_strengths,
                "improvements": review.report_improvements,
            },
            initial_version=v,
        )
    return {
        "named_form": named_form,
        "report_form": report_form,
        "draw_form": draw_form or DrawForm(initial={"size": review.sample_size}, initial_version=v),
        "hand_form": hand_form or ByHandForm(initial_version=v),
        "share_out_form": share_out_form or ReviewActionForm(action="share_out", initial_version=v),
        "approve_form": approve_form or ReviewActionForm(action="approve", initial_version=v),
    }


def _selection(d: Diagnostic, review: CaseReview, *, can_select: bool) -> dict[str, Any]:
    """The agreed lists with their sizes and the cases that could be drawn, for those who
    select cases (empty for anyone else)."""
    if not can_select:
        return {"lists": [], "eligible": []}
    return {
        "lists": [
            {"l": cl, "count": CaseListEntry.objects.filter(case_list=cl).count()}
            for cl in d.agreed_case_lists.all()
        ],
        "eligible": sorted(
            sampling.eligible_entries(review), key=lambda e: e.pseudonymous_ref.upper()
        ),
    }


def _overview_page(
    request: HttpRequest,
    d: Diagnostic,
    review: CaseReview,
    *,
    named_form: NamedContactForm | None = None,
    report_form: ReportTextForm | None = None,
    draw_form: DrawForm | None = None,
    hand_form: ByHandForm | None = None,
    share_out_form: ReviewActionForm | None = None,
    approve_form: ReviewActionForm | None = None,
) -> HttpResponse:
    """The overview; a bound form passed in is shown with its errors (or its conflict). Every
    form carries the review's version, so a change made elsewhere is never overwritten."""
    can_select = request.user.has_perm(SELECT, d)
    can_write_report = request.user.has_perm(WRITE_REPORT, d)
    # References are encrypted, so the sample is put in order here rather than by the database.
    cases = sorted(
        _visible_cases(request, d, review),
        key=lambda c: (c.entry.cohort, c.entry.pseudonymous_ref.upper(), c.pk),
    )
    audits.log_read(review, by=_me(request), case=None, what="list of sampled cases")
    forms = _overview_forms(
        d,
        review,
        named_form=named_form,
        report_form=report_form,
        draw_form=draw_form,
        hand_form=hand_form,
        share_out_form=share_out_form,
        approve_form=approve_form,
    )
    return render(
        request,
        "web/casereview/overview.html",
        {
            "d": d,
            "review": review,
            "cases": cases,
            "can_select": can_select,
            "can_approve": request.user.has_perm(APPROVE, d),
            "can_write_report": can_write_report,
            **_selection(d, review, can_select=can_select),
            "sharing": sharing_domain.sharing_for(review),
            **forms,
            "has_errors": any(f.errors for f in forms.values()),
            "contact": named_contact(review),
            "blockers": case_review_blockers(d, Stage.READY),
            "warnings": case_review_warnings(d),
            "done": sum(
                1 for c in cases if hasattr(c, "audit") and c.audit.status == AuditStatus.DONE
            ),
        },
    )


@login_required
@sensitive("child_data")
def overview(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    return _overview_page(request, d, review)


@login_required
@sensitive("child_data")
@require_POST
def named_contact_set(request: HttpRequest, ref: str) -> HttpResponse:
    """The PCM or the lead peer names who at the council hears of a safeguarding concern."""
    d, review = _review(request, ref)
    _may_select(request, d)
    form = NamedContactForm(request.POST, diagnostic=d)
    if form.is_valid():
        try:
            set_named_contact(
                review,
                by=_me(request),
                person=form.cleaned_data["person"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            review = review_for(d)
            saved = {"person": review.named_contact.code if review.named_contact else ""}
            chosen = form.cleaned_data["person"]
            sent = {"person": chosen.code if chosen else ""}
            if not already_saved(e, request.user, saved=saved, sent=sent):
                form.show_conflict(e, current=saved)
                return _overview_page(request, d, review, named_form=form)
            messages.success(request, "The named contact is saved")
            return redirect("web:casereview", d.reference)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            person, fallback = form.cleaned_data["person"], named_contact(review)
            if person is not None:
                text = f"{person.full_name} will hear of any safeguarding concern"
            elif fallback is not None:
                text = (
                    f"Nobody is named, so {fallback.full_name}, the sponsor, will hear of any "
                    "safeguarding concern"
                )
            else:
                text = "Nobody is named and the council has no sponsor to hear of concerns"
            messages.success(request, text)
            return redirect("web:casereview", d.reference)
    return _overview_page(request, d, review, named_form=form)


@login_required
@sensitive("child_data")
@require_POST
def report_text(request: HttpRequest, ref: str) -> HttpResponse:
    """The strengths and areas for improvement of the report; saving withdraws an approval."""
    d, review = _review(request, ref)
    if not request.user.has_perm(WRITE_REPORT, d):
        raise PermissionDenied
    form = ReportTextForm(request.POST)
    if form.is_valid():
        try:
            report.save_report_text(
                review,
                by=_me(request),
                strengths=form.cleaned_data["strengths"],
                improvements=form.cleaned_data["improvements"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            review = review_for(d)
            saved = {
                "strengths": review.report_strengths,
                "improvements": review.report_improvements,
            }
            sent = {k: form.cleaned_data[k] for k in saved}
            if not already_saved(e, request.user, saved=saved, sent=sent):
                form.show_conflict(e, current=saved)
                return _overview_page(request, d, review, report_form=form)
            messages.success(request, "The report text is saved")
            return redirect("web:casereview", d.reference)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "The report text is saved")
            return redirect("web:casereview", d.reference)
    return _overview_page(request, d, review, report_form=form)


# --- How the council shares the cases (decision 19): no case content on these pages ------------

VIEW_SHARING = "casereview.view_sharing"
PROPOSE_SHARING = "casereview.propose_sharing"
DECIDE_SHARING = "casereview.decide_sharing"
VIEW_REPORT = "casereview.view_report"


def _review_for_perm(request: HttpRequest, ref: str, perm: str) -> tuple[Diagnostic, CaseReview]:
    """The diagnostic (404 to outsiders, 403 without `perm`) and its review (404 when no case
    review is in scope)."""
    d = get_diagnostic_for_user(request.user, ref, perm=perm)
    try:
        return d, review_for(d)
    except DomainError:
        raise Http404("No case record review is in scope") from None


def _proposal_values(sharing: CaseSharing) -> dict[str, Any]:
    return {
        "method": sharing.method,
        "details": sharing.details,
        "contact_name": sharing.contact_name,
        "contact_email": sharing.contact_email,
        "contact_phone": sharing.contact_phone,
    }


def _sharing_page(
    request: HttpRequest,
    d: Diagnostic,
    review: CaseReview,
    sharing: CaseSharing,
    *,
    proposal_form: SharingProposalForm | None = None,
    accept_form: SharingDecisionForm | None = None,
    ask_form: SharingDecisionForm | None = None,
) -> HttpResponse:
    can_propose = request.user.has_perm(PROPOSE_SHARING, d)
    can_decide = request.user.has_perm(DECIDE_SHARING, d)
    released = review.cases.filter(released_at__isnull=False).exists()
    v = sharing.version
    proposal_form = proposal_form or SharingProposalForm(
        initial=_proposal_values(sharing), initial_version=v
    )
    accept_form = accept_form or SharingDecisionForm(decision="accept", initial_version=v)
    ask_form = ask_form or SharingDecisionForm(decision="ask_again", initial_version=v)
    return render(
        request,
        "web/casereview/sharing.html",
        {
            "d": d,
            "sharing": sharing,
            "released": released,
            "can_propose": can_propose and not released,
            "can_accept": can_decide and not released and sharing.state == SharingState.PROPOSED,
            "can_ask_again": can_decide
            and not released
            and sharing.state in (SharingState.PROPOSED, SharingState.ACCEPTED),
            "internal": request.user.has_perm("diagnostics.view_internal", d),
            "proposal_form": proposal_form,
            "accept_form": accept_form,
            "ask_form": ask_form,
            "has_errors": any(f.errors for f in (proposal_form, accept_form, ask_form)),
        },
    )


@login_required
def sharing(request: HttpRequest, ref: str) -> HttpResponse:
    """How the council shares the cases: the organiser proposes, the PCM answers. Open to the
    team and to the council's sponsor and organiser; it shows no case content."""
    d, review = _review_for_perm(request, ref, VIEW_SHARING)
    return _sharing_page(request, d, review, sharing_domain.sharing_for(review))


@login_required
@require_POST
def sharing_propose(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review_for_perm(request, ref, PROPOSE_SHARING)
    record = sharing_domain.sharing_for(review)
    form = SharingProposalForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        try:
            sharing_domain.propose(
                record,
                by=_me(request),
                method=c["method"],
                details=c["details"],
                contact_name=c["contact_name"],
                contact_email=c["contact_email"],
                contact_phone=c["contact_phone"],
                version=form.sent_version(),
            )
        except StaleEdit as e:
            record = sharing_domain.sharing_for(review)
            saved = _proposal_values(record)
            sent = {k: c[k] for k in saved}
            if not already_saved(e, request.user, saved=saved, sent=sent):
                form.show_conflict(e, current=saved)
                return _sharing_page(request, d, review, record, proposal_form=form)
        except DomainError as e:
            form.add_domain_error(e)
            return _sharing_page(request, d, review, record, proposal_form=form)
        messages.success(
            request, "Your proposal is sent: the peer challenge manager will accept it or ask again"
        )
        return redirect("web:casereview_sharing", d.reference)
    return _sharing_page(request, d, review, record, proposal_form=form)


@login_required
@require_POST
def sharing_decide(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review_for_perm(request, ref, DECIDE_SHARING)
    record = sharing_domain.sharing_for(review)
    decision = request.POST.get("decision", "accept")
    decision = decision if decision in ("accept", "ask_again") else "accept"
    form = SharingDecisionForm(request.POST, decision=decision)
    shown = {"ask_form" if decision == "ask_again" else "accept_form": form}
    if not form.is_valid():
        return _sharing_page(request, d, review, record, **shown)  # type: ignore[arg-type]
    try:
        if decision == "accept":
            sharing_domain.accept(record, by=_me(request), version=form.sent_version())
        else:
            sharing_domain.ask_again(
                record,
                by=_me(request),
                reason=form.cleaned_data["reason"],
                version=form.sent_version(),
            )
    except StaleEdit as e:
        form.show_stale(
            e,
            what="the council's proposal",
            not_done="your answer is not saved",
        )
        return _sharing_page(
            request,
            d,
            review,
            sharing_domain.sharing_for(review),
            **shown,  # type: ignore[arg-type]
        )
    except DomainError as e:
        form.add_domain_error(e)
        return _sharing_page(request, d, review, record, **shown)  # type: ignore[arg-type]
    messages.success(
        request,
        "The proposal is accepted: the cases can be released"
        if decision == "accept"
        else "The council is asked to propose again and has been e-mailed",
    )
    return redirect("web:casereview_sharing", d.reference)


@login_required
@sensitive("child_data")
@recent_auth()
def upload(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    d, review = _review(request, ref)
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
        request,
        "web/casereview/upload.html",
        {"d": d, "case_list": case_list, "form": form, "review": review},
    )


@login_required
@sensitive("child_data")
def reference_format(request: HttpRequest, ref: str) -> HttpResponse:
    """The PCM (or the lead peer) sets the council's case reference format, which every
    reference on a list uploaded afterwards must match."""
    d, review = _review(request, ref)
    _may_select(request, d)
    if request.method != "POST":
        form = ReferencePatternForm(
            initial={"pattern": review.reference_pattern}, initial_version=review.version
        )
        return _reference_format_page(request, d, review, form)
    form = ReferencePatternForm(request.POST)
    if form.is_valid():
        pattern = form.cleaned_data["pattern"].strip()
        try:
            set_reference_pattern(
                review, by=_me(request), pattern=pattern, version=form.sent_version()
            )
        except StaleEdit as e:
            review = review_for(d)
            saved = {"pattern": review.reference_pattern}
            if not already_saved(e, request.user, saved=saved, sent={"pattern": pattern}):
                form.show_conflict(e, current=saved)
                return _reference_format_page(request, d, review, form)
        except DomainError as e:
            form.add_domain_error(e)
            return _reference_format_page(request, d, review, form)
        messages.success(
            request,
            "The reference format is saved: every list uploaded from now on must match it"
            if pattern
            else "The reference format is cleared: lists are checked with the standard rule",
        )
        return redirect("web:casereview", d.reference)
    return _reference_format_page(request, d, review, form)


def _reference_format_page(
    request: HttpRequest, d: Diagnostic, review: CaseReview, form: ReferencePatternForm
) -> HttpResponse:
    return render(
        request,
        "web/casereview/reference_format.html",
        {"d": d, "review": review, "form": form},
    )


@login_required
@sensitive("child_data")
@require_POST
def draw(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    _may_select(request, d)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _overview_page(request, d, review, draw_form=form)
    try:
        set_sample_size(
            review, by=_me(request), size=form.cleaned_data["size"], version=form.sent_version()
        )
        # The size just saved moved the review on: the draw follows from that version.
        made = sampling.draw_sample(
            review, by=_me(request), seed=form.cleaned_data["seed"], version=review.version
        )
    except StaleEdit as e:
        review = review_for(d)
        form.show_conflict(e, current={"size": review.sample_size, "seed": review.seed})
        return _overview_page(request, d, review, draw_form=form)
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
        return _overview_page(request, d, review, hand_form=form)
    # Only an entry on this diagnostic's own lists can be found at all.
    entry = CaseListEntry.objects.filter(
        code=form.cleaned_data["entry"], case_list__diagnostic=d
    ).first()
    try:
        if entry is None:
            raise DomainError("Choose a case from the agreed lists")
        sampling.select_by_hand(
            review,
            by=_me(request),
            entry=entry,
            reason=form.cleaned_data["reason"],
            version=form.sent_version(),
        )
    except StaleEdit as e:
        # The reason typed stays in the form; the sample as it is now is on the page.
        form.show_stale(e, what=OVERVIEW, not_done="the case has not been added")
        return _overview_page(request, d, review_for(d), hand_form=form)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "The case is added to the sample")
    return redirect("web:casereview", d.reference)


@login_required
@sensitive("child_data")
@require_POST
@recent_auth()
def share_out(request: HttpRequest, ref: str) -> HttpResponse:
    d, review = _review(request, ref)
    _may_select(request, d)
    form = ReviewActionForm(request.POST, action="share_out")
    if not form.is_valid():
        return _overview_page(request, d, review, share_out_form=form)
    try:
        cases = sampling.share_out(review, by=_me(request), version=form.sent_version())
    except StaleEdit as e:
        form.show_stale(e, what=OVERVIEW, not_done="no case has been released")
        return _overview_page(request, d, review_for(d), share_out_form=form)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{len(cases)} cases shared out and released to the auditors")
    return redirect("web:casereview", d.reference)


def _visible_case(
    request: HttpRequest, d: Diagnostic, review: CaseReview, code: str
) -> SampledCase:
    c = _case(review, code)
    if not _visible_cases(request, d, review).filter(pk=c.pk).exists():
        raise Http404("No such case")
    return c


def _audit_of(c: SampledCase) -> CaseAudit | None:
    return getattr(c, "audit", None) if hasattr(c, "audit") else None


def _audit_values(
    audit: CaseAudit | None, content: audits.CaseContent, diagnostic_type: str
) -> dict[str, Any]:
    """An audit as the audit form takes it (its content already decrypted in `content`)."""
    values: dict[str, Any] = {"difference": content.difference}
    if audit is not None:
        values |= {
            "period_months": audit.period_months,
            "age_band": audit.age_band,
            "placement_moves": audit.placement_moves,
            "referrals_last_year": audit.referrals_last_year,
            "overall_grade": audit.overall_grade,
        }
    for dom, _ in audit_domains(diagnostic_type):
        g = content.grades.get(dom)
        values |= {
            f"{dom}_grade": g.grade if g else "",
            f"{dom}_evidence": g.evidence if g else "",
            f"{dom}_commentary": g.commentary if g else "",
        }
    return values


def _case_page(
    request: HttpRequest,
    d: Diagnostic,
    c: SampledCase,
    *,
    form: AuditForm | None = None,
    contact_form: ContactForm | None = None,
    moderation_form: ModerationForm | None = None,
    content: audits.CaseContent | None = None,
) -> HttpResponse:
    """The case page; a bound form passed in is shown with its errors. `content` is the case
    as just read (and logged) by the caller; without it the page reads (and logs) it."""
    audit = _audit_of(c)
    me = _me(request)
    is_auditor = cr_rules.audits_the_case(me, c)
    editable = me.has_perm("casereview.edit_audit", c)
    if content is None:
        content = audits.read_case(c, by=me)
    if form is None:
        form = AuditForm(
            initial=_audit_values(audit, content, d.type),
            diagnostic_type=d.type,
            initial_version=audit.version if audit is not None else audits.NO_AUDIT_YET,
        )
    may_log_contact = me.has_perm("casereview.log_contact", c)
    may_moderate = me.has_perm("casereview.moderate_audit", c)
    if contact_form is None and may_log_contact:
        contact_form = ContactForm()
    if moderation_form is None and may_moderate:
        moderation_form = ModerationForm()
    grade_rows = [
        {
            "domain": domain_label(dom),
            "grade": str(Grade(content.grades[dom].grade).label),
            "evidence": content.grades[dom].evidence,
            "commentary": content.grades[dom].commentary,
        }
        # The type's headings in order, then any graded under another type's headings.
        for dom in [v for v, _ in audit_domains(d.type)]
        + sorted(set(content.grades) - {v for v, _ in audit_domains(d.type)})
        if dom in content.grades
    ]
    moderations = [
        m
        | {
            "by_name": getattr(getattr(m["by"], "person", None), "full_name", "")
            or getattr(m["by"], "email", "")
            or "A former user"
        }
        for m in content.moderations
    ]
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
            "grade_rows": grade_rows,
            "moderations": moderations,
            "contact_form": contact_form if may_log_contact else None,
            "moderation_form": moderation_form if may_moderate else None,
            "has_errors": any(
                f is not None and bool(f.errors) for f in (form, contact_form, moderation_form)
            ),
            "is_auditor": is_auditor,
            "concerns": audit.concerns.all() if audit else [],
        },
    )


@login_required
@sensitive("child_data")
def case(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """One case: its audit form for the auditor it was given to, read-only for the others."""
    d, review = _review(request, ref)
    c = _visible_case(request, d, review, code)
    audit = _audit_of(c)
    if request.method != "POST":
        return _case_page(request, d, c)
    # Only the case's auditor, once the case is released, may save; they (and nobody else) are
    # shown what was saved meanwhile, below.
    if not cr_rules.may_save_audit(_me(request), c):
        raise PermissionDenied
    form = AuditForm(request.POST, diagnostic_type=d.type)
    if audit is not None and audit.status != AuditStatus.DRAFT:
        # Finished meanwhile (in another tab): nothing can change, but what was typed stays on
        # the page beside what was finished.
        if form.is_valid() and form.sent_version() != audit.version:
            current = CaseAudit.objects.select_related("changed_by").get(pk=audit.pk)
            finish = "finish" in request.POST
            stale = StaleEdit(current, noun=_NOUN)
            return _case_conflict(request, d, review, code, form, stale, finish=finish)
        form.add_error(None, "This audit is finished and can no longer change")
        return _case_page(request, d, c, form=form)
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
                version=form.sent_version(),
            )
        except StaleEdit as e:
            return _case_conflict(request, d, review, code, form, e, finish=finish)
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "Audit finished" if finish else "Audit saved")
            return redirect("web:casereview_case", d.reference, c.code)
    return _case_page(request, d, c, form=form)


_NOUN = audits.AUDIT_NOUN


def _case_conflict(
    request: HttpRequest,
    d: Diagnostic,
    review: CaseReview,
    code: str,
    form: AuditForm,
    error: StaleEdit,
    *,
    finish: bool,
) -> HttpResponse:
    """The case page after a stale save: what is saved now in the form, the auditor's own input
    beside it. Only the case's auditor gets here (`case` checks), and reading the saved content,
    decrypted, is logged like every read of a case (decision 9). When the newer version is the
    auditor's own and holds just what they sent (a double click), the save has happened."""
    c = _case(review, code)
    saved = audits.read_case(c, by=_me(request), what="case audit saved by someone else")
    audit = _audit_of(c)
    current = _audit_values(audit, saved, d.type)
    sent = {name: form.cleaned_data.get(name) for name in current}
    status = {"status": audit.status if audit else ""}
    wanted = {"status": AuditStatus.DONE if finish else AuditStatus.DRAFT}
    if already_saved(error, request.user, saved=current | status, sent=sent | wanted):
        messages.success(request, "Audit finished" if finish else "Audit saved")
        return redirect("web:casereview_case", d.reference, c.code)
    form.show_conflict(error, current=current)
    return _case_page(request, d, c, form=form, content=saved)


@login_required
@sensitive("child_data")
@require_POST
def contact(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """The case's auditor logs a conversation with its practitioner or their manager."""
    d, review = _review(request, ref)
    c = _visible_case(request, d, review, code)
    audit = _audit_of(c)
    if audit is None or not cr_rules.may_log_contact(_me(request), c):
        raise PermissionDenied
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            audits.record_contact(
                audit,
                by=_me(request),
                contacted_on=form.cleaned_data["contacted_on"],
                role_contacted=form.cleaned_data["role_contacted"],
                note=form.cleaned_data["note"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(request, "The contact is logged")
            return redirect("web:casereview_case", d.reference, c.code)
    return _case_page(request, d, c, contact_form=form)


@login_required
@sensitive("child_data")
@require_POST
def moderate(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """A second reading of a finished audit by someone who can see the case but did not audit
    it: the PCM or the lead peer (a case auditor sees only the cases given to them)."""
    d, review = _review(request, ref)
    c = _visible_case(request, d, review, code)
    audit = _audit_of(c)
    if audit is None or not cr_rules.may_read_again(_me(request), c):
        raise PermissionDenied
    if audit.status != AuditStatus.DONE:
        messages.error(request, "Only a finished audit can be given a second reading")
        return redirect("web:casereview_case", d.reference, c.code)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            audits.moderate(
                audit,
                by=_me(request),
                agrees=form.cleaned_data["agrees"],
                note=form.cleaned_data["note"],
            )
        except DomainError as e:
            form.add_domain_error(e)
        else:
            messages.success(
                request,
                "Your second reading is recorded: you agree with the grades"
                if form.cleaned_data["agrees"]
                else "Your second reading is recorded: you disagree with the grades",
            )
            return redirect("web:casereview_case", d.reference, c.code)
    return _case_page(request, d, c, moderation_form=form)


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
    form = AcknowledgeForm(
        request.POST if request.method == "POST" else None, initial_version=item.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            concerns.acknowledge_concern(item, by=_me(request), version=form.sent_version())
        except StaleEdit as e:
            item.refresh_from_db()
            saved = {"by": item.acknowledged_by_id}
            if already_saved(e, request.user, saved=saved, sent={"by": request.user.pk}):
                messages.success(request, "Concern acknowledged")
                return redirect("web:casereview_concern", d.reference, item.code)
            form.show_stale(
                e, what="this safeguarding concern", not_done="your acknowledgement is not saved"
            )
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("web:casereview_concern", d.reference, item.code)
        else:
            messages.success(request, "Concern acknowledged")
            return redirect("web:casereview_concern", d.reference, item.code)
    audits.log_read(
        item.audit.case.review,
        by=_me(request),
        case=item.audit.case,
        what="safeguarding concern reference",
    )
    return render(request, "web/casereview/concern.html", {"d": d, "item": item, "form": form})


def _report_for(request: HttpRequest, ref: str) -> tuple[Diagnostic, CaseReview, bool]:
    """The diagnostic, its review and whether the user is on the team (or an LGA admin). The
    council's sponsor and organiser reach the report only once it is issued: before then it
    does not exist for them (404). Anyone else at the council is refused (403)."""
    d = get_diagnostic_for_user(request.user, ref, perm=VIEW_REPORT)
    internal = request.user.has_perm("diagnostics.view_internal", d)
    review = CaseReview.objects.filter(diagnostic=d).first()
    if review is None or (not internal and review.report_issued_at is None):
        raise Http404("No case review report has been issued")
    return d, review, internal


@login_required
def issued_report(request: HttpRequest, ref: str) -> HttpResponse:
    """The case review report as the council reads it once issued (the team sees it at any
    time, marked as a draft until issued): counts and themes only, never a case."""
    d, review, internal = _report_for(request, ref)
    data = report.gather_report(review)
    audits.log_read(review, by=_me(request), case=None, what="case review report page")
    grades = [g for g in data.overall if g != str(Grade.NA.label)]
    return render(
        request,
        "web/casereview/report.html",
        {
            "d": d,
            "review": review,
            "data": data,
            "columns": list(data.overall),
            "overall": [(g, data.overall[g]) for g in grades],
            "internal": internal,
        },
    )


@login_required
def report_download(request: HttpRequest, ref: str) -> HttpResponse:
    """The report as a Word file: for the team, and for the sponsor and organiser once issued.
    Every download is written to the read log (who, when)."""
    d, review, _ = _report_for(request, ref)
    body = report.build_docx(report.gather_report(review))
    audits.log_read(review, by=_me(request), case=None, what="case review report download")
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
    form = ReviewActionForm(request.POST, action="approve")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("version", [])))
        return redirect("web:casereview", d.reference)
    try:
        report.approve_report(review, by=_me(request), version=form.sent_version())
        report.issue_report(review, by=_me(request), version=review.version)
    except StaleEdit as e:
        form.show_stale(e, what=OVERVIEW, not_done="the report has not been approved or issued")
        messages.error(request, " ".join(str(m) for m in form.non_field_errors()))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Report approved and issued to the council and the team")
    return redirect("web:casereview", d.reference)
