"""Every error under /api/ is JSON, as the OpenAPI schema documents.

The API's own views answer 400, 401, 403 and 503 as ``{"error": "..."}``; other parts of Django
answer an unknown address (404), a method other than GET (405), a refused request (400, 403) or
a fault (500) with an HTML page. This middleware turns any such answer under /api/ into the same
JSON object with the same status (and keeps headers such as ``Allow``). A fault is still logged
with its traceback by Django before it gets here; the JSON names no internals.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
MESSAGES = {
    400: "bad request",
    403: "forbidden",
    404: "no such address in the API: see /api/openapi.json",
    405: "only GET is allowed",
    500: "the server met an error; it has been logged",
    503: "the service is unavailable; try again in a minute",
}
KEPT_HEADERS = ("Allow", "Retry-After")


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path_info.startswith(API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase.lower()
        except ValueError:
            phrase = "error"
        answer = JsonResponse({"error": MESSAGES.get(status, phrase)}, status=status)
        for header in KEPT_HEADERS:
            if header in response:
                answer[header] = response[header]
        return answer
