from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("<uuid:pk>/", views.report_detail, name="report"),
    path("<uuid:pk>/retry/", views.report_retry, name="retry"),
    path("<uuid:pk>/tables.zip", views.report_tables, name="tables"),
    path("<uuid:pk>/files/<path:name>", views.report_file, name="file"),
]
