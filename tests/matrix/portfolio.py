"""Entries for the LGA's portfolio: every diagnostic, its CSV, the learning library and the
charts. For LGA staff (here the PCMs) and administrators; nobody else, whatever their diagnostic.
"""

from __future__ import annotations

from typing import Any

from . import Case, rel

PORTFOLIO = rel(anon=302, admin=200, pcm=200, team=403, council=403, none=403)
STARTED = rel(anon=302, admin=302, pcm=302, team=403, council=403, none=403)


def _job(d: Any) -> dict[str, str]:
    from django.core.files.base import ContentFile

    from peerdiag.reports.models import ExportJob

    job = ExportJob.objects.create(kind="portfolio_csv", state="done", filename="p.csv")
    job.file.save("p.csv", ContentFile(b"Reference\r\n"))
    return {"code": job.code}


ENTRIES: dict[str, Case] = {
    "web:portfolio": Case(PORTFOLIO),
    "web:portfolio_export": Case(PORTFOLIO),
    "web:portfolio_export_start": Case(STARTED, method="POST"),
    "web:portfolio_export_job": Case(PORTFOLIO, kwargs=("code",), make=_job, per_user=True),
    "web:portfolio_export_file": Case(PORTFOLIO, kwargs=("code",), make=_job, per_user=True),
    "web:learning_library": Case(PORTFOLIO),
    "web:portfolio_charts": Case(PORTFOLIO),
}
