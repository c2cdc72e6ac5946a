from django.urls import path

from . import api

app_name = "api"
urlpatterns = [
    path("", api.docs, name="docs"),
    path("openapi.json", api.schema, name="schema"),
    path("v1/overview", api.overview, name="overview"),
    path("v1/choices", api.choices, name="choices"),
    path("v1/trend", api.trend, name="trend"),
    path("v1/hotspots", api.hotspots, name="hotspots"),
    path("v1/hours", api.hours, name="hours"),
    path("v1/rankings", api.rankings, name="rankings"),
]
