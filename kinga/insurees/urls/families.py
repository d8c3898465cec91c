from django.urls import path

from ..views import families as views

app_name = "families"
urlpatterns = [
    path("", views.family_list, name="list"),
    path("new/", views.family_create, name="create"),
    path("beneficiary/new/", views.beneficiary_create, name="beneficiary_create"),
    path("export/", views.family_export, name="export"),
    path("places/", views.places, name="places"),
    path("<uuid:uuid>/", views.family_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.family_edit, name="edit"),
    path("<uuid:uuid>/location/", views.family_location, name="location"),
    path("<uuid:uuid>/head/", views.family_head, name="head"),
    path("<uuid:uuid>/members/new/", views.member_add, name="member_add"),
    path("<uuid:uuid>/retire/", views.family_retire, name="retire"),
    path("insurees/<uuid:uuid>/", views.insuree_detail, name="insuree"),
    path("insurees/<uuid:uuid>/edit/", views.insuree_edit, name="insuree_edit"),
    path("insurees/<uuid:uuid>/photo/", views.insuree_photo, name="insuree_photo"),
    path("insurees/<uuid:uuid>/move/", views.insuree_move, name="insuree_move"),
    path("insurees/<uuid:uuid>/remove/", views.insuree_detach, name="insuree_detach"),
    path("insurees/<uuid:uuid>/retire/", views.insuree_retire, name="insuree_retire"),
]
