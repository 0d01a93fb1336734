from django.contrib.auth import views as auth_views
from django.urls import path

from banzu.accounts import second_factor
from banzu.accounts.views import account, password

app_name = "accounts"

urlpatterns = [
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", account.register, name="register"),
    path("confirm/<str:token>/", account.confirm, name="confirm"),
    path("enterprise/", account.enterprise, name="enterprise"),
    path("password/reset/", password.request_reset, name="password_reset"),
    path(
        "password/reset/<uidb64>/<token>/",
        password.SetNewPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", password.reset_complete, name="password_reset_complete"),
    path("2fa/", second_factor.second_factor, name="second_factor"),
]
