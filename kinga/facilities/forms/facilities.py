"""Forms of the facility pages: they read input only; the services check the rules and name the
field at fault."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.registers import CareType
from kinga.locations.forms import LocationPickerField

from ..models import FacilityLevel, FacilityStatus, HealthFacility, LegalForm, SubLevel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DistrictField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        region = f" ({obj.parent.name})" if obj.parent_id else ""
        return f"{obj.code} {obj.name}{region}"


class PriceListField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        where = obj.location.name if obj.location_id else _("national")
        return f"{obj.name} ({where})"


class VillageField(LocationPickerField):
    def label_from_instance(self, obj) -> str:
        municipality = obj.parent
        district = municipality.parent if municipality else None
        where = " / ".join(x.name for x in (district, municipality) if x is not None)
        return f"{obj.code} {obj.name} ({where})"


class FacilityField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name} ({obj.district.name})"


def _blank(choices, label=None):
    return [("", label or "—"), *choices]


class FacilitySearchForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    district = DistrictField(
        label=_("District"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_blank(FacilityLevel.choices, _("All levels"))
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        required=False,
        choices=_blank(LegalForm.choices, _("All legal forms")),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_blank(FacilityStatus.choices, _("All statuses")),
    )
    contract = forms.ChoiceField(
        label=_("Contract"),
        required=False,
        choices=[
            ("", _("With or without a contract")),
            ("current", _("In contract today")),
            ("ending", _("Contract ending within the days below")),
            ("ended", _("Contract ended")),
            ("none", _("No contract")),
        ],
    )
    days = forms.IntegerField(
        label=_("Ending within (days)"), required=False, min_value=1, max_value=3660, initial=30
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["district"].empty_label = _("All districts")


class FacilityForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=8)
    name = forms.CharField(label=_("Name"), max_length=100)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices)
    level = forms.ChoiceField(label=_("Level"), choices=FacilityLevel.choices)
    sub_level = forms.ChoiceField(
        label=_("Sub-level"), choices=_blank(SubLevel.choices), required=False
    )
    care_type = forms.ChoiceField(label=_("Care type"), choices=CareType.choices)
    district = DistrictField(
        label=_("District"), queryset=HealthFacility.objects.none(), to_field_name="uuid"
    )
    acc_code = forms.CharField(label=_("Accounting code"), max_length=25, required=False)
    address = forms.CharField(label=_("Address"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    fax = forms.CharField(label=_("Fax"), max_length=50, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=100, required=False)
    services_price_list = PriceListField(
        label=_("Services price list"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("A national list, or one of the facility's district or region."),
    )
    items_price_list = PriceListField(
        label=_("Items price list"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("A national list, or one of the facility's district or region."),
    )
    contract_start_date = forms.DateField(
        label=_("Contract start date"), required=False, widget=DATE
    )
    contract_end_date = forms.DateField(label=_("Contract end date"), required=False, widget=DATE)
    status = forms.ChoiceField(
        label=_("Status"), choices=FacilityStatus.choices, initial=FacilityStatus.ACTIVE
    )

    def __init__(self, *args, districts, services_price_lists, items_price_lists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["services_price_list"].queryset = services_price_lists
        self.fields["items_price_list"].queryset = items_price_lists
        self.fields["services_price_list"].empty_label = _("(none)")
        self.fields["items_price_list"].empty_label = _("(none)")

    @staticmethod
    def initial_for(facility: HealthFacility) -> dict:
        from ..services.facilities import FACILITY_FIELDS

        return {name: getattr(facility, name) for name in FACILITY_FIELDS}


class CatchmentForm(forms.Form):
    village = VillageField(
        label=_("Village"), queryset=HealthFacility.objects.none(), to_field_name="uuid"
    )
    percentage = forms.IntegerField(
        label=_("Percentage of its population served"), initial=100, min_value=1, max_value=100
    )

    def __init__(self, *args, villages, region=None, **kwargs):
        """`villages`: those that may be added; `region`: the facility's, where the search looks
        when they are too many for a select."""
        super().__init__(*args, **kwargs)
        self.fields["village"].offer(villages, within=region)
