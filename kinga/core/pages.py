"""The two page loops every register shares.

- `form_page`: GET shows the form; POST checks it, calls the service, shows a refusal under the
  field it names (keeping what the user typed), or says it is done and goes on.
- `confirm_page`: a destructive action behind a confirmation page.
- `import_report`: the upload form of an import page, read and run all or nothing; the page
  shows the report it returns.

Views load and authorise their record first (`get_<thing>_for_user`), then hand the rest to one
of these.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import transfer
from .errors import Refused


def confirm_page(
    request: HttpRequest,
    *,
    action: Callable[[], object],
    title: str,
    question: str,
    cancel_url: str,
    done_message: str,
    done_url: str,
    refusal: str | None = None,
    confirm_label: str | None = None,
) -> HttpResponse:
    """GET shows the question; POST does `action`, then says so and goes to `done_url`.

    A refusal known in advance (e.g. "it still has children") is shown and the action is not
    offered; a refusal raised by the service on POST is shown on the same page, nothing done."""
    if request.method == "POST" and not refusal:
        try:
            action()
        except Refused as refused:
            refusal = refused.message
        else:
            messages.success(request, done_message)
            return redirect(done_url)
    return render(
        request,
        "core/_confirm.html",
        {
            "title": title,
            "question": question,
            "refusal": refusal,
            "confirm_label": confirm_label or _("Retire"),
            "cancel_url": cancel_url,
        },
    )


# A message is a text (shown as a success) or a (level, text) pair, e.g.
# (messages.WARNING, "…"): a page may say that it is done and warn in the same answer.
Message = str | tuple[int, str]
Messages = str | Iterable[Message] | None


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    template: str,
    done_url: str | Callable[[Any], str],
    done_message: Messages | Callable[[Any], Messages] = None,
    context: dict[str, Any] | None = None,
    on_refused: Callable[[Refused, forms.Form], None] | None = None,
) -> HttpResponse:
    """GET shows `form` in `template`; POST with a valid form calls `save(form.cleaned_data)`.

    A `Refused` from the service goes under the field it names (`on_refused` may re-map it
    first) and the form is shown again with what was typed; otherwise `done_message` (a text, a
    list of messages, or a function of what `save` returned) is shown and the browser goes to
    `done_url` (a URL or a function of what `save` returned).

    `context` is read when the page is drawn, after `save` and `on_refused`: they may add to it
    (e.g. the answers a refusal offers)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except Refused as refused:
            if on_refused is not None:
                on_refused(refused, form)
            else:
                refused.add_to_form(form)
        else:
            said = done_message(result) if callable(done_message) else done_message
            for message in [said] if isinstance(said, str) else said or ():
                level, text = message if isinstance(message, tuple) else (messages.SUCCESS, message)
                messages.add_message(request, level, text)
            return redirect(done_url(result) if callable(done_url) else done_url)
    return render(request, template, {"form": form, **(context or {})})


def import_report(request: HttpRequest, *, actor, kind, form: forms.Form):
    """POST with a valid upload form (file, strategy, dry_run): read the file as `kind` says
    and run the import (kinga.core.transfer); the report, or None when there is nothing to
    report yet (GET, or a refusal put under its field)."""
    if request.method != "POST" or not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        rows = transfer.read_file(kind, upload.name, upload.read())
        return transfer.run_import(
            actor=actor,
            kind=kind,
            rows=rows,
            strategy=form.cleaned_data["strategy"],
            dry_run=form.cleaned_data["dry_run"],
        )
    except Refused as refused:
        refused.add_to_form(form)
        return None


def login_code_messages(user) -> list[Message]:
    """The one-time code a service just gave `user` (`user.login_code`), said once to whoever
    gave it: it is not kept anywhere it could be read again."""
    issued = getattr(user, "login_code", None) if user is not None else None
    if issued is None:
        return []
    return [
        (
            messages.WARNING,
            _(
                "One-time code of the login %(login)s: %(code)s — give it to him in person. He "
                "chooses his password with it on the page « Activate my account » before "
                "%(expires)s. It is shown only this once."
            )
            % {
                "login": issued.user.username,
                "code": issued.code,
                "expires": timezone.localtime(issued.expires_at).strftime("%d/%m/%Y %H:%M"),
            },
        )
    ]
