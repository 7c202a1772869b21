"""Forms for key documents. They parse and validate; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms

from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.documents.enums import Category, Classification, RequestStatus

from .diagnostics import DomainErrorsMixin
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
            (k.code, f"{k.order}. {k.text[:90]}") for k in diagnostic.kloes.all()
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
