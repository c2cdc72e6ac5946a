"""Language for the public pages only: English or Welsh (the visitor's choice, a cookie, or
their browser's Accept-Language) on the public consultation pages; English everywhere else,
so that staff pages (and Django's own messages on them) stay English."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

PUBLIC_PREFIX = "/consult/"
STAFF_PREFIX = "/consult/manage/"


def is_public_page(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIX) and not path.startswith(STAFF_PREFIX)


class PublicLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if is_public_page(request.path_info):
            super().process_request(request)
        else:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if is_public_page(request.path_info):
            return super().process_response(request, response)
        return response
