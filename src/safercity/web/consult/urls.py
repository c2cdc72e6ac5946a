from django.urls import path

from . import views

app_name = "consult"
urlpatterns = [
    path("", views.index, name="index"),
    path("language/<str:code>/", views.language, name="language"),
    path("you-said-we-did/", views.you_said, name="you_said"),
    path("public-meetings/", views.meetings, name="meetings"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("verify/<str:token>/", views.verify, name="verify"),
    # officers
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_new, name="manage_new"),
    path("manage/<uuid:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<uuid:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<uuid:pk>/publish/", views.manage_publish, name="manage_publish"),
    path("manage/<uuid:pk>/responses/", views.manage_responses, name="manage_responses"),
    path("manage/responses/<uuid:pk>/", views.manage_response, name="manage_response"),
    path("manage/<uuid:pk>/moderate/", views.manage_moderate, name="manage_moderate"),
    path("manage/answers/<uuid:pk>/", views.manage_answer, name="manage_answer"),
    path("manage/<uuid:pk>/themes/", views.manage_themes, name="manage_themes"),
    path("manage/<uuid:pk>/results/", views.manage_results, name="manage_results"),
    path(
        "manage/<uuid:pk>/results/publish/",
        views.manage_publish_results,
        name="manage_publish_results",
    ),
    path("manage/<uuid:pk>/ranking.<str:fmt>", views.manage_export, name="manage_export"),
    path("manage/meetings/", views.manage_meetings, name="manage_meetings"),
    path("manage/meetings/new/", views.manage_meeting_new, name="manage_meeting_new"),
    path("manage/meetings/<uuid:pk>/", views.manage_meeting, name="manage_meeting"),
    path("manage/you-said-we-did/", views.manage_changes, name="manage_changes"),
    path("manage/you-said-we-did/new/", views.manage_change_new, name="manage_change_new"),
    path("manage/you-said-we-did/<uuid:pk>/", views.manage_change, name="manage_change"),
    path("manage/approve/<str:kind>/<uuid:pk>/", views.manage_approve, name="manage_approve"),
    path("manage/dashboard/", views.manage_dashboard, name="manage_dashboard"),
    # the public form (last: a slug could be any word)
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/ranking/", views.ranking, name="ranking"),
    path("<slug:slug>/about-you/<str:question>/", views.about, name="about"),
    path("<slug:slug>/your-views/<int:number>/", views.question, name="question"),
    path("<slug:slug>/email/", views.email, name="email"),
    path("<slug:slug>/check-your-answers/", views.check, name="check"),
    path("<slug:slug>/confirmation/", views.done, name="done"),
    path("<slug:slug>/results/", views.results, name="results"),
]
