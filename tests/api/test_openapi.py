"""The OpenAPI document is public, complete and names every operation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

EXPECTED = {
    "/api/me": {"get": "getMe"},
    "/api/diagnostics": {"get": "listDiagnostics", "post": "createDiagnostic"},
    "/api/diagnostics/{ref}": {"get": "getDiagnostic", "patch": "updateDiagnostic"},
    "/api/diagnostics/{ref}/kloes": {"get": "listKloes", "post": "addKloe"},
    "/api/diagnostics/{ref}/kloes/{code}": {"patch": "updateKloe", "delete": "removeKloe"},
    "/api/diagnostics/{ref}/council-roles": {
        "get": "listCouncilRoles",
        "post": "assignCouncilRole",
    },
    "/api/diagnostics/{ref}/council-roles/{code}": {"delete": "removeCouncilRole"},
    "/api/diagnostics/{ref}/gates/{to_stage}": {"get": "checkGate"},
    "/api/diagnostics/{ref}/advance": {"post": "advanceDiagnostic"},
    "/api/diagnostics/{ref}/postpone": {"post": "postponeDiagnostic"},
    "/api/diagnostics/{ref}/resume": {"post": "resumeDiagnostic"},
    "/api/diagnostics/{ref}/cancel": {"post": "cancelDiagnostic"},
    # The peer team and the bench (tests/api/test_team.py checks their URL names).
    "/api/diagnostics/{ref}/team": {"get": "listTeam", "post": "addTeamMember"},
    "/api/diagnostics/{ref}/team/suggestions/{role}": {"get": "suggestPeers"},
    "/api/diagnostics/{ref}/team/{code}": {
        "patch": "updateTeamMember",
        "delete": "removeTeamMember",
    },
    "/api/diagnostics/{ref}/team/{code}/decision": {"post": "decideOnPeer"},
    "/api/diagnostics/{ref}/proposed-peers": {"get": "listProposedPeers"},
    "/api/diagnostics/{ref}/declaration": {"post": "declareInterests"},
    "/api/diagnostics/{ref}/briefing/acknowledgement": {"post": "acknowledgeBriefing"},
    "/api/diagnostics/{ref}/confidentiality/signature": {"post": "signAgreement"},
    "/api/diagnostics/{ref}/confidentiality": {
        "get": "getConfidentiality",
        "put": "setConfidentiality",
    },
    "/api/diagnostics/{ref}/data-access": {"get": "getDataAccess"},
    "/api/bench": {"get": "searchBench"},
    "/api/bench/{person_code}": {"get": "getPeerProfile", "put": "savePeerProfile"},
    "/api/diagnostics/{ref}/documents": {
        "get": "listDocumentRequests",
        "post": "createDocumentRequest",
    },
    "/api/diagnostics/{ref}/documents/{code}": {"get": "getDocumentRequest"},
    "/api/diagnostics/{ref}/documents/{code}/versions": {"post": "uploadDocumentVersion"},
    "/api/diagnostics/{ref}/documents/{code}/accept": {"post": "acceptDocument"},
    "/api/diagnostics/{ref}/documents/{code}/return": {"post": "returnDocument"},
    "/api/diagnostics/{ref}/document-files/{code}": {"get": "downloadDocumentVersion"},
    "/api/diagnostics/{ref}/document-files/{code}/classification": {
        "post": "reclassifyDocumentVersion"
    },
    "/api/diagnostics/{ref}/case-review": {"get": "getCaseReview"},
    # Written feedback, feedback files, evaluation and the portfolio (tests/api/test_reports.py,
    # test_evaluation.py, test_portfolio.py).
    "/api/diagnostics/{ref}/feedback-files": {
        "get": "listFeedbackFiles",
        "post": "buildFeedbackFile",
    },
    "/api/diagnostics/{ref}/feedback-files/{code}": {"get": "getFeedbackFile"},
    "/api/diagnostics/{ref}/feedback-files/{code}/file": {"get": "downloadFeedbackFile"},
    "/api/diagnostics/{ref}/written-feedback": {"get": "getWrittenFeedback"},
    "/api/diagnostics/{ref}/written-feedback/files/{which}": {"get": "downloadWrittenFeedback"},
    "/api/diagnostics/{ref}/written-feedback/comments": {
        "get": "listFactualComments",
        "post": "addFactualComment",
    },
    "/api/diagnostics/{ref}/written-feedback/issue": {"post": "issueWrittenFeedback"},
    "/api/diagnostics/{ref}/evaluation/surveys": {"get": "listSurveys"},
    "/api/diagnostics/{ref}/evaluation/results": {"get": "getEvaluationResults"},
    "/api/diagnostics/{ref}/evaluation/outcome": {
        "get": "getEvaluationOutcome",
        "put": "setEvaluationOutcome",
    },
    "/api/portfolio": {"get": "listPortfolio"},
    "/api/portfolio/charts": {"get": "getPortfolioCharts"},
    # The delivery-week timetable (tests/api/test_timetable.py).
    "/api/diagnostics/{ref}/timetable/sessions": {"get": "listSessions", "post": "addSession"},
    "/api/diagnostics/{ref}/timetable/sessions/{code}": {
        "get": "getSession",
        "patch": "updateSession",
        "delete": "removeSession",
    },
    "/api/diagnostics/{ref}/timetable/sessions/{code}/attendees": {
        "get": "listSessionAttendees",
        "post": "addSessionAttendee",
    },
    "/api/diagnostics/{ref}/timetable/sessions/{code}/attendees/{attendee}": {
        "delete": "removeSessionAttendee"
    },
    "/api/diagnostics/{ref}/timetable/attendees": {"get": "listAttendees"},
    "/api/diagnostics/{ref}/timetable/availability": {"get": "getAvailability"},
    "/api/diagnostics/{ref}/timetable/availability/{code}": {"put": "setAvailability"},
    "/api/diagnostics/{ref}/timetable/versions": {"get": "listTimetableVersions"},
    "/api/diagnostics/{ref}/timetable/versions/latest": {"get": "getLatestTimetableVersion"},
    "/api/diagnostics/{ref}/timetable/versions/{number}": {"get": "getTimetableVersion"},
    "/api/diagnostics/{ref}/timetable/publish": {
        "get": "previewTimetablePublish",
        "post": "publishTimetable",
    },
    "/api/diagnostics/{ref}/timetable/runs": {"post": "startTimetableRun"},
    "/api/diagnostics/{ref}/timetable/runs/{code}": {
        "get": "getTimetableRun",
        "delete": "cancelTimetableRun",
    },
    "/api/diagnostics/{ref}/timetable/runs/{code}/result": {"get": "getTimetableRunResult"},
    # Evidence and findings (tests/api/test_findings.py).
    "/api/diagnostics/{ref}/notes": {"get": "listNotes", "post": "addNote"},
    "/api/diagnostics/{ref}/notes/{code}": {"get": "getNote", "patch": "updateNote"},
    "/api/diagnostics/{ref}/findings": {"get": "listFindings", "post": "addFinding"},
    "/api/diagnostics/{ref}/findings/{code}": {"get": "getFinding", "patch": "updateFinding"},
    "/api/diagnostics/{ref}/findings/{code}/evidence": {"post": "linkEvidence"},
    "/api/diagnostics/{ref}/findings/{code}/evidence/{note_code}": {"delete": "unlinkEvidence"},
    "/api/diagnostics/{ref}/recommendations": {
        "get": "listRecommendations",
        "post": "addRecommendation",
    },
    "/api/diagnostics/{ref}/recommendations/{code}": {"patch": "updateRecommendation"},
    "/api/diagnostics/{ref}/board": {"get": "getBoard"},
    "/api/diagnostics/{ref}/board/{code}/approve": {"post": "approveBoardItem"},
    "/api/diagnostics/{ref}/board/{code}/withdraw": {"post": "withdrawApproval"},
    "/api/diagnostics/{ref}/board/{code}/move": {"post": "moveBoardItem"},
    "/api/diagnostics/{ref}/board/approve-all": {"post": "approveBoard"},
    "/api/diagnostics/{ref}/kit-digests": {"get": "listKitDigests"},
    "/api/diagnostics/{ref}/kit-digests/{code}": {"get": "getKitDigest"},
}


@pytest.fixture
def spec(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_spec_is_public_and_lists_every_path_and_operation(spec):
    assert spec["info"] == {
        "title": "peerdiag API",
        "version": "1",
        "description": spec["info"]["description"],
    }
    found = {
        path: {method: op["operationId"] for method, op in operations.items()}
        for path, operations in spec["paths"].items()
    }
    assert found == EXPECTED


def test_every_operation_needs_the_bearer_token(spec):
    scheme = spec["components"]["securitySchemes"]["BearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    # The document tells a client that tokens expire and what each scope allows.
    assert "Every token expires" in scheme["description"]
    for scope in ("`read` only reads", "`write` reads and changes", "`sensitive` also downloads"):
        assert scope in scheme["description"]
    for operations in spec["paths"].values():
        for op in operations.values():
            assert op["security"] == [{"BearerToken": []}]


def test_every_operation_declares_its_error_responses(spec):
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert "401" in codes, (method, path)
            if "{ref}" in path:
                assert {"404", "422"} <= codes, (method, path)
            if method != "get":
                assert {"400", "403", "422"} <= codes, (method, path)
    advance = spec["paths"]["/api/diagnostics/{ref}/advance"]["post"]["responses"]
    assert advance["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GateRefused"
    }


def test_the_interactive_docs_are_public(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("me", {}, "/api/me"),
        ("diagnostic_list", {}, "/api/diagnostics"),
        ("diagnostic_create", {}, "/api/diagnostics"),
        ("diagnostic_detail", {"ref": "RPD-2027-001"}, "/api/diagnostics/RPD-2027-001"),
        ("diagnostic_update", {"ref": "RPD-2027-001"}, "/api/diagnostics/RPD-2027-001"),
        ("kloe_list", {"ref": "R"}, "/api/diagnostics/R/kloes"),
        ("kloe_create", {"ref": "R"}, "/api/diagnostics/R/kloes"),
        ("kloe_update", {"ref": "R", "code": "c"}, "/api/diagnostics/R/kloes/c"),
        ("kloe_delete", {"ref": "R", "code": "c"}, "/api/diagnostics/R/kloes/c"),
        ("council_role_list", {"ref": "R"}, "/api/diagnostics/R/council-roles"),
        ("council_role_create", {"ref": "R"}, "/api/diagnostics/R/council-roles"),
        ("council_role_delete", {"ref": "R", "code": "c"}, "/api/diagnostics/R/council-roles/c"),
        ("gate_check", {"ref": "R", "to_stage": "scoped"}, "/api/diagnostics/R/gates/scoped"),
        ("diagnostic_advance", {"ref": "R"}, "/api/diagnostics/R/advance"),
        ("diagnostic_postpone", {"ref": "R"}, "/api/diagnostics/R/postpone"),
        ("diagnostic_resume", {"ref": "R"}, "/api/diagnostics/R/resume"),
        ("diagnostic_cancel", {"ref": "R"}, "/api/diagnostics/R/cancel"),
        ("openapi-json", {}, "/api/openapi.json"),
        ("openapi-view", {}, "/api/docs"),
    ],
)
def test_url_names(name, kwargs, path):
    assert reverse(f"api:{name}", kwargs=kwargs) == path
