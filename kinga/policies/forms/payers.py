from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.locations.models import Location, level_name

from ..models import PayerType
from ..services import payers as services


def location_label(loc: Location) -> str:
    return f"{loc.code} {loc.name} ({level_name(loc.type)})"


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return location_label(obj)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, address, phone or e-mail"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False)
    location = forms.ChoiceField(label=_("Location"), required=False)
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *PayerType.choices]
        self.fields["location"].choices = [
            ("", _("Everywhere")),
            ("national", _("National payers")),
            *[(str(loc.uuid), location_label(loc)) for loc in locations],
        ]


class PayerForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *PayerType.choices])
    name = forms.CharField(label=_("Name"), max_length=services.NAME_MAX_LENGTH)
    address = forms.CharField(
        label=_("Address"), max_length=services.ADDRESS_MAX_LENGTH, required=False
    )
    location = LocationChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("A region or a district; empty for a national payer."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=services.PHONE_MAX_LENGTH, required=False)
    fax = forms.CharField(label=_("Fax"), max_length=services.PHONE_MAX_LENGTH, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=services.EMAIL_MAX_LENGTH, required=False)

    def __init__(self, *args, locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["location"].queryset = locations
        self.fields["location"].empty_label = _("(national)")
