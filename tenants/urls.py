from django.urls import path

from . import views

app_name = "tenants"

urlpatterns = [
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/wachtwoord/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", views.ApiTokenView.as_view(), name="tokens"),
    path("account/tweestaps/instellen/", views.MfaSetupView.as_view(), name="mfa_setup"),
    path("account/tweestaps/code/", views.MfaVerifyView.as_view(), name="mfa_verify"),
    path("account/tweestaps/herstelcodes/", views.MfaRecoveryCodesView.as_view(), name="mfa_recovery_codes"),
    path("account/tweestaps/uitschakelen/", views.MfaRemoveView.as_view(), name="mfa_remove"),
    path("wachtwoord-vergeten/", views.PasswordResetView.as_view(), name="password_reset"),
    path("wachtwoord-vergeten/verzonden/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "wachtwoord-instellen/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
