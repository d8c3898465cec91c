from django.urls import path

from ..views import facilities as views

app_name = "facilities"
urlpatterns = [
    path("", views.facility_list, name="list"),
    path("new/", views.facility_create, name="create"),
    path("<uuid:uuid>/", views.facility_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.facility_edit, name="edit"),
    path("<uuid:uuid>/retire/", views.facility_retire, name="retire"),
    path("<uuid:uuid>/catchment/add/", views.catchment_add, name="catchment_add"),
    path(
        "<uuid:uuid>/catchment/<int:pk>/remove/",
        views.catchment_remove,
        name="catchment_remove",
    ),
]
