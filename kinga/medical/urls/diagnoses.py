from django.urls import path

from ..views import diagnoses as views

app_name = "diagnoses"
urlpatterns = [
    path("", views.diagnosis_list, name="list"),
    path("new/", views.diagnosis_create, name="create"),
    path("<uuid:uuid>/", views.diagnosis_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.diagnosis_edit, name="edit"),
    path("<uuid:uuid>/retire/", views.diagnosis_retire, name="retire"),
]
