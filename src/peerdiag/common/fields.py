"""Model fields shared by every app.

`EncryptedTextField` keeps its text encrypted at rest with the case content keys
(peerdiag.common.crypto): the database column holds a Fernet token, Python code sees plain text.
Fernet tokens differ every time the same text is encrypted, so the database cannot compare,
search or sort such a column. Lookups are refused with a TypeError rather than silently
matching nothing; only `isnull` and equality with the empty string (which is stored as itself,
'' is never encrypted) are allowed. The model checks refuse an encrypted field in a model's
Meta.ordering or marked unique; an `order_by()` at run time cannot be caught here, so sort in
Python after reading.

`rotate_keys` re-encrypts everything under the newest key: every EncryptedTextField of every
installed model (found by `encrypted_fields`), plus any columns of Fernet tokens an app keeps in
plain text fields itself (the case review's `*_enc` fields), passed in as `extra`.

`encrypt_in_place` and `decrypt_in_place` are RunPython functions for the migration that turns a
plain column into an encrypted one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core import checks, validators
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Lookup, Value
from django.db.models.lookups import Exact

from . import crypto

# How many rows rotate_keys reads, locks and rewrites at a time.
ROTATE_CHUNK = 200


def _refusal(field: Any, lookup_name: str) -> TypeError:
    where = f"{field.model.__name__}.{field.name}" if hasattr(field, "model") else "This field"
    return TypeError(
        f"{where} is encrypted: the database cannot compare it ('{lookup_name}'); "
        "filter in Python after reading"
    )


class _EmptyOrNull(Exact):  # type: ignore[type-arg]
    """`field=""` (stored as '', so the database can find it) or `field=None` (isnull)."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in ("", None):
            raise _refusal(getattr(lhs, "target", lhs.output_field), "exact")
        super().__init__(lhs, rhs)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as a Fernet token under the newest case content key ('' stays '').

    `max_length`, if given, limits the plain text (forms and full_clean), not the column.
    """

    description = "Text encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            # As CharField does; the column itself has no limit (tokens are longer).
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _EmptyOrNull
        raise _refusal(self, lookup_name)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        ordering = getattr(self.model._meta, "ordering", None) or []
        if any(isinstance(o, str) and o.lstrip("-?") == self.name for o in ordering):
            errors.append(
                checks.Error(
                    f"{self.model.__name__}.{self.name} is encrypted, so the database cannot "
                    "sort by it: take it out of Meta.ordering",
                    obj=self,
                    id="peerdiag.E001",
                )
            )
        if self.unique:
            errors.append(
                checks.Error(
                    f"{self.model.__name__}.{self.name} is encrypted, so the database cannot "
                    "keep it unique",
                    obj=self,
                    id="peerdiag.E002",
                )
            )
        return errors


Columns = Iterable[tuple[type[models.Model], Iterable[str]]]


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every installed model with EncryptedTextFields, and those fields' names (for rotation).

    Each table once: proxies are skipped, and a child model lists only its own fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [
            f.name for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            found.append((model, names))
    return found


class KeysMissing(ImproperlyConfigured):
    """rotate_keys found tokens that no key opens: `unreadable` counts their rows per model
    label; `rotated` counts the rows it did re-encrypt (they stay re-encrypted)."""

    def __init__(self, rotated: dict[str, int], unreadable: dict[str, int]) -> None:
        self.rotated = rotated
        self.unreadable = unreadable
        where = ", ".join(f"{n} in {label}" for label, n in unreadable.items())
        super().__init__(
            f"Some encrypted records cannot be opened with any key in {crypto.ENV} ({where}): "
            "put back the key they were made with and run the rotation again"
        )


def rotate_keys(extra: Columns = ()) -> dict[str, int]:
    """Re-encrypt every stored token that is not under the newest key with the newest key.

    Covers every EncryptedTextField (`encrypted_fields`) and the `extra` (model, field names)
    pairs: plain text fields that hold Fernet tokens themselves. Returns, per model label
    ('casereview.DomainGrade'), how many rows changed; running it again changes none.
    Rows are locked and rewritten a chunk at a time, each chunk in its own transaction, and a
    row is rewritten only if its tokens are still those read (a save in between wins: it was
    made under the newest key anyway). Rows that no key opens are left as they are and counted;
    after everything else is done, KeysMissing names them.
    """
    crypto.fernet()  # a missing or malformed PEERDIAG_CASE_KEYS is reported as itself, first
    plan: dict[type[models.Model], list[str]] = {}
    for model, names in [*extra, *encrypted_fields()]:
        wanted = plan.setdefault(model, [])
        wanted.extend(n for n in names if n not in wanted)
    rotated: dict[str, int] = {}
    unreadable: dict[str, int] = {}
    for model, names in plan.items():
        rotated[model._meta.label], lost = _rotate_model(model, names)
        if lost:
            unreadable[model._meta.label] = lost
    if unreadable:
        raise KeysMissing(rotated, unreadable)
    return rotated


def _raw(name: str) -> ExpressionWrapper:  # type: ignore[type-arg]
    # The column as stored: a plain TextField output has no from_db_value, no lookup refusal.
    return ExpressionWrapper(F(name), output_field=models.TextField())


def _rotate_model(model: type[models.Model], names: list[str]) -> tuple[int, int]:
    """(rows re-encrypted, rows holding a token that no key opens)."""
    manager = model._default_manager
    raws = {f"raw_{n}": _raw(n) for n in names}
    pks = list(manager.order_by("pk").values_list("pk", flat=True))
    changed = lost = 0
    for start in range(0, len(pks), ROTATE_CHUNK):
        chunk = pks[start : start + ROTATE_CHUNK]
        with transaction.atomic():
            rows = (
                manager.select_for_update()
                .filter(pk__in=chunk)
                .annotate(**raws)
                .values_list("pk", *raws)
            )
            for pk, *tokens in rows:
                old = dict(zip(names, tokens, strict=True))
                try:
                    new = {n: crypto.rotate(t) for n, t in old.items() if t}
                except ImproperlyConfigured:
                    lost += 1
                    continue
                new = {n: t for n, t in new.items() if t != old[n]}
                if not new:
                    continue
                changed += (
                    manager.filter(pk=pk)
                    .alias(**{f"raw_{n}": _raw(n) for n in new})
                    .filter(**{f"raw_{n}": old[n] for n in new})
                    .update(
                        **{n: Value(t, output_field=models.TextField()) for n, t in new.items()}
                    )
                )
    return changed, lost


def encrypt_in_place(app_label: str, model_name: str, *columns: str) -> Any:
    """A RunPython function for a migration that turns plain-text columns into encrypted ones.

    Reads and writes the raw column values with SQL (the historical model's field would try to
    decrypt plain text). Use it right after the AlterField that switches the field class, with
    `migrations.RunPython(encrypt_in_place("findings", "quote", "text"),
    decrypt_in_place("findings", "quote", "text"))`. A value that is already a token under one
    of the keys is left alone, so running it twice does not encrypt twice.
    """
    return _in_place(app_label, model_name, columns, _encrypt_unless_token)


def decrypt_in_place(app_label: str, model_name: str, *columns: str) -> Any:
    """The reverse of `encrypt_in_place`, for the migration's way back."""
    return _in_place(app_label, model_name, columns, crypto.decrypt)


def _encrypt_unless_token(value: str) -> str:
    return value if crypto.opens(value) else crypto.encrypt(value)


def _in_place(
    app_label: str, model_name: str, columns: tuple[str, ...], change: Callable[[str], str]
) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        pk = schema_editor.quote_name(model._meta.pk.column)
        cols = [schema_editor.quote_name(model._meta.get_field(c).column) for c in columns]
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {', '.join(cols)} FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            sets = ", ".join(f"{c} = %s" for c in cols)
            for row in rows:
                values = [change(v) if v else v for v in row[1:]]
                if values == list(row[1:]):
                    continue
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                    [*values, row[0]],
                )

    return run
