"""Response shapes of the case record review's progress (api/casereview.py)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class BlockerOut(Schema):
    code: str
    message: str


class CaseReviewOut(Schema):
    in_scope: bool
    sharing_recorded_at: datetime | None
    sample_size: int
    seed: str
    cases: int
    audits_finished: int
    concerns_open: int
    concerns_not_escalated: int
    report_approved_at: datetime | None
    report_issued_at: datetime | None
    content_destroyed_at: datetime | None
    blockers: list[BlockerOut]
    warnings: list[str]
