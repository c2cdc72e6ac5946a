"""Case work under /cases/. Every record is named by its UUID: no name, date of birth or other
personal detail is ever part of an address (person search is a POST)."""

from django.urls import path

from . import config_views, views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find, name="find"),
    path("emergency-access/", views.emergency, name="emergency"),
    path("cohorts/<uuid:pk>/", views.cohort, name="cohort"),
    path("cohorts/<uuid:pk>/figures/", views.figures, name="figures"),
    path("cohorts/<uuid:pk>/refer/", views.refer, name="refer"),
    path("cohorts/<uuid:pk>/refer/<uuid:person>/", views.referral, name="referral"),
    path("cohorts/<uuid:pk>/possible-duplicates/", views.duplicates, name="duplicates"),
    path("people/<uuid:pk>/", views.person, name="person"),
    path("people/<uuid:pk>/change/", views.person_edit, name="person_edit"),
    path("people/<uuid:pk>/names/", views.person_name, name="person_name"),
    path("people/<uuid:pk>/addresses/", views.person_address, name="person_address"),
    path("people/<uuid:pk>/access-history/", views.person_history, name="person_history"),
    path("people/<uuid:pk>/subject-access/", views.subject_access, name="subject_access"),
    path("people/<uuid:pk>/merge/", views.merge, name="merge"),
    path("merges/<uuid:pk>/undo/", views.unmerge, name="unmerge"),
    path("case/<uuid:pk>/", views.case, name="case"),
    path("case/<uuid:pk>/status/", views.case_status, name="case_status"),
    path("case/<uuid:pk>/answers/", views.case_answers, name="case_answers"),
    path("case/<uuid:pk>/team/", views.case_team, name="case_team"),
    path("case/<uuid:pk>/link-person/", views.link_person, name="link_person"),
    path("case/<uuid:pk>/link-place/", views.link_place, name="link_place"),
    path("case/<uuid:pk>/actions/new/", views.action_new, name="action_new"),
    path("case/<uuid:pk>/export/", views.case_export, name="case_export"),
    path("case/<uuid:pk>/transfer/", views.case_transfer, name="case_transfer"),
    path("case/<uuid:pk>/legal-hold/", views.case_hold, name="case_hold"),
    path("actions/<uuid:pk>/", views.action, name="action"),
    path("meetings/<uuid:pk>/", views.meeting, name="meeting"),
    path("meetings/<uuid:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<uuid:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<uuid:pk>/minutes/<uuid:case>/", views.minute, name="minute"),
    path("configuration/", config_views.overview, name="config"),
    path("configuration/cohorts/new/", config_views.cohort_new, name="cohort_new"),
    path("configuration/cohorts/<uuid:pk>/", config_views.cohort_config, name="cohort_config"),
    path("configuration/cohorts/<uuid:pk>/members/", config_views.member_add, name="member_add"),
    path(
        "configuration/memberships/<uuid:pk>/remove/",
        config_views.member_remove,
        name="member_remove",
    ),
    path("configuration/agreements/new/", config_views.agreement_new, name="agreement_new"),
    path("configuration/agreements/<uuid:pk>/", config_views.agreement, name="agreement"),
]
