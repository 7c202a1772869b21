"""Errors raised by domain functions. Views and the API turn them into messages and 4xx."""

from __future__ import annotations


class DomainError(Exception):
    """A write refused for a reason a person can fix. `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
