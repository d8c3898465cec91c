"""Login, logout, password change, language switch, home and profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate, get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, menu
from .. import home as home_cards
from ..forms.users import ActivateForm
from ..history import set_actor
from ..models import Language, Role
from ..pages import form_page
from ..services import login_codes


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong login name or password. After 5 failed attempts the account is locked for 5 minutes."
        ),
        "inactive": _("This account is retired."),
    }


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # Pages speak the user's own language from the first page after login.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.get_user().language, samesite="Lax")
        return response


@sensitive_post_parameters("code", "new_password", "new_password_confirm")
@require_http_methods(["GET", "POST"])
def activate_account(request: HttpRequest) -> HttpResponse:
    """« Activer mon compte »: anyone with a login name and its one-time code chooses the
    password (kinga.core.services.login_codes); then the login page."""
    return form_page(
        request,
        form=ActivateForm(request.POST or None),
        save=lambda data: login_codes.use_code(
            username=data["username"], code=data["code"], new_password=data["new_password"]
        ),
        template="core/activate.html",
        done_message=lambda _user: str(_("Your password is saved: log in with it.")),
        done_url=reverse_lazy("login"),
    )


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        set_actor(form.user, self.request.user, "password changed")
        form.user.password_changed_at = timezone.now()
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language of the pages; a logged-in user keeps it as his preference."""
    code = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if code in Language.values:
        activate(code)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax")
        user = request.user
        if user.is_authenticated and user.language != code:
            user.language = code
            set_actor(user, user, "language")
            user.save(update_fields=["language"])
    return response


def _scope_context(user) -> dict:
    scope = access.scope_of(user)
    return {
        "roles": [r for r in user.roles.filter(retired_at__isnull=True)],
        "sees_everything": scope.everything,
        "districts": user.districts.filter(retired_at__isnull=True).order_by("name"),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Names from what the request already read with the user (no query of the page's own).
    role_names, district_names = access.held_names(user)
    context = {
        # Unsaved Role objects only to show each name in the page's language (display_name).
        "roles": [Role(name=name, alt_language=alt) for name, alt in role_names],
        "sees_everything": access.scope_of(user).everything,
        "districts": district_names,
        "tasks": menu.tasks(user),
        "cards": home_cards.cards(user),
    }
    return render(request, "core/home.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "core/profile.html", _scope_context(request.user))


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Access denied"),
            "message": _("You do not have the right to open this page or change this record."),
            # Why, when the refusal says it (e.g. a family a confidential programme manages).
            "reason": getattr(exception, "reason", None),
        },
        status=403,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own page has an inline style and speaks to developers."""
    return render(
        request,
        "core/error.html",
        {
            "title": _("Form expired"),
            "message": _(
                "This form has expired or was not sent from Kinga. Go back, reload the page and "
                "try again."
            ),
        },
        status=403,
    )


def error_400(request: HttpRequest, exception=None, message=None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Bad request"),
            "message": message
            or _("This request could not be read. Go back, check what you typed and try again."),
        },
        status=400,
    )


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": _("Page not found"), "message": _("This page or record does not exist.")},
        status=404,
    )


def error_500(request: HttpRequest) -> HttpResponse:
    title, message = _("Server error"), _("Something went wrong on our side; nothing was saved.")
    try:
        return render(request, "core/error.html", {"title": title, "message": message}, status=500)
    except DatabaseError:
        # The usual page needs the user and his menu: when what failed was that (the database
        # is down), a page that needs nothing.
        return HttpResponseServerError(
            format_html(
                '<!doctype html><html lang="{}"><title>{}</title><h1>{}</h1><p>{}</p></html>',
                get_language(),
                title,
                title,
                message,
            )
        )
