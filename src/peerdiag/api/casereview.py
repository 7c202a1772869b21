"""API of the casereview capability."""

from ninja import Router

router = Router(tags=["casereview"])
