from django.urls import path

from ..views import catalogue as views

app_name = "items"
R = {"register": "items"}
urlpatterns = [
    path("", views.register_list, R, name="list"),
    path("new/", views.register_create, R, name="create"),
    path("<uuid:uuid>/", views.register_detail, R, name="detail"),
    path("<uuid:uuid>/edit/", views.register_edit, R, name="edit"),
    path("<uuid:uuid>/retire/", views.register_retire, R, name="retire"),
]
