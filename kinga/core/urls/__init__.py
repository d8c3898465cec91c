from django.urls import include, path

from ..views import auth, transfer

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("activate/", auth.activate_account, name="activate"),
    path("profile/", auth.profile, name="profile"),
    path("profile/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("language/", auth.set_language, name="set_language"),
    path("tools/transfer/", transfer.transfer_index, name="transfer_index"),
    path("tools/transfer/<slug:key>/import/", transfer.transfer_import, name="transfer_import"),
    path("tools/transfer/<slug:key>/export/", transfer.transfer_export, name="transfer_export"),
    path("users/", include("kinga.core.urls.users")),
    path("roles/", include("kinga.core.urls.roles")),
]
