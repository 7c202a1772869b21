"""Diagnostics over HTTP: the same permissions and domain functions as the pages.

Every view fetches the diagnostic through `get_diagnostic_for_user` with the permission it
needs (404 to outsiders, 403 to readers who may not write) and changes anything only through
one of the functions in diagnostics/domain/.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import PathEx, Query, Router, Status
from ninja.pagination import paginate
from ninja.params import P

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import diagnostics as details
from peerdiag.diagnostics.domain import kloes, people, stages
from peerdiag.diagnostics.domain.gates import gate_blockers, gate_warnings, next_stages
from peerdiag.diagnostics.domain.keydates import key_dates
from peerdiag.diagnostics.domain.queries import diagnostics_for_user, get_diagnostic_for_user
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import CouncilRole, Diagnostic, Kloe
from peerdiag.directory.enums import OrganisationKind
from peerdiag.directory.models import Organisation, Person

from .common import (
    EDIT_ERRORS,
    LIST_ERRORS,
    NEW_REF,
    PAGE_SIZE,
    READ_ERRORS,
    SAME_REF,
    WRITE_ERRORS,
    Code,
    IfVersion,
    Pages,
    Ref,
    caller,
    links,
)
from .schemas.common import GateRefused, Message
from .schemas.diagnostics import (
    AdvanceIn,
    CouncilRoleCreate,
    CouncilRoleOut,
    DiagnosticCreate,
    DiagnosticDetail,
    DiagnosticFilters,
    DiagnosticPatch,
    DiagnosticSummary,
    DiagnosticUpdated,
    GateOut,
    KloeCreate,
    KloeOut,
    KloePatch,
    ReasonIn,
)

router = Router(tags=["diagnostics"])

ADD = "diagnostics.add_diagnostic"
CHANGE = "diagnostics.change_diagnostic"
ADVANCE = "diagnostics.advance_diagnostic"
VIEW_INTERNAL = "diagnostics.view_internal"


def _detail(request: HttpRequest, d: Diagnostic, **extra: Any) -> dict[str, Any]:
    """The full picture of `d` for this caller; internal notes only for those who may see them."""
    out: dict[str, Any] = {
        **_summary_fields(d),
        "type_other": d.type_other,
        "focus_statement": d.focus_statement,
        "covid_theme": d.covid_theme,
        "online_platform": d.online_platform,
        "online_platform_other": d.online_platform_other,
        "case_review_in_scope": d.case_review_in_scope,
        "written_feedback_format": d.written_feedback_format,
        "suitability": d.suitability,
        "suitability_rationale": d.suitability_rationale,
        "written_feedback_issued_on": d.written_feedback_issued_on,
        "key_dates": [
            {
                "key": k.key,
                "label": k.label,
                "start": k.start,
                "end": k.end,
                "note": k.note,
                "optional": k.optional,
            }
            for k in key_dates(d)
        ],
        "next_stages": [{"stage": s, "label": str(Stage(s).label)} for s in next_stages(d)],
        "version": d.version,
        **extra,
    }
    if caller(request).has_perm(VIEW_INTERNAL, d):
        out["internal_notes"] = d.internal_notes
    return out


def _summary_fields(d: Diagnostic) -> dict[str, Any]:
    council = d.host_council
    return {
        "reference": d.reference,
        "title": d.title,
        "type": d.type,
        "type_label": d.type_label,
        "stage": d.stage,
        "stage_label": d.stage_label,
        "host_council": {
            "code": council.code,
            "name": council.name,
            "kind": council.kind,
            "region": council.region,
        },
        "day1": d.day1,
        "stage_changed_at": d.stage_changed_at,
        "created_at": d.created_at,
    }


# --- Diagnostics --------------------------------------------------------------------------


@router.get(
    "/diagnostics",
    response={200: list[DiagnosticSummary], **LIST_ERRORS},
    url_name="diagnostic_list",
    operation_id="listDiagnostics",
    summary="List the diagnostics you may see",
)
@paginate(Pages, page_size=PAGE_SIZE)
def diagnostic_list(request: HttpRequest, filters: Query[DiagnosticFilters]) -> Any:
    """Newest first, 50 to a page. Filter by stage, type or the host council's region."""
    qs = diagnostics_for_user(caller(request))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.region:
        qs = qs.filter(host_council__region=filters.region)
    return qs.order_by("-created_at", "-pk")


@router.post(
    "/diagnostics",
    response={201: DiagnosticDetail, **WRITE_ERRORS},
    url_name="diagnostic_create",
    operation_id="createDiagnostic",
    summary="Open a diagnostic at the enquiry stage",
    exclude_unset=True,
    openapi_extra=links(
        201,
        getDiagnostic=NEW_REF,
        updateDiagnostic=NEW_REF,
        listKloes=NEW_REF,
        addKloe=NEW_REF,
        listCouncilRoles=NEW_REF,
        assignCouncilRole=NEW_REF,
        advanceDiagnostic=NEW_REF,
        postponeDiagnostic=NEW_REF,
        cancelDiagnostic=NEW_REF,
    ),
)
def diagnostic_create(request: HttpRequest, payload: DiagnosticCreate) -> Any:
    """LGA staff only. A caller who is LGA staff becomes the peer challenge manager."""
    user = caller(request)
    if not user.has_perm(ADD):
        raise PermissionDenied("Only LGA staff may open a diagnostic")
    council = Organisation.objects.filter(code=payload.host_council).first()
    if council is None:
        raise DomainError("No organisation has this code", field="host_council")
    manager = Person.objects.filter(user=user, organisation__kind=OrganisationKind.LGA).first()
    d = details.create_diagnostic(
        by=user,
        host_council=council,
        title=payload.title,
        type=payload.type,
        type_other=payload.type_other,
        manager=manager,
    )
    return Status(201, _detail(request, d))


@router.get(
    "/diagnostics/{ref}",
    response={200: DiagnosticDetail, **READ_ERRORS},
    url_name="diagnostic_detail",
    operation_id="getDiagnostic",
    summary="A diagnostic, its key dates and the stages it may move to",
    exclude_unset=True,
)
def diagnostic_detail(request: HttpRequest, ref: Ref) -> Any:
    d = get_diagnostic_for_user(caller(request), ref)
    return _detail(request, d)


@router.patch(
    "/diagnostics/{ref}",
    response={200: DiagnosticUpdated, **EDIT_ERRORS},
    url_name="diagnostic_update",
    operation_id="updateDiagnostic",
    summary="Change a diagnostic's details or delivery day 1",
    exclude_unset=True,
)
def diagnostic_update(request: HttpRequest, ref: Ref, payload: DiagnosticPatch) -> Any:
    """Send `version` (from your last read) and only the fields to change. Nothing changes
    unless everything sent is accepted; a stale `version` is 409 and changes nothing."""
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=CHANGE)
    given = payload.model_dump(exclude_unset=True)
    version = given.pop("version")
    already_held = bool(given.pop("already_held", False))
    done = details.change_details(
        d,
        by=user,
        version=version,
        changes=given,
        already_held=already_held,
        today=timezone.localdate(),
    )
    return _detail(request, d, changed=done.fields, warnings=done.warnings)


# --- Key lines of enquiry -----------------------------------------------------------------


def _kloe(d: Diagnostic, code: str) -> Kloe:
    # Through the diagnostic's own manager, so a code from another diagnostic is a 404 and
    # kloe.diagnostic is the permission-checked object.
    kloe = d.kloes.filter(code=code).first()
    if kloe is None:
        raise Http404("No such key line of enquiry")
    return kloe


@router.get(
    "/diagnostics/{ref}/kloes",
    response={200: list[KloeOut], **READ_ERRORS},
    url_name="kloe_list",
    operation_id="listKloes",
    summary="The key lines of enquiry, in order",
)
def kloe_list(request: HttpRequest, ref: Ref) -> Any:
    return get_diagnostic_for_user(caller(request), ref).kloes.all()


@router.post(
    "/diagnostics/{ref}/kloes",
    response={201: KloeOut, **WRITE_ERRORS},
    url_name="kloe_create",
    operation_id="addKloe",
    summary="Add a key line of enquiry at the end of the list",
    openapi_extra=links(
        201,
        updateKloe={"ref": SAME_REF, "code": "$response.body#/code"},
        removeKloe={"ref": SAME_REF, "code": "$response.body#/code"},
    ),
)
def kloe_create(request: HttpRequest, ref: Ref, payload: KloeCreate) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=CHANGE)
    return Status(201, kloes.add_kloe(d, by=user, text=payload.text, theme=payload.theme))


@router.patch(
    "/diagnostics/{ref}/kloes/{code}",
    response={200: KloeOut, **EDIT_ERRORS},
    url_name="kloe_update",
    operation_id="updateKloe",
    summary="Change a key line of enquiry's words or theme, or move it",
)
def kloe_update(request: HttpRequest, ref: Ref, code: Code, payload: KloePatch) -> Any:
    """Send `version` and the fields to change; fields left out keep their value. `order` moves
    it (the others shift to make room). A stale `version` is 409 and changes nothing."""
    user = caller(request)
    kloe = _kloe(get_diagnostic_for_user(user, ref, perm=CHANGE), code)
    given = payload.model_dump(exclude_unset=True)
    version = given.pop("version")
    return kloes.change_kloe(
        kloe,
        by=user,
        version=version,
        text=given.get("text"),
        theme=given.get("theme"),
        order=given.get("order"),
    )


@router.delete(
    "/diagnostics/{ref}/kloes/{code}",
    response={204: None, **EDIT_ERRORS},
    url_name="kloe_delete",
    operation_id="removeKloe",
    summary="Remove a key line of enquiry; the ones after it move up",
)
def kloe_delete(request: HttpRequest, ref: Ref, code: Code, version: IfVersion = None) -> Any:
    user = caller(request)
    kloe = _kloe(get_diagnostic_for_user(user, ref, perm=CHANGE), code)
    kloes.remove_kloe(kloe, by=user, version=version)
    return Status(204, None)


# --- Council roles ------------------------------------------------------------------------


@router.get(
    "/diagnostics/{ref}/council-roles",
    response={200: list[CouncilRoleOut], **READ_ERRORS},
    url_name="council_role_list",
    operation_id="listCouncilRoles",
    summary="Who holds which role at the host council",
)
def council_role_list(request: HttpRequest, ref: Ref) -> Any:
    d = get_diagnostic_for_user(caller(request), ref)
    return d.council_roles.select_related("person__organisation")


@router.post(
    "/diagnostics/{ref}/council-roles",
    response={201: CouncilRoleOut, **EDIT_ERRORS},
    url_name="council_role_create",
    operation_id="assignCouncilRole",
    summary="Give someone a council role (replacing the holder of a single role)",
    openapi_extra=links(201, removeCouncilRole={"ref": SAME_REF, "code": "$response.body#/code"}),
)
def council_role_create(request: HttpRequest, ref: Ref, payload: CouncilRoleCreate) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=CHANGE)
    person = Person.objects.select_related("organisation").filter(code=payload.person).first()
    if person is None:
        raise DomainError("No person has this code", field="person")
    return Status(
        201,
        people.assign_council_role(
            d, by=user, person=person, role=payload.role, replacing=payload.replacing
        ),
    )


@router.delete(
    "/diagnostics/{ref}/council-roles/{code}",
    response={204: None, **EDIT_ERRORS},
    url_name="council_role_delete",
    operation_id="removeCouncilRole",
    summary="Take a council role away",
)
def council_role_delete(
    request: HttpRequest, ref: Ref, code: Code, version: IfVersion = None
) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=CHANGE)
    held: CouncilRole | None = d.council_roles.select_related("person").filter(code=code).first()
    if held is None:
        raise Http404("No such council role")
    people.remove_council_role(held, by=user, version=version)
    return Status(204, None)


# --- Stages -------------------------------------------------------------------------------


@router.get(
    "/diagnostics/{ref}/gates/{to_stage}",
    # 403: the host council may see the diagnostic but not its gates (found by schemathesis).
    response={200: GateOut, **READ_ERRORS, 403: Message},
    url_name="gate_check",
    operation_id="checkGate",
    summary="What is missing before the diagnostic may move to a stage",
)
def gate_check(
    request: HttpRequest, ref: Ref, to_stage: PathEx[Stage, P(description="A stage")]
) -> Any:
    # Gates talk about the team's internal work, so the council does not see them (as on the web).
    d = get_diagnostic_for_user(caller(request), ref, perm=VIEW_INTERNAL)
    return {
        "to_stage": to_stage,
        "to_stage_label": str(Stage(to_stage).label),
        "blockers": gate_blockers(d, to_stage),
        "warnings": gate_warnings(d, to_stage),
    }


@router.post(
    "/diagnostics/{ref}/advance",
    response={200: DiagnosticDetail, 409: GateRefused, **WRITE_ERRORS},
    url_name="diagnostic_advance",
    operation_id="advanceDiagnostic",
    summary="Move the diagnostic on to its next stage",
    exclude_unset=True,
)
def diagnostic_advance(request: HttpRequest, ref: Ref, payload: AdvanceIn) -> Any:
    """Refused with 409 and the list of blockers while anything is missing."""
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=ADVANCE)
    return _detail(request, stages.advance(d, payload.to_stage, by=user))


@router.post(
    "/diagnostics/{ref}/postpone",
    response={200: DiagnosticDetail, **WRITE_ERRORS},
    url_name="diagnostic_postpone",
    operation_id="postponeDiagnostic",
    summary="Pause the diagnostic; its delivery day 1 is cleared",
    exclude_unset=True,
    openapi_extra=links(200, resumeDiagnostic={"ref": SAME_REF}),
)
def diagnostic_postpone(request: HttpRequest, ref: Ref, payload: ReasonIn) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=ADVANCE)
    return _detail(request, stages.postpone(d, by=user, reason=payload.reason))


@router.post(
    "/diagnostics/{ref}/resume",
    response={200: DiagnosticDetail, **WRITE_ERRORS},
    url_name="diagnostic_resume",
    operation_id="resumeDiagnostic",
    summary="Take a postponed diagnostic back to the stage it was paused at",
    exclude_unset=True,
)
def diagnostic_resume(request: HttpRequest, ref: Ref) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=ADVANCE)
    return _detail(request, stages.resume(d, by=user))


@router.post(
    "/diagnostics/{ref}/cancel",
    response={200: DiagnosticDetail, **WRITE_ERRORS},
    url_name="diagnostic_cancel",
    operation_id="cancelDiagnostic",
    summary="End the diagnostic for good",
    exclude_unset=True,
)
def diagnostic_cancel(request: HttpRequest, ref: Ref, payload: ReasonIn) -> Any:
    user = caller(request)
    d = get_diagnostic_for_user(user, ref, perm=ADVANCE)
    return _detail(request, stages.cancel(d, by=user, reason=payload.reason))
