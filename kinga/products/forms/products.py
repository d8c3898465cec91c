"""Forms of the product pages: they check the shape of the input; the rules are the services'
(whose refusals the views put back on the fields they name)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from kinga.core import bounds
from kinga.medical.models import ItemsPriceList, ServiceCategory, ServicesPriceList

from .. import rules
from ..models import COVERAGE_FIELDS, PriceOrigin, Product, ProductService, Programme
from ..services.products import PRODUCT_FIELDS

GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (
        _("Identity and sale"),
        (
            "code",
            "name",
            "location",
            "programme",
            "date_from",
            "date_to",
            "conversion_product",
        ),
    ),
    (
        _("Periods and members"),
        (
            "insurance_period",
            "administration_period",
            "max_members",
            "threshold",
            "max_installments",
            "grace_period_enrolment",
            "grace_period_renewal",
            "grace_period_payment",
        ),
    ),
    (
        _("Contributions"),
        (
            "lump_sum",
            "premium_adult",
            "premium_child",
            "registration_lump_sum",
            "registration_fee",
            "general_assembly_lump_sum",
            "general_assembly_fee",
        ),
    ),
    (
        _("Start cycles, discounts and accounts"),
        (
            *rules.CYCLE_FIELDS,
            "enrolment_discount_perc",
            "enrolment_discount_period",
            "renewal_discount_perc",
            "renewal_discount_period",
            "acc_code_premiums",
            "acc_code_remuneration",
        ),
    ),
    (
        _("Deductibles and ceilings"),
        (
            "ceiling_type",
            "ceiling_interpretation",
            "deductible",
            "ceiling",
            "deductible_ip",
            "ceiling_ip",
            "deductible_op",
            "ceiling_op",
            "extra_member_ceiling",
            "ceiling_cap",
            "extra_member_ceiling_ip",
            "ceiling_cap_ip",
            "extra_member_ceiling_op",
            "ceiling_cap_op",
        ),
    ),
    (
        _("Limits per insuree and insurance period"),
        (
            "max_no_consultation",
            "max_amount_consultation",
            "max_no_surgery",
            "max_amount_surgery",
            "max_no_delivery",
            "max_amount_delivery",
            "max_no_hospitalisation",
            "max_amount_hospitalisation",
            "max_no_antenatal",
            "max_amount_antenatal",
            "max_no_visits",
        ),
    ),
    (
        _("Relative pricing"),
        (
            "period_rel_prices",
            "shares_B",
            "period_rel_prices_ip",
            "shares_I",
            "period_rel_prices_op",
            "shares_O",
        ),
    ),
    (
        _("Capitation"),
        (
            "level_1",
            "sublevel_1",
            "level_2",
            "sublevel_2",
            "level_3",
            "sublevel_3",
            "level_4",
            "sublevel_4",
            "share_contribution",
            *rules.WEIGHT_FIELDS,
        ),
    ),
]

SHARES_HELP = _(
    "Shares (%) separated by spaces: 12 for monthly, 4 for quarterly, 1 for yearly; they add up "
    "to 100."
)


class SharesField(forms.CharField):
    def to_python(self, value):
        text = (super().to_python(value) or "").replace(";", " ")
        out = []
        for part in text.split():
            try:
                out.append(Decimal(part.replace(",", ".")))
            except InvalidOperation:
                raise forms.ValidationError(
                    _("“%(value)s” is not a number."), params={"value": part}
                ) from None
        return out


def _shares_text(shares) -> str:
    return " ".join(rules.number(Decimal(s)).replace("\u00a0", "") for s in shares)


class ProductForm(forms.Form):
    """Page 1 of a product: everything but the coverage, in fieldsets."""

    def __init__(self, *args, locations, programmes, conversions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Product, fields=PRODUCT_FIELDS))
        bounds.bound_form_fields(self.fields, Product)
        # The length of the code is checked with the other rules, so that every problem shows
        # at once.
        self.fields["code"] = forms.CharField(
            label=self.fields["code"].label, help_text=_("At most 16 characters, e.g. VIH_Soins.")
        )
        self.fields["location"].queryset = locations
        self.fields["location"].empty_label = _("National")
        self.fields["programme"].queryset = programmes
        self.fields["conversion_product"].queryset = conversions
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name in rules.CYCLE_FIELDS:
            self.fields[name].widget.attrs.update(placeholder="01-07", size=5)
        for care, label in (
            ("B", _("Shares (general)")),
            ("I", _("Shares (in-patient)")),
            ("O", _("Shares (out-patient)")),
        ):
            self.fields[f"shares_{care}"] = SharesField(
                label=label, required=False, help_text=SHARES_HELP
            )
        for name, field in self.fields.items():
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.setdefault("step", "any")
            model_field = Product._meta._forward_fields_map.get(name)
            if model_field is not None and model_field.has_default():
                field.required = False  # empty means the default (0, 1 instalment, ...)

    def groups(self):
        return [(legend, [self[name] for name in names]) for legend, names in GROUPS]

    def values(self) -> tuple[dict, dict]:
        """(product values, distribution) for the services."""
        data = dict(self.cleaned_data)
        distribution = {care: data.pop(f"shares_{care}") or [] for care in ("B", "I", "O")}
        for name in rules.WEIGHT_FIELDS:
            data[name] = data.get(name) or Decimal(0)
        if data.get("max_installments") is None:
            data["max_installments"] = 1
        for name, field in Product._meta._forward_fields_map.items():
            if name in data and data[name] is None and not field.null:
                default = field.get_default()
                if default is not None:
                    data[name] = default
        return data, distribution

    @staticmethod
    def initial_for(product: Product, distribution: dict) -> dict:
        initial = {name: getattr(product, name) for name in PRODUCT_FIELDS}
        for care in ("B", "I", "O"):
            initial[f"shares_{care}"] = _shares_text(distribution.get(care) or [])
        return initial


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False)
    programme = forms.ModelChoiceField(
        label=_("Health programme"), queryset=Programme.objects.none(), required=False
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Programme.objects.none(), required=False
    )
    retired = forms.BooleanField(label=_("Show retired products"), required=False)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.current()
        self.fields["location"].queryset = locations


class DuplicateForm(forms.Form):
    code = forms.CharField(label=_("New code"), max_length=rules.CODE_MAX_LENGTH)
    name = forms.CharField(label=_("New name"), max_length=100, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Product file (JSON)"))
    code = forms.CharField(
        label=_("Code in this installation"),
        max_length=rules.CODE_MAX_LENGTH,
        required=False,
        help_text=_("Leave empty to keep the code of the file."),
    )


# --- coverage ---------------------------------------------------------------------------------


def _coverage_fields() -> dict[str, forms.Field]:
    fields = fields_for_model(ProductService, fields=COVERAGE_FIELDS)
    bounds.bound_form_fields(fields, ProductService)
    for field in fields.values():
        if isinstance(field, forms.DecimalField):
            field.widget.attrs.update(step="any")
        if isinstance(field, forms.IntegerField):
            field.widget.attrs.update(min="0")
    return fields


class CoverageRowForm(forms.Form):
    """One row of the coverage grid (prefix s<id> or i<id>), edited alone: its inputs belong
    to the row's own <form id=form_id> (the `form` attribute), which sits in the row."""

    def __init__(self, *args, row, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        self.fields.update(_coverage_fields())
        self.fields["remove"] = forms.BooleanField(label=_("Remove"), required=False)
        what = str(row)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label} – {what}"
            if form_id:
                field.widget.attrs["form"] = form_id

    def edits(self) -> dict:
        """What `services.products.coverage_update` takes for this row."""
        d = self.cleaned_data
        if d.get("remove"):
            return {"remove": [self.row.pk]}
        values = {k: d[k] for k in COVERAGE_FIELDS}
        for k in ("ceiling_exclusion_adult", "ceiling_exclusion_child"):
            values[k] = values[k] or ""
        return {"edits": {self.row.pk: values}}


class CoverageSearchForm(forms.Form):
    search = forms.CharField(label=_("Find in the coverage (code or name)"), required=False)


class AddCoverageForm(forms.Form):
    """What a batch of added services or items gets: the same rule for ordinary, referral and
    emergency visits (edit the grid afterwards for differences)."""

    ADD_CATEGORY = "category"
    ADD_SERVICE_LIST = "service_list"
    ADD_ITEM_LIST = "item_list"
    ADD_TICKED = "ticked"

    category = forms.ChoiceField(
        label=_("All services of the category"),
        choices=[("", "—"), *ServiceCategory.choices],
        required=False,
    )
    services_price_list = forms.ModelChoiceField(
        label=_("All services of the price list"),
        queryset=ServicesPriceList.objects.none(),
        required=False,
    )
    items_price_list = forms.ModelChoiceField(
        label=_("All items of the price list"),
        queryset=ItemsPriceList.objects.none(),
        required=False,
    )
    price_origin = forms.ChoiceField(
        label=_("Price origin"), choices=PriceOrigin.choices, initial="P"
    )
    limitation_type = forms.ChoiceField(
        label=_("Limitation"),
        choices=ProductService._meta.get_field("limitation_type").choices,
        initial="C",
    )
    limit_adult = forms.DecimalField(
        label=_("Adult limit"),
        initial=100,
        min_value=0,
        max_value=bounds.MONEY_MAX,
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput({"step": "any"}),
    )
    limit_child = forms.DecimalField(
        label=_("Child limit"),
        initial=100,
        min_value=0,
        max_value=bounds.MONEY_MAX,
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput({"step": "any"}),
    )
    waiting_period_adult = forms.IntegerField(
        label=_("Waiting period for adults (months)"),
        min_value=0,
        max_value=bounds.MONTHS_MAX,
        required=False,
    )
    waiting_period_child = forms.IntegerField(
        label=_("Waiting period for children (months)"),
        min_value=0,
        max_value=bounds.MONTHS_MAX,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services_price_list"].queryset = ServicesPriceList.objects.current()
        self.fields["items_price_list"].queryset = ItemsPriceList.objects.current()

    def coverage(self) -> dict:
        from ..services.products import coverage_values

        d = self.cleaned_data
        return coverage_values(
            price_origin=d["price_origin"],
            limitation_type=d["limitation_type"],
            limit_adult=d["limit_adult"],
            limit_child=d["limit_child"],
            waiting_period_adult=d.get("waiting_period_adult"),
            waiting_period_child=d.get("waiting_period_child"),
        )
