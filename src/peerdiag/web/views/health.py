"""The health check for load balancers and monitoring: GET /healthz/, no sign-in.

200 {"status": "ok", "database": "ok"} when this process can run a query on the database;
503 {"status": "error", "database": "error"} when it cannot, so a load balancer stops sending
people to it. It names no host, version or error text: anyone may call it.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
