from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("priorities/<uuid:pk>/", views.priority, name="priority"),
    path("activities/<uuid:pk>/", views.activity, name="activity"),
    path("measures/<uuid:pk>/", views.measure, name="measure"),
    path("governance/", views.governance, name="governance"),
    path("budget/", views.budget, name="budget"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
]
