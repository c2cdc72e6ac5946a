from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from safercity.web.core.forms import GovukForm, GovukModelForm

from .models import Agency, User


class SignInForm(GovukForm):
    username = forms.CharField(
        max_length=150,
        error_messages={"required": "Enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Security code",
        max_length=8,
        help_text="The 6-digit code from your authenticator app",
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class UserForm(GovukModelForm):
    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "agency", "role", "is_active")
        help_texts = {  # noqa: RUF012
            "username": "Letters, digits and @ . + - _ only",
            "is_active": "Inactive accounts cannot sign in",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.order_by("name")
        self.fields["agency"].required = True
        self.fields["agency"].error_messages["required"] = "Select the agency"
        self.fields["first_name"].required = True
        self.fields["first_name"].error_messages["required"] = "Enter the first name"
        self.fields["last_name"].required = True
        self.fields["last_name"].error_messages["required"] = "Enter the last name"


class NewUserForm(UserForm):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password",
        error_messages={"required": "Enter a password"},
    )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


class AgencyForm(GovukModelForm):
    class Meta:
        model = Agency
        fields = ("name", "kind")
