"""Forms that render as GOV.UK Design System components (classes, hints and error links)."""

from __future__ import annotations

import datetime as dt
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
        if isinstance(widget, GovukDateInput):
            widget.attrs["aria-describedby"] = " ".join(
                f"id_{form.add_prefix(name)}-{part}"
                for part, present in (("hint", bool(field.help_text)), ("error", name in errors))
                if present
            )
            widget.attrs["error"] = name in errors
            continue
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


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes in one fieldset (numbers, no picker).

    Renders with ``core/widgets/date_input.html``; ``core/field.html`` puts it in a fieldset
    whose legend is the field's label.
    """

    template_name = "core/widgets/date_input.html"
    input_type = "date-parts"  # read by core/field.html to render a fieldset

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric", "autocomplete": "off"}
        super().__init__(
            widgets={
                "day": forms.TextInput(
                    {**box, "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
                ),
                "month": forms.TextInput(
                    {**box, "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
                ),
                "year": forms.TextInput(
                    {**box, "class": "govuk-input govuk-date-input__input govuk-input--width-4"}
                ),
            },
            attrs=attrs,
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for sub, part in zip(
            context["widget"]["subwidgets"], ("day", "month", "year"), strict=True
        ):
            if sub["attrs"].get("id"):
                sub["attrs"]["id"] = f"{context['widget']['attrs']['id']}_{part}"
        return context

    def id_for_label(self, id_: str) -> str:
        # labels and error-summary links go to the day box, as the GOV.UK pattern does
        return f"{id_}_day" if id_ else id_

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                d = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [d.day, d.month, d.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # also accept one ISO value (a link such as ?as_at=2011-06-30) as well as the three boxes
        if name in data and not any(f"{name}_{p}" in data for p in ("day", "month", "year")):
            return self.decompress(data.get(name))
        return super().value_from_datadict(data, files, name)


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, with GOV.UK's error messages
    ("Date must include a month", "Date must be a real date")."""

    widget = GovukDateInput

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        kwargs.setdefault("help_text", "For example, 27 3 2011")
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dt.date | None:
        parts = [str(p or "").strip() for p in (data_list or ["", "", ""])]
        label = str(self.label or "Date")
        if not any(parts):
            if self.required:
                raise forms.ValidationError(f"Enter {label.lower()}", code="required")
            return None
        missing = [n for n, p in zip(("a day", "a month", "a year"), parts, strict=True) if not p]
        if missing:
            raise forms.ValidationError(
                f"{label} must include {' and '.join(missing)}", code="incomplete"
            )
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(f"{label} must be a real date", code="invalid")
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError(f"{label} must be a real date", code="invalid") from None

    def clean(self, value: Any) -> dt.date | None:
        # the parts are checked together in compress, so one message names what is wrong
        return self.compress(value if isinstance(value, list) else [None, None, None])
