"""The personal-data inventory: what every text-like field holds and what becomes of it.

Each app declares its own models' fields in `<app>/domain/personal_data.py`, as a `FIELDS`
dict of model name → field name → Policy. `inventory()` collects them from every installed
peerdiag app (the way Django's admin discovers `admin.py`), so this module imports no app.
A test walks every model and fails on any text-like field nobody has classified: a new field
cannot hold personal data without someone saying how long it is kept.

Four kinds of answer:
- not personal data (say why, when it isn't obvious);
- personal data destroyed or anonymised by a named retention step, at a stated time;
- personal data kept, with the reason (the audit trail, the signature record...);
- personal data that lives as long as the person's account or directory entry and is erased on
  request by `peerdiag erase_person`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.module_loading import module_has_submodule

MODULE = "domain.personal_data"

# Fields that can hold words a person typed or that name someone. Subclasses (EmailField,
# URLField, SlugField, ImageField...) are covered through these.
TEXT_LIKE: tuple[type[models.Field[Any, Any]], ...] = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.FileField,
    models.GenericIPAddressField,
    models.BinaryField,
)

# Schedules the retention steps keep (see peerdiag.diagnostics.domain.retention).
AT_DESTROY_BY = "on the destroy-by date (30 days after written feedback is issued, or at once "
AT_DESTROY_BY += "when the diagnostic is cancelled or closed)"
AFTER_EVALUATION = "12 months after written feedback is issued (or 12 months after the "
AFTER_EVALUATION += "diagnostic ended without it)"


class Kind(StrEnum):
    NOT_PERSONAL = "not personal data"
    DESTROYED = "destroyed by a retention step"
    KEPT = "kept"
    ERASED_ON_REQUEST = "erased on request"


@dataclass(frozen=True)
class Policy:
    kind: Kind
    note: str = ""  # why it is not personal, how it is destroyed, or why it is kept
    step: str = ""  # the retention step's registered name, for DESTROYED
    when: str = ""  # the schedule, for DESTROYED

    @property
    def personal(self) -> bool:
        return self.kind != Kind.NOT_PERSONAL


def not_personal(why: str = "") -> Policy:
    return Policy(Kind.NOT_PERSONAL, why)


def destroyed(step: str, *, how: str, when: str = AT_DESTROY_BY) -> Policy:
    return Policy(Kind.DESTROYED, how, step=step, when=when)


def kept(why: str) -> Policy:
    return Policy(Kind.KEPT, why)


ERASED = Policy(
    Kind.ERASED_ON_REQUEST,
    "kept while the person has an account or directory entry; erased on request by "
    "`peerdiag erase_person`",
)

# The one field common declares: CodedModel.code, on many models.
CODE = not_personal("a random public code")


def _declared(config_name: str) -> dict[str, dict[str, Policy]]:
    package = import_module(config_name)
    if not module_has_submodule(package, MODULE):
        return {}
    fields: dict[str, dict[str, Policy]] = import_module(f"{config_name}.{MODULE}").FIELDS
    return fields


def peerdiag_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_config is not None and m._meta.app_config.name.startswith("peerdiag.")
    ]


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, TEXT_LIKE) and getattr(f, "concrete", False)
    ]


def inventory() -> dict[str, dict[str, Policy]]:
    """'app_label.Model' → field name → Policy, for every peerdiag model that declares any."""
    out: dict[str, dict[str, Policy]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("peerdiag."):
            continue
        for model_name, fields in _declared(config.name).items():
            out[f"{config.label}.{model_name}"] = dict(fields)
    for model in peerdiag_models():
        field_names = {f.name for f in model._meta.get_fields()}
        if "code" in field_names and _inherits_code(model):
            out.setdefault(model._meta.label, {}).setdefault("code", CODE)
    return out


def _inherits_code(model: type[models.Model]) -> bool:
    from .models import CodedModel

    return issubclass(model, CodedModel)


def unclassified() -> list[str]:
    """'app.Model.field' for every text-like field of a peerdiag model with no policy."""
    known = inventory()
    return [
        f"{model._meta.label}.{f.name}"
        for model in peerdiag_models()
        for f in text_fields(model)
        if f.name not in known.get(model._meta.label, {})
    ]


def stale() -> list[str]:
    """Declarations that name a model or field that no longer exists (or is not text-like)."""
    models_by_label = {m._meta.label: m for m in peerdiag_models()}
    out = []
    for label, fields in inventory().items():
        model = models_by_label.get(label)
        names = {f.name for f in text_fields(model)} if model else set()
        out += [f"{label}.{name}" for name in fields if name not in names]
    return out
