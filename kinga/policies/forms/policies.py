"""The policy form (its checks are the services')."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy

from kinga.insurees.models import Officer
from kinga.products.models import Product

from ..queries import policies as policy_queries

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyForm(forms.Form):
    """Détail de la police, in the procedure's order."""

    enroll_date = forms.DateField(label=gettext_lazy("Enrolment date"), widget=DATE)
    product = forms.ModelChoiceField(
        label=gettext_lazy("Service package"), queryset=Product.objects.none(), to_field_name="uuid"
    )
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DATE, required=False)
    officer = forms.ModelChoiceField(
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
        self.fields["product"].queryset = policy_queries.products_on_sale(family, on_date)
        self.fields["product"].label_from_instance = lambda p: f"{p.code} {p.name}"
        self.fields["officer"].queryset = policy_queries.officers_for_policy(user, family, on_date)
