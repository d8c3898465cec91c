from django.urls import path

from ..views import payers as views

app_name = "payers"
urlpatterns = [
    path("", views.payer_list, name="list"),
    path("new/", views.payer_create, name="create"),
    path("<uuid:uuid>/", views.payer_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.payer_edit, name="edit"),
    path("<uuid:uuid>/retire/", views.payer_retire, name="retire"),
]
