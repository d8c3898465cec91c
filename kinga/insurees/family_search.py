"""The family/insuree search of the list page, shared by the page and its export."""

from __future__ import annotations

from django.db.models import QuerySet

from . import family_queries as queries
from .family_forms import SearchForm
from .models import Insuree


def run_search(actor, data) -> tuple[SearchForm, QuerySet[Insuree]]:
    """(the filled search form, the insurees it finds in the actor's scope); invalid criteria
    are ignored (the form shows their errors)."""
    filters = SearchForm(data or None, actor=actor)
    values = filters.cleaned_data if filters.is_valid() else {}
    found = queries.search(
        actor,
        number=values.get("number") or "",
        name=values.get("name") or "",
        dob=values.get("dob"),
        phone=values.get("phone") or "",
        district=values.get("district"),
        village=values.get("village"),
        status=values.get("status") or "",
        include_retired=bool(values.get("retired")),
    )
    return filters, found
