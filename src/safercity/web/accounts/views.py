"""Sign-in (password, then the security code when two-step sign-in is on, then a new password
after an administrator's reset), sign-out, the person's own account settings, and users."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safercity.web.audit import services as audit

from . import services, totp
from .forms import (
    AgencyForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmItIsYouForm,
    NewPasswordForm,
    NewUserForm,
    PasswordOnlyForm,
    ResetPasswordForm,
    SignInForm,
    UserForm,
)
from .models import Agency, User
from .permissions import public, require
from .services import Decision

# the sign-in under way, kept in the session between its steps
PENDING = "safercity_pending_user"
PENDING_HASH = "safercity_pending_hash"
STAGE = "safercity_pending_stage"
NEXT = "safercity_next"
CODE_STAGE = "code"
NEW_PASSWORD_STAGE = "new_password"
#: the authenticator app this session is setting up (another session's set-up is not shown)
SETUP = "safercity_two_step_setup"


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


def _pend(request: HttpRequest, user: User, stage: str, next_url: str) -> HttpResponse:
    """The password was right: the session remembers whose sign-in this is and the step next
    (a security code, or a new password after a reset); nobody is signed in yet."""
    request.session.cycle_key()
    request.session[PENDING] = str(user.pk)
    # a reset, lock or deactivation before the sign-in ends makes it start again
    request.session[PENDING_HASH] = user.get_session_auth_hash()
    request.session[STAGE] = stage
    request.session[NEXT] = next_url
    return redirect("accounts:code" if stage == CODE_STAGE else "accounts:new_password")


def _pending(request: HttpRequest, stage: str) -> User | None:
    """The account whose sign-in has reached ``stage`` in this session, if still allowed."""
    pk = request.session.get(PENDING)
    if not pk or request.session.get(STAGE) != stage:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not constant_time_compare(
        request.session.get(PENDING_HASH, ""), user.get_session_auth_hash()
    ):
        return None
    return user


def _finish(request: HttpRequest, user: User, summary: str = "signed in") -> HttpResponse:
    next_url = request.session.get(NEXT, "")
    for key in (PENDING, PENDING_HASH, STAGE, NEXT):
        request.session.pop(key, None)
    login(request, user)
    services.signed_in(request, user, summary)
    return redirect(_next_url(request, next_url))


def _ended_by_lock(request: HttpRequest) -> HttpResponse:
    """A wrong password or code asked again locked the account: its sessions end, this one
    at once."""
    logout(request)
    messages.error(request, services.locked_message())
    return redirect("accounts:login")


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        result = services.check_password(
            request, form.cleaned_data["username"], form.cleaned_data["password"]
        )
        if result.user is None:
            form.add_error(None, result.error)
        elif result.needs_code:
            return _pend(request, result.user, CODE_STAGE, next_url)
        elif result.needs_new_password:
            return _pend(request, result.user, NEW_PASSWORD_STAGE, next_url)
        else:
            return _finish(request, result.user)
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": next_url, "breadcrumbs": [("Home", "/"), ("Sign in", None)]},
    )


@public
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending(request, CODE_STAGE)
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.check_code(request, user, form.cleaned_data["code"])
        if result.user is None:
            form.add_error("code", result.error)
        elif result.needs_new_password:
            request.session[STAGE] = NEW_PASSWORD_STAGE
            return redirect("accounts:new_password")
        else:
            return _finish(request, user)
    return render(request, "accounts/code.html", {"form": form})


@public
@sensitive_post_parameters("new_password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_new_password(request: HttpRequest) -> HttpResponse:
    """After an administrator's reset: the person signed in with the temporary password (and
    their code) and now chooses their own before going on."""
    user = _pending(request, NEW_PASSWORD_STAGE)
    expires = user.temporary_password_until if user else None
    if user is None or expires is None or expires <= timezone.now():
        return redirect("accounts:login")
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.choose_new_password(user, form.cleaned_data["new_password"])
        return _finish(
            request, user, "signed in with a temporary password and chose a new password"
        )
    return render(request, "accounts/new_password.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(request, "logout", request.user, summary="signed out")
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("core:home")


sign_out.capability = "public"  # type: ignore[attr-defined]


def _account_breadcrumbs(title: str) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Your account", reverse("accounts:security")), (title, None)]


@require("account")
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {"breadcrumbs": [("Home", "/"), ("Your account", None)]},
    )


@require("account")
@sensitive_post_parameters("current_password", "new_password")
@never_cache
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ChangePasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        decision = services.change_password(
            request, user, form.cleaned_data["current_password"], form.cleaned_data["new_password"]
        )
        if decision is Decision.ACCEPTED:
            messages.success(
                request,
                "Your password is changed. You are still signed in here; anywhere else you "
                "were signed in, you have been signed out.",
            )
            return redirect("accounts:security")
        if decision is Decision.LOCKED:
            return _ended_by_lock(request)
        form.add_error("current_password", services.WRONG_PASSWORD)
    return render(
        request,
        "accounts/change_password.html",
        {"form": form, "breadcrumbs": _account_breadcrumbs("Change your password")},
    )


@require("account")
@sensitive_post_parameters("password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_step(request: HttpRequest) -> HttpResponse:
    """Turning two-step sign-in on, off, or over to another app. Turning it on asks for the
    password; turning it off or moving it, the password and a code from the app in use."""
    user = request.user
    assert isinstance(user, User)
    setup = services.pending_device(user)
    if setup is not None and request.session.get(SETUP) != setup.pk:
        setup = None  # started in another session: not shown here, replaced if started again
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound = request.POST if action else None
    form: CodeForm | ConfirmItIsYouForm | PasswordOnlyForm
    if setup is not None:
        form = CodeForm(bound if action == "confirm" else None)
    elif user.totp_enabled:
        form = ConfirmItIsYouForm(bound if action in {"off", "restart"} else None)
    else:
        form = PasswordOnlyForm(bound if action == "start" else None)

    if action == "cancel" and setup is not None:
        services.cancel_two_step_setup(user)
        request.session.pop(SETUP, None)
        return redirect("accounts:two_step")
    if action == "confirm" and isinstance(form, CodeForm) and form.is_valid():
        again = user.totp_enabled
        if services.confirm_two_step(request, user, form.cleaned_data["code"]):
            request.session.pop(SETUP, None)
            messages.success(
                request,
                "Two-step sign-in now uses your new app" if again else "Two-step sign-in is on",
            )
            return redirect("accounts:security")
        form.add_error("code", services.WRONG_CODE)
    if action in {"start", "off", "restart"} and form.is_bound and form.is_valid():
        code = form.cleaned_data.get("code") if user.totp_enabled else None
        decision = services.reauthenticate(
            request, user, form.cleaned_data["password"], code, "password or security code "
            "(changing two-step sign-in)" if user.totp_enabled else "password (setting up "
            "two-step sign-in)",
        )  # fmt: skip
        if decision is Decision.LOCKED:
            return _ended_by_lock(request)
        if decision is Decision.WRONG:
            form.add_error(
                None,
                services.WRONG_PASSWORD_OR_CODE if user.totp_enabled else services.WRONG_PASSWORD,
            )
        elif action == "off":
            services.turn_off_two_step(request, user)
            messages.success(request, "Two-step sign-in is off")
            return redirect("accounts:security")
        else:
            request.session[SETUP] = services.start_two_step_setup(user).pk
            return redirect("accounts:two_step")

    context: dict[str, object] = {
        "form": form,
        "setup": setup,
        "breadcrumbs": _account_breadcrumbs("Two-step sign-in"),
    }
    if setup is not None:
        key = setup.bin_key
        uri = totp.provisioning_uri(key, user.username)
        context["key_text"] = totp.key_text(key)
        context["uri"] = uri
        # built here from the new key, not from input: safe to inline
        context["qr_svg"] = mark_safe(totp.qr_svg(uri))
    return render(request, "accounts/two_step.html", context)


@require("administer")
def users(request: HttpRequest) -> HttpResponse:
    rows = User.objects.select_related("agency").order_by("agency__name", "username")
    return render(
        request,
        "accounts/users.html",
        {"users": rows, "breadcrumbs": [("Home", "/"), ("Users", None)]},
    )


@require("administer")
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        try:
            user = services.create_user(data, form.cleaned_data["password"])
        except IntegrityError:  # the same username, added a moment ago by someone else
            form.add_error("username", "There is already a user with that username")
        else:
            messages.success(request, f"Account {user.username} created")
            return redirect("accounts:user", pk=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "title": "Add a user",
            "breadcrumbs": [("Home", "/"), ("Users", reverse("accounts:users")), ("Add", None)],
        },
    )


@require("administer")
def user_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    user = get_object_or_404(User.objects.select_related("agency"), pk=pk)
    audit.viewed(request, user)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": user,
            "breadcrumbs": [
                ("Home", "/"),
                ("Users", reverse("accounts:users")),
                (user.username, None),
            ],
        },
    )


@require("administer")
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(user, form.cleaned_data)
        except IntegrityError:  # the same username, given to another account a moment ago
            form.add_error("username", "There is already a user with that username")
        else:
            messages.success(request, f"Account {user.username} updated")
            return redirect("accounts:user", pk=user.pk)
    audit.viewed(request, user)  # the form shows the person's details
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "title": f"Change {user.username}",
            "breadcrumbs": [
                ("Home", "/"),
                ("Users", reverse("accounts:users")),
                (user.username, reverse("accounts:user", args=[user.pk])),
                ("Change", None),
            ],
        },
    )


@require("administer")
@require_POST
def user_unlock(request: HttpRequest, pk: UUID) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    services.unlock(user)
    messages.success(request, f"Account {user.username} unlocked")
    return redirect("accounts:user", pk=user.pk)


@require("administer")
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def user_reset(request: HttpRequest, pk: UUID) -> HttpResponse:
    """An administrator resets a person's password: a temporary one, shown once here, that the
    person replaces at sign-in; the administrator's own password is asked first."""
    person = get_object_or_404(User, pk=pk)
    admin = request.user
    assert isinstance(admin, User)
    form = ResetPasswordForm(request.POST or None)
    crumbs = [
        ("Home", "/"),
        ("Users", reverse("accounts:users")),
        (person.username, reverse("accounts:user", args=[person.pk])),
        ("Reset password", None),
    ]
    if request.method == "POST" and form.is_valid():
        decision = services.reauthenticate(
            request, admin, form.cleaned_data["password"], None,
            "password (resetting another account's password)",
        )  # fmt: skip
        if decision is Decision.LOCKED:
            return _ended_by_lock(request)
        if decision is Decision.WRONG:
            form.add_error("password", services.WRONG_PASSWORD)
        else:
            temporary = services.reset_password(
                request, person, turn_off_two_step=form.cleaned_data["turn_off_two_step"]
            )
            if person.pk == admin.pk:  # their own sessions ended with the reset
                logout(request)
            # shown in this response only: not in a redirect, a message or the session
            return render(
                request,
                "accounts/user_reset_done.html",
                {
                    "person": person,
                    "temporary": temporary,
                    "hours": services.TEMPORARY_PASSWORD_HOURS,
                    "breadcrumbs": crumbs,
                },
            )
    return render(
        request,
        "accounts/user_reset.html",
        {"person": person, "form": form, "breadcrumbs": crumbs},
    )


@require("administer")
@require_http_methods(["GET", "POST"])
def agencies(request: HttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency = form.save()
        messages.success(request, f"Agency {agency.name} added")
        return redirect("accounts:agencies")
    return render(
        request,
        "accounts/agencies.html",
        {
            "form": form,
            "agencies": Agency.objects.all(),
            "breadcrumbs": [
                ("Home", "/"),
                ("Users", reverse("accounts:users")),
                ("Agencies", None),
            ],
        },
    )
