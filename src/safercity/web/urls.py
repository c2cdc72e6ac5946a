"""SaferCity's URLs. Every view states who may use it (see accounts.permissions)."""

from django.urls import include, path

urlpatterns = [
    path("", include("safercity.web.core.urls")),
    path("accounts/", include("safercity.web.accounts.urls")),
    path("audit/", include("safercity.web.audit.urls")),
    path("analysis/", include("safercity.web.analysis.urls")),
    path("imports/", include("safercity.web.imports.urls")),
    path("api/", include("safercity.web.analysis.api_urls")),
]
