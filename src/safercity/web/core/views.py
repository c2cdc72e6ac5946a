"""Public pages: home, accessibility statement, privacy; and the CSRF failure page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safercity.web.accounts.permissions import public


@public
def home(request: HttpRequest) -> HttpResponse:
    from .home import panels_for

    return render(request, "core/home.html", {"panels": panels_for(request.user)})


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accessibility.html",
        {"breadcrumbs": [("Home", "/"), ("Accessibility statement", None)]},
    )


@public
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html", {"breadcrumbs": [("Home", "/"), ("Privacy", None)]})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "core/message.html",
        {
            "title": "Your form has expired",
            "paragraphs": [
                "For your security, forms expire after a time or when you sign in again. "
                "Go back, reload the page and submit the form again."
            ],
        },
        status=403,
    )
