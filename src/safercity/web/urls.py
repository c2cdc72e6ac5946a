"""SaferCity's URLs. Every view states who may use it (see accounts.permissions)."""

from pathlib import Path

from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("", include("safercity.web.core.urls")),
    path("accounts/", include("safercity.web.accounts.urls")),
    path("audit/", include("safercity.web.audit.urls")),
    path("analysis/", include("safercity.web.analysis.urls")),
    path("imports/", include("safercity.web.imports.urls")),
    path("api/", include("safercity.web.analysis.api_urls")),
]

# Domain apps (see settings.OPTIONAL_APPS) add their pages under /<name>/.
for _name in settings.OPTIONAL_APPS:
    if f"safercity.web.{_name}" in settings.INSTALLED_APPS and (
        (Path(__file__).parent / _name / "urls.py").is_file()
    ):
        urlpatterns.append(path(f"{_name}/", include(f"safercity.web.{_name}.urls")))
