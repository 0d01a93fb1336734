from django.contrib.auth import views as auth_views
from django.urls import path

from banzu.accounts import second_factor, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("enterprise/", views.enterprise, name="enterprise"),
    path("2fa/", second_factor.second_factor, name="second_factor"),
]
