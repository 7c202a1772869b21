"""The HTTP API, mounted at /api/ (see docs/api.md).

Every operation needs a bearer token; the OpenAPI document (/api/openapi.json) and the
interactive docs (/api/docs) stay public, since they only describe the API.
"""

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI

from . import errors, idempotency, ratelimit
from .auth import BearerToken
from .bench import router as bench_router
from .casereview import router as casereview_router
from .diagnostics import router as diagnostics_router
from .documents import router as documents_router
from .evaluation import router as evaluation_router
from .findings import router as findings_router
from .portfolio import router as portfolio_router
from .reports import router as reports_router
from .schemas.common import Message
from .schemas.diagnostics import MeOut
from .team import router as team_router
from .timetable import router as timetable_router

api = NinjaAPI(
    title="peerdiag API",
    version="1",
    description="Remote peer diagnostics of children's services: the same data and rules as "
    "the web pages, for scripts and other systems.",
    auth=BearerToken(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
ratelimit.install(api)
idempotency.install(api)
api.add_router("/", diagnostics_router)
api.add_router("/", team_router)
api.add_router("/", bench_router)
api.add_router("/", documents_router)
api.add_router("/", casereview_router)
api.add_router("/", evaluation_router)
api.add_router("/", timetable_router)
api.add_router("/", findings_router)
api.add_router("/", reports_router)
api.add_router("/", portfolio_router)


@api.get(
    "/me",
    response={200: MeOut, 401: Message},
    url_name="me",
    operation_id="getMe",
    summary="Who the token belongs to",
    tags=["accounts"],
)
def me(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    person = getattr(user, "person", None)
    organisation = person.organisation if person is not None else None
    return {"email": user.email, "name": user.get_full_name(), "organisation": organisation}
