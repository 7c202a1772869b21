"""Forms for key documents. They parse and validate; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms

from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.documents.domain.uploads import FileToSupply
from peerdiag.documents.enums import Category, Classification, RequestStatus

from .common import DomainErrorsMixin
from .fields import GovukDateField
from .versioning import VersionedFormMixin


class DocumentRequestForm(DomainErrorsMixin, forms.Form):
    title = forms.CharField(
        max_length=200,
        label="Document",
        help_text="What the council should send, for example ‘Early help strategy’",
        error_messages={"required": "Enter the document's title"},
    )
    category = forms.ChoiceField(
        choices=Category.choices,
        label="Category",
        initial=Category.OTHER,
        error_messages={"required": "Choose a category"},
    )
    due_on = GovukDateField(
        required=False,
        label="Due date (optional)",
        help_text="Leave blank to use the key documents date, 15 working days before day 1",
    )
    notes = forms.CharField(
        widget=forms.Textarea, required=False, max_length=2000, label="Notes for the council"
    )
    kloes = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Key lines of enquiry"
    )

    def __init__(self, *args: Any, diagnostic: Diagnostic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.diagnostic = diagnostic
        self.fields["kloes"].choices = [  # type: ignore[attr-defined]
            (k.code, f"{k.order}. {k.text}") for k in diagnostic.kloes.all()
        ]

    def chosen_kloes(self) -> list[Any]:
        codes = self.cleaned_data.get("kloes") or []
        return list(self.diagnostic.kloes.filter(code__in=codes))


class UploadForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, Excel, PowerPoint, CSV, text, PNG or JPEG",
        error_messages={
            "required": "Choose the file to upload",
            "empty": "The selected file is empty",
            "invalid": "Choose the file to upload",
        },
    )
    classification = forms.ChoiceField(
        choices=Classification.choices,
        widget=forms.RadioSelect,
        label="How is it classified?",
        help_text="Official-sensitive documents and documents with personal data open only to "
        "peers who have read the briefing and signed any agreement",
        error_messages={"required": "Choose how the document is classified"},
    )


class AcceptForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """Accepting the latest file, as of the version of the request the PCM looked at."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the return form on the same page carries a version too.
        kwargs.setdefault("auto_id", "accept_%s")
        super().__init__(*args, **kwargs)

    def show_stale(self, error: StaleEdit) -> None:
        """Nothing typed to keep: say what changed and let them look before accepting again."""
        form: Any = self
        data = form.data.copy()
        data["version"] = str(error.current_version)
        form.data = data
        status = RequestStatus(getattr(error.current, "status", RequestStatus.REQUESTED)).label
        self.add_error(
            None,
            f"{error.changed_by_name} changed this document request at "
            f"{when_text(error.changed_at)}, after you opened it, so it has not been accepted. "
            f"Its status is now ‘{status}’. Check the latest version below before you accept it",
        )


class ReturnForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """Sending the latest file back, drawn from one version of the request."""

    comment = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="What does the council need to change?",
        error_messages={"required": "Say what the council needs to change"},
    )


class ReclassifyForm(DomainErrorsMixin, forms.Form):
    """The PCM or an administrator changes how one version of a document is classified.

    Prefixed, so its fields do not share ids with the upload form's on the same page.
    """

    prefix = "reclassify"

    version = forms.ChoiceField(
        label="Version",
        error_messages={
            "required": "Choose the version to reclassify",
            "invalid_choice": "Choose one of the versions listed",
        },
    )
    classification = forms.ChoiceField(
        choices=Classification.choices,
        widget=forms.RadioSelect,
        label="New classification",
        help_text="Choosing official-sensitive or personal data limits the file to peers who "
        "have read the briefing and signed any agreement",
        error_messages={"required": "Choose the new classification"},
    )

    def __init__(self, *args: Any, versions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {v.code: v for v in versions}
        self.fields["version"].choices = [  # type: ignore[attr-defined]
            (v.code, f"Version {v.version}: {v.original_name} ({v.classification_label})")
            for v in versions
        ]
        if versions and not self.is_bound:
            self.fields["version"].initial = versions[0].code

    def chosen_version(self) -> Any:
        return self.versions[self.cleaned_data["version"]]


class StandardListForm(DomainErrorsMixin, forms.Form):
    """The PCM asks for the type's standard documents in one step: the ones not requested yet,
    all ticked to begin with, with one due date and one note for all of them."""

    items = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Documents to request",
        help_text="Untick any the council does not need to send",
        error_messages={
            "required": "Choose at least one document to request",
            "invalid_choice": "Choose documents from the list",
        },
    )
    due_on = GovukDateField(
        required=False,
        label="Due date (optional)",
        help_text="Leave blank to use the key documents date, 15 working days before day 1",
    )
    notes = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="Note for the council (optional)",
        help_text="Shown with every document requested here",
    )

    def __init__(self, *args: Any, pending: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(item.pk), item.title) for item in pending]
        self.fields["items"].choices = choices  # type: ignore[attr-defined]
        self.fields["items"].initial = [value for value, _ in choices]

    def chosen(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("items") or []]


# How many documents nobody asked for may be sent with one multiple upload.
OTHER_SLOTS = 3
CLASSIFY_CHOICES = [("", "Choose a classification"), *Classification.choices]


class MultiUploadForm(DomainErrorsMixin, forms.Form):
    """Several files in one go: a file input and a classification for each request still open,
    and a few rows for documents sent without a request (each with a title).

    A row with a file needs a classification (and, for another document, a title); rows left
    without a file are ignored, so the choices made before a refusal can be kept.
    """

    def __init__(self, *args: Any, asks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks = asks
        for ask in asks:
            self.fields[f"file_{ask.code}"] = self._file()
            self.fields[f"classification_{ask.code}"] = self._classification()
        for n in range(1, OTHER_SLOTS + 1):
            self.fields[f"other_title_{n}"] = forms.CharField(
                required=False,
                max_length=200,
                label=f"Other document {n}: what is it?",
                help_text="For example ‘Workforce strategy’. Never name a child",
            )
            self.fields[f"other_file_{n}"] = self._file()
            self.fields[f"other_classification_{n}"] = self._classification()

    @staticmethod
    def _file() -> forms.FileField:
        return forms.FileField(
            required=False,
            label="File",
            error_messages={"empty": "The selected file is empty", "invalid": "Choose a file"},
        )

    @staticmethod
    def _classification() -> forms.ChoiceField:
        return forms.ChoiceField(
            choices=CLASSIFY_CHOICES,
            required=False,
            label="Classification",
        )

    def rows(self) -> list[dict[str, Any]]:
        """The rows as drawn: each request's, then the other documents'."""
        rows: list[dict[str, Any]] = [
            {
                "ask": ask,
                "file": self[f"file_{ask.code}"],
                "classification": self[f"classification_{ask.code}"],
            }
            for ask in self.asks
        ]
        for n in range(1, OTHER_SLOTS + 1):
            rows.append(
                {
                    "other": n,
                    "title": self[f"other_title_{n}"],
                    "file": self[f"other_file_{n}"],
                    "classification": self[f"other_classification_{n}"],
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = 0
        for ask in self.asks:
            chosen += self._check_row(data, f"file_{ask.code}", f"classification_{ask.code}")
        for n in range(1, OTHER_SLOTS + 1):
            has = self._check_row(data, f"other_file_{n}", f"other_classification_{n}")
            chosen += has
            title = (data.get(f"other_title_{n}") or "").strip()
            if has and not title:
                self.add_error(f"other_title_{n}", f"Say what other document {n} is")
        if not chosen and not self.errors:
            first = f"file_{self.asks[0].code}" if self.asks else "other_file_1"
            self.add_error(first, "Choose at least one file to upload")
        return data

    def _check_row(self, data: dict[str, Any], file_name: str, class_name: str) -> int:
        upload = data.get(file_name)
        if not upload:
            return 0
        if not data.get(class_name):
            self.add_error(class_name, f"Choose how ‘{upload.name[:80]}’ is classified")
        return 1

    def files_chosen(self) -> dict[str, str]:
        """The name of each file sent, by field: shown again after a refusal."""
        files: Any = self.files
        return {name: str(files[name].name) for name in files if name in self.fields}

    def to_supply(self) -> list[FileToSupply]:
        data = self.cleaned_data
        items = []
        for ask in self.asks:
            upload = data.get(f"file_{ask.code}")
            if upload:
                items.append(
                    FileToSupply(
                        slot=f"file_{ask.code}",
                        file=upload,
                        name=upload.name,
                        classification=data[f"classification_{ask.code}"],
                        ask=ask,
                    )
                )
        for n in range(1, OTHER_SLOTS + 1):
            upload = data.get(f"other_file_{n}")
            if upload:
                items.append(
                    FileToSupply(
                        slot=f"other_file_{n}",
                        file=upload,
                        name=upload.name,
                        classification=data[f"other_classification_{n}"],
                        title=data.get(f"other_title_{n}") or "",
                    )
                )
        return items
