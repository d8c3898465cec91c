"""Services price lists under /price-lists/services/, items price lists under
/price-lists/items/; URL names `pricelists:services`, `pricelists:services_detail`, ..."""

from django.urls import path

from ..views import pricelists as views

app_name = "pricelists"
urlpatterns = []
for kind in ("services", "items"):
    K = {"kind": kind}
    urlpatterns += [
        path(f"{kind}/", views.pricelist_list, K, name=kind),
        path(f"{kind}/new/", views.pricelist_create, K, name=f"{kind}_create"),
        path(f"{kind}/<uuid:uuid>/", views.pricelist_detail, K, name=f"{kind}_detail"),
        path(f"{kind}/<uuid:uuid>/edit/", views.pricelist_edit, K, name=f"{kind}_edit"),
        path(f"{kind}/<uuid:uuid>/add/", views.pricelist_add, K, name=f"{kind}_add"),
        path(
            f"{kind}/<uuid:uuid>/duplicate/",
            views.pricelist_duplicate,
            K,
            name=f"{kind}_duplicate",
        ),
        path(f"{kind}/<uuid:uuid>/retire/", views.pricelist_retire, K, name=f"{kind}_retire"),
    ]
