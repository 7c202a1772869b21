"""API of the documents capability."""

from ninja import Router

router = Router(tags=["documents"])
