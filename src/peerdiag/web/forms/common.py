"""What every page form shares."""

from __future__ import annotations

from typing import Any


class DomainErrorsMixin:
    """Puts a DomainError from a domain function back on the field it names."""

    def add_domain_error(self, error: Any) -> None:
        field = error.field if error.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, error.message)  # type: ignore[attr-defined]
