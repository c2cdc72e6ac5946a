"""Sign-in (password, then the TOTP code when enabled), sign-out, security settings, users."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from safercity.web.audit import services as audit

from . import services, totp
from .forms import AgencyForm, CodeForm, NewUserForm, SignInForm, UserForm
from .models import Agency, User
from .permissions import public, require

PENDING = "safercity_pending_user"
NEXT = "safercity_next"


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


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
            request.session.cycle_key()
            request.session[PENDING] = str(result.user.pk)
            request.session[NEXT] = next_url
            return redirect("accounts:code")
        else:
            login(request, result.user)
            services.signed_in(request, result.user)
            return redirect(_next_url(request, next_url))
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
    pending = request.session.get(PENDING)
    user = User.objects.filter(pk=pending, is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if user.is_locked:
            audit.record(request, "login_failed", user, summary="security code refused: locked")
            form.add_error("code", services.LOCKED_MESSAGE.format(minutes=settings.LOCKOUT_MINUTES))
        elif services.check_code(user, form.cleaned_data["code"]):
            next_url = request.session.get(NEXT, "")
            request.session.pop(PENDING, None)
            login(request, user)
            services.signed_in(request, user)
            return redirect(_next_url(request, next_url))
        else:
            services._count_failure(request, user)
            form.add_error("code", "The security code is wrong or has expired")
    return render(request, "accounts/code.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(request, "logout", request.user, summary="signed out")
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("core:home")


sign_out.capability = "public"  # type: ignore[attr-defined]


@require("account")
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = CodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    action = request.POST.get("action")
    if request.method == "POST":
        if action == "start":
            services.start_totp_setup(user)
            return redirect("accounts:security")
        if action == "disable":
            services.disable_totp(user)
            messages.success(request, "Two-step sign-in is turned off")
            return redirect("accounts:security")
        if action == "confirm" and form.is_valid():
            if services.confirm_totp(user, form.cleaned_data["code"]):
                messages.success(request, "Two-step sign-in is turned on")
                return redirect("accounts:security")
            form.add_error("code", "The security code is wrong or has expired")
    uri = totp.provisioning_uri(user.totp_secret, user.username) if user.totp_secret else ""
    context = {
        "form": form,
        "uri": uri,
        # built here from the user's own secret, not from input: safe to inline
        "qr_svg": mark_safe(totp.qr_svg(uri)) if uri and not user.totp_enabled else "",
        "breadcrumbs": [("Home", "/"), ("Your account", None)],
    }
    return render(request, "accounts/security.html", context)


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
        user = services.create_user(data, form.cleaned_data["password"])
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
        services.update_user(user, form.cleaned_data)
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
