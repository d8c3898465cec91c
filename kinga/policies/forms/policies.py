"""The policy form (its checks are the services')."""

from __future__ import annotations

from datetime import date

from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core.forms.choices import DependentChoiceField
from kinga.insurees.models import Officer
from kinga.products.models import Product

from ..queries import policies as policy_queries

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyForm(forms.Form):
    """Détail de la police, in the procedure's order."""

    enroll_date = forms.DateField(label=gettext_lazy("Enrolment date"), widget=DATE)
    product = DependentChoiceField(
        label=gettext_lazy("Service package"), queryset=Product.objects.none(), to_field_name="uuid"
    )
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DATE, required=False)
    officer = DependentChoiceField(
        label=gettext_lazy("Enrolment officer"),
        queryset=Officer.objects.none(),
        to_field_name="uuid",
    )
    confirm_replace = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, family, on_date, **kwargs):
        super().__init__(*args, **kwargs)
        # The expiry date is computed, never typed: it follows the enrolment date, the product
        # and the start date through a small fragment (htmx, no inline script).
        computed = {
            "hx-get": reverse("policies:dates", args=[family.uuid]),
            "hx-trigger": "change",
            "hx-include": "closest form",
            "hx-target": "#expiry_date",
            "hx-swap": "outerHTML",
        }
        for name in ("enroll_date", "product", "start_date"):
            self.fields[name].widget.attrs.update(computed)
        # A product or officer chosen before the enrolment date changed is kept and refused
        # with the reason (kinga.core.forms.choices), never dropped.
        village = family.village
        self.fields["product"].offer(
            policy_queries.products_on_sale(family, on_date),
            wider=Product.objects.current(),
            refusal=lambda product: product_refusal(product, village, on_date),
        )
        self.fields["product"].label_from_instance = lambda p: f"{p.code} {p.name}"
        district = village.parent.parent
        self.fields["officer"].offer(
            policy_queries.officers_for_policy(user, family, on_date),
            wider=policy_queries.officers_for_policy(user, family, date.min),
            refusal=lambda officer: officer_refusal(officer, district, on_date),
        )


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def product_refusal(product: Product, village, on_date: date) -> str:
    """Why `product` cannot be taken by a family of `village` enrolled on `on_date`: where it
    is sold, or the dates it is on sale."""
    names = {
        "code": product.code,
        "village": village.name,
        "day": _day(on_date),
        "from": _day(product.date_from),
        "to": _day(product.date_to),
    }
    if product.location_id is not None and product.location_id not in (
        policy_queries.sale_location_ids(village)
    ):
        return _("The product %(code)s is not sold in %(village)s (it is sold in %(where)s).") % {
            **names,
            "where": product.location.name,
        }
    return (
        _("The product %(code)s is not on sale on %(day)s: it is on sale from %(from)s to %(to)s.")
        % names
    )


def officer_refusal(officer, district, on_date: date) -> str:
    """Why `officer` (of the family's district) cannot enrol on `on_date`."""
    return _(
        "The officer %(officer)s no longer works on %(day)s: his last working day is %(last)s."
    ) % {"officer": officer.code, "day": _day(on_date), "last": _day(officer.works_to)}
