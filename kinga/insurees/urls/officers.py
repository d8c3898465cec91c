from django.urls import path

from ..views import officers as views

app_name = "officers"
urlpatterns = [
    path("", views.officer_list, name="list"),
    path("new/", views.officer_create, name="create"),
    path("<uuid:uuid>/", views.officer_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.officer_edit, name="edit"),
    path("<uuid:uuid>/retire/", views.officer_retire, name="retire"),
]
