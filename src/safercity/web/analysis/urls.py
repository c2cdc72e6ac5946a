from django.urls import path

from . import stopsearch_views, views

app_name = "analysis"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("trend/", views.trend, name="trend"),
    path("map/", views.hotspot_map, name="map"),
    path("hours/", views.hours, name="hours"),
    path("rankings/", views.rankings, name="rankings"),
    path("stop-and-search/", stopsearch_views.stop_search, name="stop_search"),
]
