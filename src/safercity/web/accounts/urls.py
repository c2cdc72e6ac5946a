from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.sign_in_code, name="code"),
    path("sign-in/new-password/", views.sign_in_new_password, name="new_password"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/", views.security, name="security"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/two-step-sign-in/", views.two_step, name="two_step"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<uuid:pk>/", views.user_detail, name="user"),
    path("users/<uuid:pk>/change/", views.user_edit, name="user_edit"),
    path("users/<uuid:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<uuid:pk>/reset-password/", views.user_reset, name="user_reset"),
    path("agencies/", views.agencies, name="agencies"),
]
