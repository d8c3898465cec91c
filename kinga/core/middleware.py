import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import backends


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, except that the user is loaded through kinga.core.backends.request_user, which
    lets UserBackend take the user that the session's read already loaded (one query)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: backends.request_user(request))


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy that allows no inline script and no other host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.KINGA_CSP)
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        return response


SESSION_STARTED = "kinga_session_started"
SESSION_SEEN = "kinga_session_seen"
RENEW_EVERY = 60  # seconds: the idle hour is renewed at most once a minute


class SessionLimitMiddleware:
    """Sessions expire after an hour idle (SESSION_COOKIE_AGE, renewed by activity at most once a
    minute) and
    after KINGA_SESSION_MAX_AGE seconds whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.KINGA_SESSION_MAX_AGE:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(SESSION_SEEN, 0) > RENEW_EVERY:
                # Modifying the session makes Django save it with a fresh idle hour.
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has ended gets `HX-Redirect` to the login page, so the
    whole page goes there instead of the login form being swapped into a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            redirected = HttpResponse(status=204)
            redirected["HX-Redirect"] = response["Location"]
            return redirected
        return response


NUL = "\x00"


def _holds_nul(values) -> bool:
    return any(NUL in key or any(NUL in v for v in vs) for key, vs in values.lists())


class RefuseNulMiddleware:
    """A NUL character (\\0) in a query string or a form field is refused with a 400 page that
    says so: no field takes one, and PostgreSQL cannot store it in a text (a 500 otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            from .views.auth import error_400

            return error_400(
                request,
                message=_(
                    "The request holds a NUL character (\\0), which no field accepts. Remove it "
                    "and try again."
                ),
            )
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages seen by a logged-in user, and every downloaded file, hold personal or health data:
    no browser, proxy or shared computer keeps a copy (`Cache-Control: no-store`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        download = response.get("Content-Disposition", "").lower().startswith("attachment")
        user = getattr(request, "user", None)
        if download or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
