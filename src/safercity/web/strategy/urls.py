from django.urls import path

from . import views, views_edit

app_name = "strategy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("priorities/<uuid:pk>/", views.priority, name="priority"),
    path("activities/<uuid:pk>/", views.activity, name="activity"),
    path("measures/<uuid:pk>/", views.measure, name="measure"),
    path("governance/", views.governance, name="governance"),
    path("budget/", views.budget, name="budget"),
    path("spend/<uuid:pk>/adjust/", views.spend_adjust, name="spend_adjust"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    # changing the plan: administrators and priority leads
    path("priorities/<uuid:pk>/objectives/new/", views_edit.objective_add, name="objective_add"),
    path("objectives/<uuid:pk>/edit/", views_edit.objective_edit, name="objective_edit"),
    path("objectives/<uuid:pk>/activities/new/", views_edit.activity_add, name="activity_add"),
    path("activities/<uuid:pk>/edit/", views_edit.activity_edit, name="activity_edit"),
    path("plans/<uuid:pk>/milestones/new/", views_edit.milestone_add, name="milestone_add"),
    path("milestones/<uuid:pk>/edit/", views_edit.milestone_edit, name="milestone_edit"),
    path("parts/<uuid:pk>/measures/new/", views_edit.measure_add, name="measure_add"),
    path("measures/<uuid:pk>/edit/", views_edit.measure_edit, name="measure_edit"),
    path("commitments/<uuid:pk>/edit/", views_edit.commitment_edit, name="commitment_edit"),
    # the annual refresh and the governance bodies' meetings: administrators
    path("versions/", views_edit.versions, name="versions"),
    path("refresh/", views_edit.refresh_strategy, name="refresh"),
    path("bodies/<uuid:pk>/meetings/new/", views_edit.meeting_add, name="meeting_add"),
    path("meetings/<uuid:pk>/", views_edit.meeting, name="meeting"),
    path("papers/<uuid:pk>/", views_edit.paper, name="paper"),
]
