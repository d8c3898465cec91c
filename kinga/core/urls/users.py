from django.urls import path

from ..views import users

app_name = "users"
urlpatterns = [
    path("", users.user_list, name="list"),
    path("new/", users.user_create, name="create"),
    path("<uuid:uuid>/", users.user_detail, name="detail"),
    path("<uuid:uuid>/edit/", users.user_edit, name="edit"),
    path("<uuid:uuid>/password/", users.user_password, name="password"),
    path("<uuid:uuid>/code/", users.user_code, name="code"),
    path("<uuid:uuid>/retire/", users.user_retire, name="retire"),
]
