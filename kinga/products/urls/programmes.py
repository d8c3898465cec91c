from django.urls import path

from ..views import programmes as views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<uuid:uuid>/", views.programme_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.programme_edit, name="edit"),
    path("<uuid:uuid>/retire/", views.programme_retire, name="retire"),
]
