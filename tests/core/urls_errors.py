"""A test-only urlconf: Kinga's pages plus one that crashes, for the 500 page."""

from django.urls import path

from kinga import urls as kinga_urls


def crash(request):
    raise RuntimeError("a bug")


urlpatterns = [path("crash/", crash), *kinga_urls.urlpatterns]

handler403 = kinga_urls.handler403
handler404 = kinga_urls.handler404
handler500 = kinga_urls.handler500
