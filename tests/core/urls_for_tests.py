"""A test-only urlconf: Kinga's own pages plus stand-ins for the administration pages that
need a right, so that the menu and the 403 page can be tested before those pages exist.

The stand-ins come first: for a repeated namespace Django reverses to the first one."""

from django.http import HttpResponse
from django.urls import include, path

from kinga import urls as kinga_urls
from kinga.core.access import right_required
from kinga.core.rights import Right


def _stub(namespace: str, *rights: int):
    @right_required(*rights)
    def view(request):
        return HttpResponse(f"{namespace} page")

    return path(f"stub/{namespace}/", include(([path("", view, name="list")], namespace)))


urlpatterns = [
    _stub("users", Right.USER_SEARCH),
    _stub("roles", Right.ROLE_SEARCH, Right.ROLE),
    _stub("locations", Right.LOCATION_SEARCH),
    *kinga_urls.urlpatterns,
]

handler403 = kinga_urls.handler403
handler404 = kinga_urls.handler404
handler500 = kinga_urls.handler500
