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


def _code_field() -> forms.CharField:
    return forms.CharField(
        label="Security code",
        max_length=8,
        help_text="The 6-digit code from your authenticator app",
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


def _current_password_field(label: str = "Your current password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        error_messages={"required": "Enter your current password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


PASSWORD_RULES = (
    "At least 12 characters; not a common password, nor only numbers, nor like your name"
)


class CodeForm(GovukForm):
    code = _code_field()


class NewPasswordForm(GovukForm):
    """GOV.UK's 'create a password' pattern: the rules in the hint, the browser may suggest
    one (``autocomplete=new-password``), checked by Django's password validators."""

    new_password = forms.CharField(
        label="New password",
        strip=False,
        help_text=PASSWORD_RULES,
        error_messages={"required": "Enter a new password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data["new_password"]
        validate_password(password, self.user)
        # at sign-in after a reset the person has just given the temporary password
        if self.user.check_password(password):
            raise forms.ValidationError("Choose a password different from the temporary one")
        return password


class ChangePasswordForm(NewPasswordForm):
    current_password = _current_password_field()
    field_order = ("current_password", "new_password")

    def clean_new_password(self) -> str:
        # compared with what was typed, not with the stored password: that would tell a guess
        # of the current password without counting it as a failed attempt
        password: str = self.cleaned_data["new_password"]
        validate_password(password, self.user)
        if password == self.data.get(self.add_prefix("current_password")):
            raise forms.ValidationError("Choose a password different from your current one")
        return password


class ConfirmItIsYouForm(GovukForm):
    """The current password and a security code, asked again before two-step sign-in is
    turned off or moved to another app."""

    password = _current_password_field()
    code = _code_field()


class PasswordOnlyForm(GovukForm):
    password = _current_password_field()


class ResetPasswordForm(GovukForm):
    turn_off_two_step = forms.BooleanField(
        label="Also turn off their two-step sign-in",
        required=False,
        help_text="Only if they have lost their authenticator app or changed phone",
    )
    password = _current_password_field("Your own password")
    field_order = ("turn_off_two_step", "password")


class UserForm(GovukModelForm):
    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "agency", "role", "is_active")
        help_texts = {  # noqa: RUF012
            "username": "Letters A to Z, digits and @ . + - _ only; capitals and small "
            "letters are the same",
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
        self.fields["username"].error_messages["invalid"] = (
            "Username must be letters A to Z, digits and @ . + - _ only"
        )

    def clean_username(self) -> str:
        """Usernames are unique ignoring case (the database refuses a clash too)."""
        username: str = self.cleaned_data["username"]
        clash = User.objects.by_username(username)
        if clash is not None and clash.pk != self.instance.pk:
            raise forms.ValidationError(
                "There is already a user with that username "
                "(usernames are the same in capitals or small letters)"
            )
        return username


class NewUserForm(UserForm):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_RULES,
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
