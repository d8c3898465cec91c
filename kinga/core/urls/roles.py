from django.urls import path

from ..views import roles

app_name = "roles"
urlpatterns = [
    path("", roles.role_list, name="list"),
    path("new/", roles.role_create, name="create"),
    path("<uuid:uuid>/", roles.role_detail, name="detail"),
    path("<uuid:uuid>/edit/", roles.role_edit, name="edit"),
    path("<uuid:uuid>/duplicate/", roles.role_duplicate, name="duplicate"),
    path("<uuid:uuid>/block/", roles.role_block, name="block"),
    path("<uuid:uuid>/unblock/", roles.role_unblock, name="unblock"),
    path("<uuid:uuid>/retire/", roles.role_retire, name="retire"),
]
