"""`{% generate_running d as line %}`: who started the week's generate run and when, while one
is going (empty otherwise), for the pages that change sessions by hand."""

from __future__ import annotations

from typing import Any

from django import template

from peerdiag.timetable.domain.runs import run_description, running_generate

register = template.Library()


@register.simple_tag
def generate_running(diagnostic: Any) -> str:
    run = running_generate(diagnostic)
    return run_description(run) if run is not None else ""
