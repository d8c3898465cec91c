from django.urls import include, path

urlpatterns = [
    path("", include("kinga.core.urls")),
    path("locations/", include("kinga.locations.urls")),
]

handler403 = "kinga.core.views.auth.error_403"
handler404 = "kinga.core.views.auth.error_404"
handler500 = "kinga.core.views.auth.error_500"
