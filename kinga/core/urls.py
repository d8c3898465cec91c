from django.urls import include, path

from .views import auth

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("profile/", auth.profile, name="profile"),
    path("profile/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("language/", auth.set_language, name="set_language"),
    path("users/", include("kinga.core.urls_users")),
    path("roles/", include("kinga.core.urls_roles")),
]
