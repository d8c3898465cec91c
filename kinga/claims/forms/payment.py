"""Forms of the payment statements' pages: the list's filters, « Nouvel état de paiement » and
« Enregistrer le paiement »."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import StatementStatus
from ..queries import payment as queries
from .entry import DATE_FORMATS, DateInput

# Dates typed dd/mm/yyyy like every date of the claims pages (not the browser's own picker).
DATE = DateInput()


def _facility_label(facility) -> str:
    return f"{facility.code} — {facility.name}"


class FacilityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _facility_label(obj)


class CodeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} — {obj.name}" if obj.name != obj.code else obj.code


class StatementFilterForm(forms.Form):
    health_facility = FacilityChoice(
        label=_("Health facility"), queryset=None, required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *StatementStatus.choices]
    )
    period_from = forms.DateField(
        label=_("Period from"), required=False, widget=DATE, input_formats=DATE_FORMATS
    )
    period_to = forms.DateField(
        label=_("Period to"), required=False, widget=DATE, input_formats=DATE_FORMATS
    )
    product = CodeChoice(label=_("Product"), queryset=None, required=False, empty_label=_("All"))
    programme = CodeChoice(
        label=_("Health programme"), queryset=None, required=False, empty_label=_("All")
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_facility"].queryset = queries.facilities_for(user)
        self.fields["product"].queryset = queries.products_for_statements(user)
        self.fields["programme"].queryset = queries.programmes_for_statements(user)

    def filters(self) -> queries.StatementFilters:
        d = self.cleaned_data
        return queries.StatementFilters(
            health_facility=d["health_facility"].pk if d.get("health_facility") else None,
            status=d.get("status") or "",
            period_from=d.get("period_from"),
            period_to=d.get("period_to"),
            product=d["product"].pk if d.get("product") else None,
            programme=d["programme"].pk if d.get("programme") else None,
        )


class StatementForm(forms.Form):
    """A new statement: a facility, a period of care, and a product or a programme."""

    health_facility = FacilityChoice(label=_("Health facility"), queryset=None)
    date_from = forms.DateField(label=_("Period from"), widget=DATE, input_formats=DATE_FORMATS)
    date_to = forms.DateField(label=_("Period to"), widget=DATE, input_formats=DATE_FORMATS)
    product = CodeChoice(
        label=_("Product"),
        queryset=None,
        required=False,
        help_text=_("A product or a health programme, not both."),
    )
    programme = CodeChoice(label=_("Health programme"), queryset=None, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_facility"].queryset = queries.facilities_for(user)
        self.fields["product"].queryset = queries.products_for_statements(user)
        self.fields["programme"].queryset = queries.programmes_for_statements(user)

    def clean(self):
        data = super().clean()
        product, programme = data.get("product"), data.get("programme")
        if "product" in data and "programme" in data and (product is None) == (programme is None):
            self.add_error("product", _("Choose a product or a health programme (one of them)."))
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Payment date"), widget=DATE, input_formats=DATE_FORMATS)
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("The transfer or cheque number."),
    )
    amount = forms.DecimalField(
        label=_("Amount paid (FCFA)"),
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        help_text=_("The statement's total: a statement is paid whole."),
    )
