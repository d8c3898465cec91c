"""Forms of the family and insuree pages: they check the shape of the input; the rules are the
services' (kinga.insurees.services.families), whose refusals the views put under the field."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kinga.locations.forms import LocationPickerField

from ..models import (
    ConfirmationType,
    Education,
    FamilyType,
    Gender,
    IdType,
    InsureeStatus,
    MaritalStatus,
    Profession,
    Relationship,
)
from ..queries import families as queries
from ..services import families as services


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _blank(choices) -> list:
    return [("", "—"), *choices]


def _int_choice(label, choices, **kw):
    return forms.TypedChoiceField(
        label=label, choices=_blank(choices), coerce=int, empty_value=None, required=False, **kw
    )


def _district_and_municipality(village) -> str:
    return f"{village.parent.parent.name} › {village.parent.name}"


class VillageField(LocationPickerField):
    """The villages of the user's districts: when they are few, all of them grouped by
    district › municipality (works without JavaScript; the region/district/municipality selects
    only narrow it); when they are many, a search by code or name (kinga.locations.forms)."""

    def label_from_instance(self, obj) -> str:
        return obj.name

    def set_villages(self, villages) -> None:
        self.offer(villages, group=_district_and_municipality)


# The chained place selects, top down, and the type of location each one lists.  Choosing in
# one fills the next (`family_views.places`) and empties those below it.
PLACE_CHAIN = (("region", "R"), ("district", "D"), ("municipality", "W"), ("village", "V"))


class PlaceChainMixin:
    """Region → district → municipality selects chained with htmx in front of `village`."""

    def add_chain(self, actor) -> None:
        url = reverse("families:places")
        names = [name for name, _level in PLACE_CHAIN]
        labels = (_("Region"), _("District"), _("Municipality"))
        choices = [("", "—"), *((r.pk, r.name) for r in queries.regions_in_scope(actor))]
        for name, below, label in zip(names[:-1], names[1:], labels, strict=True):
            attrs = {"hx-get": url, "hx-trigger": "change", "hx-swap": "innerHTML"}
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Select(choices=choices, attrs={**attrs, "hx-target": f"#id_{below}"}),
            )
            choices = [("", "—")]  # filled by htmx once the level above is chosen
        self.fields["municipality"].help_text = _("These three lists narrow the list of villages.")
        self._keep_chain(actor, names)
        self.fields["village"] = VillageField(label=_("Village"), queryset=None)
        self.fields["village"].set_villages(queries.villages_in_scope(actor))
        # The chain first, then the village.
        self.order_fields(names + [n for n in self.fields if n not in names])

    def _keep_chain(self, actor, names) -> None:
        """A form drawn again (a refusal) keeps the district and municipality chosen: their
        selects list the places under the region and district submitted, as htmx filled them."""
        if not self.is_bound:
            return
        for above, (name, level) in zip(names[:-2], PLACE_CHAIN[1:-1], strict=True):
            try:
                parent = int(self.data.get(self.add_prefix(above)) or "")
            except (TypeError, ValueError):
                continue
            rows = queries.children_in_scope(actor, parent, level)
            self.fields[name].widget.choices = [("", "—"), *((r.pk, r.name) for r in rows)]


class InsureeFields(forms.Form):
    insurance_number = forms.CharField(label=_("Insurance number"), max_length=50)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    other_names = forms.CharField(label=_("Other names"), max_length=100)
    dob = forms.DateField(label=_("Date of birth"), widget=DateInput())
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(Gender.choices))
    marital = forms.ChoiceField(
        label=_("Marital status"), choices=_blank(MaritalStatus.choices), required=False
    )
    relationship = _int_choice(_("Relationship to the head"), Relationship.choices)
    type_of_id = forms.ChoiceField(
        label=_("Type of identification"), choices=_blank(IdType.choices), required=False
    )
    id_number = forms.CharField(label=_("Identification number"), max_length=25, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=100, required=False)
    current_address = forms.CharField(
        label=_("Current address"),
        max_length=200,
        required=False,
        help_text=_("If different from the family's address."),
    )
    current_village = VillageField(
        label=_("Current village"),
        queryset=None,
        required=False,
        help_text=_("If the insuree lives elsewhere than his family."),
    )
    profession = _int_choice(_("Profession"), Profession.choices)
    education = _int_choice(_("Education"), Education.choices)
    first_service_point = forms.ModelChoiceField(
        label=_("First service point"), queryset=None, required=False
    )
    card_issued = forms.BooleanField(label=_("Card issued"), required=False)
    photo = forms.FileField(
        label=_("Photo"), required=False, help_text=_("A JPEG or PNG image of at most 1 MB.")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=InsureeStatus.choices, initial=InsureeStatus.ACTIVE
    )
    status_date = forms.DateField(label=_("Status date"), required=False, widget=DateInput())
    status_reason = forms.CharField(label=_("Status reason"), max_length=200, required=False)

    NAMES = services.INSUREE_FIELDS + ("photo",)

    def setup_insuree(self, actor, *, is_head: bool) -> None:
        self.fields["current_village"].set_villages(queries.villages_in_scope(actor))
        self.fields["first_service_point"].queryset = queries.facility_choices(actor)
        if is_head:
            del self.fields["relationship"]
        else:
            self.fields["relationship"].required = True
        if services.numbers_assigned():
            self.fields["insurance_number"].required = False
            self.fields["insurance_number"].help_text = _("Leave empty: Kinga gives the number.")

    def insuree_values(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in self.NAMES if n in self.fields}

    @staticmethod
    def initial_for(insuree) -> dict:
        initial = {n: getattr(insuree, n) for n in services.INSUREE_FIELDS}
        initial["current_village"] = insuree.current_village_id
        initial["first_service_point"] = insuree.first_service_point_id
        return initial


class FamilyFields(forms.Form):
    poverty = forms.BooleanField(label=_("Poverty status"), required=False)
    family_type = forms.ChoiceField(
        label=_("Family type"), choices=_blank(FamilyType.choices), required=False
    )
    address = forms.CharField(label=_("Permanent address"), max_length=200, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=1, required=False)
    confirmation_type = forms.ChoiceField(
        label=_("Confirmation type"), choices=_blank(ConfirmationType.choices), required=False
    )
    confirmation_no = forms.CharField(label=_("Confirmation number"), max_length=12, required=False)

    def family_values(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in services.FAMILY_FIELDS}


class FamilyCreateForm(PlaceChainMixin, FamilyFields, InsureeFields):
    """The family and its head in one form."""

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_insuree(actor, is_head=True)
        self.add_chain(actor)

    FAMILY_PART = ("region", "district", "municipality", "village", *services.FAMILY_FIELDS)

    def family_part(self):
        return [self[n] for n in self.FAMILY_PART]

    def head_part(self):
        return [self[n] for n in self.fields if n not in self.FAMILY_PART]


class FamilyEditForm(FamilyFields):
    pass


class LocationForm(PlaceChainMixin, forms.Form):
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_chain(actor)


class InsureeForm(InsureeFields):
    def __init__(self, *args, actor, is_head: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_insuree(actor, is_head=is_head)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.insurance_number})"


class ChangeHeadForm(forms.Form):
    new_head = MemberChoiceField(label=_("New head of family"), queryset=None)
    old_head_relationship = forms.TypedChoiceField(
        label=_("Relationship of the former head to the new head"),
        choices=_blank(Relationship.choices),
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = queries.members(family).exclude(pk=family.head_id)


class MoveForm(forms.Form):
    family_number = forms.CharField(
        label=_("Insurance number of a member of the new family"),
        max_length=50,
        help_text=_("The head's number, for example."),
    )
    relationship = forms.TypedChoiceField(
        label=_("Relationship to the head of the new family"),
        choices=_blank(Relationship.choices),
        coerce=int,
        empty_value=None,
    )


class SearchForm(forms.Form):
    number = forms.CharField(label=_("Insurance number"), required=False, max_length=50)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    dob = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    district = forms.ModelChoiceField(label=_("District"), queryset=None, required=False)
    village = VillageField(label=_("Village"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *InsureeStatus.choices], required=False
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = queries.districts_in_scope(actor)
        self.fields["village"].set_villages(queries.villages_in_scope(actor))


class BeneficiaryForm(PlaceChainMixin, forms.Form):
    """A confidential programme's minimal beneficiary (issue 15): the least personal
    information the programme asks for."""

    insurance_number = forms.CharField(label=_("Insurance number"), max_length=50)
    dob = forms.DateField(label=_("Date of birth"), widget=DateInput())
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(Gender.choices))
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, required=False, help_text=_("Optional.")
    )
    other_names = forms.CharField(
        label=_("Other names"), max_length=100, required=False, help_text=_("Optional.")
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if services.numbers_assigned():
            self.fields["insurance_number"].required = False
            self.fields["insurance_number"].help_text = _("Leave empty: Kinga gives the number.")
        self.add_chain(actor)

    def values(self) -> dict:
        names = ("insurance_number", "dob", "gender", "last_name", "other_names")
        return {n: self.cleaned_data.get(n) for n in names}
