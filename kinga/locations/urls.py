from django.urls import path

from . import views

app_name = "locations"
urlpatterns = [
    path("", views.location_list, name="list"),
    path("tree/", views.location_tree, name="tree"),
    path("search/", views.location_search, name="search"),
    path("new/", views.location_create, name="create"),
    path("import/", views.location_import, name="import"),
    path("export/", views.location_export, name="export"),
    path("<uuid:uuid>/", views.location_detail, name="detail"),
    path("<uuid:uuid>/children/", views.location_children, name="children"),
    path("<uuid:uuid>/edit/", views.location_edit, name="edit"),
    path("<uuid:uuid>/move/", views.location_move, name="move"),
    path("<uuid:uuid>/retire/", views.location_retire, name="retire"),
]
