"""Destructive actions behind a confirmation page, the same way on every register."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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
