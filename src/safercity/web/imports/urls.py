from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:pk>/", views.job_detail, name="job"),
    path("<uuid:pk>/retry/", views.job_retry, name="retry"),
]
