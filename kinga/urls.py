from django.urls import include, path

urlpatterns = [
    path("", include("kinga.core.urls")),
    path("locations/", include("kinga.locations.urls")),
    path("items/", include("kinga.medical.urls.items")),
    path("services/", include("kinga.medical.urls.services")),
    path("diagnoses/", include("kinga.medical.urls.diagnoses")),
    path("price-lists/", include("kinga.medical.urls.pricelists")),
    path("facilities/", include("kinga.facilities.urls.facilities")),
    path("claim-admins/", include("kinga.facilities.urls.claim_admins")),
    path("officers/", include("kinga.insurees.urls.officers")),
    path("families/", include("kinga.insurees.urls.families")),
    path("payers/", include("kinga.policies.urls.payers")),
    path("policies/", include("kinga.policies.urls.policies")),
    path("products/", include("kinga.products.urls.products")),
    path("programmes/", include("kinga.products.urls.programmes")),
    path("claims/", include("kinga.claims.urls.entry")),
    path("claims/control/", include("kinga.claims.urls.control")),
    path("claims/batch/", include("kinga.claims.urls.batch")),
    path("claims/payment/", include("kinga.claims.urls.payment")),
    path("reports/", include("kinga.reports.urls")),
]

handler400 = "kinga.core.views.auth.error_400"
handler403 = "kinga.core.views.auth.error_403"
handler404 = "kinga.core.views.auth.error_404"
handler500 = "kinga.core.views.auth.error_500"
