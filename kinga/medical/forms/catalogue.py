"""Forms of the items and services pages: they read input; the services check the rules (code
unique among current records, prices of 0 or more, patient categories...)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core import bounds
from kinga.core.registers import ALL_PATIENTS, CareType, PatientCategory

from ..models import ItemType, ServiceCategory, ServiceLevel, ServiceType
from ..services.catalogue import (
    CODE_MAX_LENGTH,
    ITEM_FIELDS,
    NAME_MAX_LENGTH,
    PACKAGE_MAX_LENGTH,
    SERVICE_FIELDS,
)
from ._fields import _all, amount_field

# --- list filters -------------------------------------------------------------------------------


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=_all(_("All types"), ItemType.choices)
    )
    care_type = forms.ChoiceField(
        label=_("Care type"),
        required=False,
        choices=_all(_("All care types"), CareType.choices),
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=_all(_("All types"), ServiceType.choices)
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_all(_("All levels"), ServiceLevel.choices)
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[
            *_all(_("All categories"), ServiceCategory.choices),
            ("-", _("(no category)")),
        ],
    )
    care_type = forms.ChoiceField(
        label=_("Care type"),
        required=False,
        choices=_all(_("All care types"), CareType.choices),
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)


# --- items and services ---------------------------------------------------------------------------


class _MedicalForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=CODE_MAX_LENGTH)
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    price = amount_field(_("Price"), required=True)
    care_type = forms.ChoiceField(label=_("Care type"), choices=CareType.choices)
    frequency = forms.IntegerField(
        label=_("Frequency (days)"),
        min_value=0,
        max_value=bounds.DAYS_MAX,
        initial=0,
        help_text=_(
            "Minimum number of days between two provisions to the same patient; 0 = no limit."
        ),
    )
    patient_category = forms.MultipleChoiceField(
        label=_("Patient categories"),
        choices=PatientCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Who may receive it: at least one of Man or Woman and one of Adult or Child."),
    )
    maximum_amount = amount_field(_("Maximum amount"))

    def clean_patient_category(self) -> int:
        mask = 0
        for value in self.cleaned_data.get("patient_category") or []:
            mask |= int(value)
        return mask

    @staticmethod
    def categories_initial(mask: int) -> list[str]:
        return [str(c.value) for c in PatientCategory if mask & c.value]

    @classmethod
    def initial_for(cls, obj=None) -> dict:
        """The form's initial values: of `obj` (edit), or of a new record."""
        if obj is None:
            return {"patient_category": cls.categories_initial(ALL_PATIENTS), "frequency": 0}
        initial = {f: getattr(obj, f) for f in cls.FIELDS}
        initial["patient_category"] = cls.categories_initial(obj.patient_category)
        return initial


class ItemForm(_MedicalForm):
    type = forms.ChoiceField(label=_("Type"), choices=ItemType.choices)
    package = forms.CharField(
        label=_("Package"),
        max_length=PACKAGE_MAX_LENGTH,
        required=False,
        help_text=_("For example: Box of 30 tablets."),
    )
    quantity = amount_field(_("Quantity"))

    field_order = list(ITEM_FIELDS)
    FIELDS = field_order


class ServiceForm(_MedicalForm):
    type = forms.ChoiceField(label=_("Type"), choices=ServiceType.choices)
    level = forms.ChoiceField(label=_("Level"), choices=ServiceLevel.choices)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("(no category)")), *ServiceCategory.choices],
    )

    field_order = list(SERVICE_FIELDS)
    FIELDS = field_order
