"""Forms of the price-list pages (input only; the services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinga.core.registers import CareType
from kinga.locations.models import Location, level_name

from ..models import ItemType, ServiceCategory, ServiceLevel, ServiceType
from ..services.catalogue import (
    NAME_MAX_LENGTH,
)
from ._fields import _all

# --- price lists ----------------------------------------------------------------------------------


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.code} {obj.name} ({level_name(obj.type)})"


class PriceListFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    where = forms.ChoiceField(label=_("Location"), required=False)
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locations = {str(loc.uuid): loc for loc in locations}
        self.fields["where"].choices = [
            ("", _("Everywhere")),
            ("national", _("National")),
            *[
                (key, f"{loc.code} {loc.name} ({level_name(loc.type)})")
                for key, loc in self.locations.items()
            ],
        ]


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    location = LocationChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("A region or a district; empty for a national price list."),
    )

    def __init__(self, *args, locations=None, national: bool = True, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["location"].queryset = locations
        if national:
            self.fields["location"].empty_label = _("(national)")
        else:
            self.fields["location"].required = True
            self.fields["location"].empty_label = None
            self.fields["location"].help_text = _("A region or a district.")


class CandidateFilterForm(forms.Form):
    """The filters of the "add members" page; the services' filters only for services."""

    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_all(_("All levels"), ServiceLevel.choices)
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[*_all(_("All categories"), ServiceCategory.choices), ("-", _("(no category)"))],
    )
    care_type = forms.ChoiceField(
        label=_("Care type"),
        required=False,
        choices=_all(_("All care types"), CareType.choices),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == "items":
            self.fields["type"].choices = _all(_("All types"), ItemType.choices)
            del self.fields["level"]
            del self.fields["category"]
        else:
            self.fields["type"].choices = _all(_("All types"), ServiceType.choices)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: data.get(k) or "" for k in self.fields if k != "q"}


class MemberChangesForm(forms.Form):
    """The members grid of a price list's page, posted as a whole: the price overrides typed
    (`override-<line uuid>`, kept as typed to show them again) and the lines ticked for removal
    (`remove`).  The service checks the amounts and which lines belong to the list."""

    def typed(self) -> dict[str, str]:
        return {
            key.removeprefix("override-"): value
            for key, value in self.data.items()
            if key.startswith("override-")
        }

    def removed(self) -> set[str]:
        return set(self.data.getlist("remove")) if self.is_bound else set()
