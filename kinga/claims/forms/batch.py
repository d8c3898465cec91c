"""Forms of the batch run pages: the filters of the list and the « Lancer un traitement par lot » form.
They check the shape of the input; the service refuses a period already run."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import BatchRunStatus
from ..queries import batch as queries

MONTHS = [(m, f"{m:02d}") for m in range(1, 13)]
NATIONAL = "national"


class LaunchForm(forms.Form):
    year = forms.IntegerField(
        label=pgettext_lazy("batch run", "Year"), min_value=2000, max_value=2100
    )
    month = forms.TypedChoiceField(
        label=pgettext_lazy("batch run", "Month"), choices=MONTHS, coerce=int
    )
    location = forms.ChoiceField(label=_("Location"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(loc.id): loc for loc in queries.run_locations(user)}
        choices = [(key, f"{loc.code} {loc.name}") for key, loc in self.places.items()]
        if queries.covers_location(user, None):
            choices.insert(0, (NATIONAL, _("National products")))
        self.fields["location"].choices = choices

    def clean_location(self):
        value = self.cleaned_data["location"]
        return None if value == NATIONAL else self.places[value]


class FilterForm(forms.Form):
    year = forms.IntegerField(
        label=pgettext_lazy("batch run", "Year"), min_value=2000, max_value=2100, required=False
    )
    month = forms.TypedChoiceField(
        label=pgettext_lazy("batch run", "Month"),
        choices=[("", "—"), *MONTHS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *BatchRunStatus.choices], required=False
    )

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("year"):
            qs = qs.filter(year=data["year"])
        if data.get("month"):
            qs = qs.filter(month=data["month"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs
