"""Forms that render as GOV.UK Design System components (classes, hints and error links)."""

from __future__ import annotations

from typing import Any

from django import forms

_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


class GovukForm(forms.Form):
    """Adds GOV.UK classes, ``aria-describedby`` for hints and errors, and error states."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def full_clean(self) -> None:
        super().full_clean()
        _style(self)


class GovukModelForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def full_clean(self) -> None:
        super().full_clean()
        _style(self)


def _style(form: forms.BaseForm) -> None:
    errors = form.errors if form.is_bound and hasattr(form, "_errors") and form._errors else {}
    for name, field in form.fields.items():
        widget = field.widget
        css = next((c for t, c in _CLASSES.items() if isinstance(widget, t)), "govuk-input")
        described = []
        if field.help_text:
            described.append(f"id_{form.add_prefix(name)}-hint")
        if name in errors:
            described.append(f"id_{form.add_prefix(name)}-error")
            if css in {"govuk-input", "govuk-select", "govuk-textarea", "govuk-file-upload"}:
                css += f" {css}--error"
        widget.attrs["class"] = css
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)
