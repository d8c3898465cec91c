from django.urls import path

from ..views import claim_admins as views

app_name = "claim_admins"
urlpatterns = [
    path("", views.claim_admin_list, name="list"),
    path("new/", views.claim_admin_create, name="create"),
    path("<uuid:uuid>/", views.claim_admin_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.claim_admin_edit, name="edit"),
    path("<uuid:uuid>/retire/", views.claim_admin_retire, name="retire"),
]
