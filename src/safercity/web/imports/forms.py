from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from safercity.web.core.forms import GovukForm

ALLOWED_SUFFIXES = (".csv", ".zip", ".json")


class UploadForm(GovukForm):
    file = forms.FileField(
        label="police.uk file",
        help_text="A police.uk street, outcomes or stop and search CSV, or a zip of them "
        "from data.police.uk",
        error_messages={"required": "Select a police.uk file"},
    )

    def clean_file(self) -> UploadedFile:
        f: UploadedFile = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("The selected file must be a CSV, JSON or zip file")
        if f.size is not None and f.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {settings.UPLOAD_MAX_BYTES // 2**20} MB"
            )
        if f.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return f
