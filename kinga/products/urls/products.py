from django.urls import path

from ..views import products as views

app_name = "products"
urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_create, name="create"),
    path("import/", views.product_import, name="import"),
    path("<uuid:uuid>/", views.product_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.product_edit, name="edit"),
    path("<uuid:uuid>/coverage/", views.product_coverage, name="coverage"),
    path(
        "<uuid:uuid>/coverage/<str:kind>/<int:pk>/",
        views.product_coverage_row,
        name="coverage_row",
    ),
    path("<uuid:uuid>/duplicate/", views.product_duplicate, name="duplicate"),
    path("<uuid:uuid>/retire/", views.product_retire, name="retire"),
    path("<uuid:uuid>/export/", views.product_export, name="export"),
]
