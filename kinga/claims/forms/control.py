"""Forms of the control pages: they check the shape of the input; the rules are the services'
(kinga.claims.services), whose refusals the views put under the field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..codes import ClaimStatus, ReviewStatus, VisitType
from ..queries import claims as claim_queries
from ..queries import control as queries
from ..rules.selection import Rule
from . import entry as entry_forms

MONEY_MAX = Decimal("9999999999999999.99")


def _plain(amount: Decimal | None) -> Decimal | None:
    """A price as the reviewer types it: « 2000 », not « 2000.00 », when it has no cents (the
    franc CFA has none)."""
    if amount is not None and amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount


def _search_date(label):
    """A date filter typed dd/mm/yyyy (JJ/MM/AAAA) like every date of the claims pages, not the
    browser's own date picker in the browser's locale; a bad date is said under the field."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=entry_forms.DATE_FORMATS,
        widget=entry_forms.DateInput(),
        error_messages={"invalid": _("Enter the date as dd/mm/yyyy, e.g. 05/12/2026.")},
    )


def _statuses(label, choices):
    return forms.TypedMultipleChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _money(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MONEY_MAX,
        max_digits=18,
        decimal_places=2,
    )


class SearchForm(forms.Form):
    """openIMIS's claim overview filters (spec claims §7.1)."""

    health_facility = forms.ModelChoiceField(
        label=_("Health facility"), queryset=None, required=False, empty_label="—"
    )
    status = _statuses(_("Status"), ClaimStatus.choices)
    review_status = _statuses(_("Review status"), ReviewStatus.choices)
    feedback_status = _statuses(_("Feedback status"), ReviewStatus.choices)
    care_from = _search_date(_("Care from"))
    care_to = _search_date(_("Care to"))
    claimed_from = _search_date(_("Claimed from"))
    claimed_to = _search_date(_("Claimed to"))
    insurance_number = forms.CharField(label=_("Insurance number"), required=False, max_length=50)
    insuree_name = forms.CharField(label=_("Insuree's name"), required=False, max_length=100)
    code = forms.CharField(label=_("Claim number"), required=False, max_length=50)
    icd = forms.CharField(label=_("Main diagnosis (code)"), required=False, max_length=20)
    amount_min = _money(_("Claimed at least"))
    amount_max = _money(_("Claimed at most"))
    visit_type = forms.ChoiceField(
        label=_("Visit type"), choices=[("", "—"), *VisitType.choices], required=False
    )
    admin = forms.ModelChoiceField(
        label=_("Claim administrator"), queryset=None, required=False, empty_label="—"
    )
    returned = forms.ChoiceField(
        label=_("Returned for completion"),
        choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))],
        required=False,
    )

    def __init__(self, actor, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_facility"].queryset = queries.facilities_in_reach(actor)
        self.fields["admin"].queryset = queries.admins_in_reach(actor)
        self.fields["admin"].label_from_instance = lambda a: (
            f"{a.code} {a.other_names} {a.last_name}"
        )

    # Choice fields the search page draws itself (kinga.claims.templatetags: `options`):
    # Django's widgets render each option through a template, which costs more than the
    # search's query once a district's facilities are listed.
    CHECKS = ("status", "review_status", "feedback_status")
    SELECTS = ("health_facility", "visit_type", "admin", "returned")

    def options(self, name: str) -> list[dict]:
        """The choices of field `name`, each {"value", "label", "chosen"} as submitted."""
        bound = self[name]
        value = bound.value()
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = {str(v) for v in values if v not in (None, "")}
        return [
            {"value": str(v), "label": str(label), "chosen": str(v) in chosen}
            for v, label in bound.field.choices
        ]

    def clean_icd(self):
        code = self.cleaned_data.get("icd", "").strip()
        if not code:
            return None
        diagnosis = queries.diagnosis_by_code(code)
        if diagnosis is None:
            raise forms.ValidationError(_("No diagnosis has this code."))
        return diagnosis

    def clean(self):
        data = super().clean()
        for low, high in (
            ("care_from", "care_to"),
            ("claimed_from", "claimed_to"),
            ("amount_min", "amount_max"),
        ):
            if data.get(low) is not None and data.get(high) is not None:
                if data[low] > data[high]:
                    self.add_error(high, _("This bound is below the other one."))
        return data

    def filters(self) -> claim_queries.ClaimFilters:
        d = self.cleaned_data
        returned = {"yes": True, "no": False}.get(d.get("returned") or "")
        return claim_queries.ClaimFilters(
            health_facility=d["health_facility"].pk if d.get("health_facility") else None,
            statuses=tuple(d.get("status") or ()),
            review_statuses=tuple(d.get("review_status") or ()),
            feedback_statuses=tuple(d.get("feedback_status") or ()),
            care_from=d.get("care_from"),
            care_to=d.get("care_to"),
            claimed_from=d.get("claimed_from"),
            claimed_to=d.get("claimed_to"),
            insurance_number=d.get("insurance_number") or "",
            code=d.get("code") or "",
            icd=d["icd"].pk if d.get("icd") else None,
            amount_min=d.get("amount_min"),
            amount_max=d.get("amount_max"),
            visit_type=d.get("visit_type") or "",
            admin=d["admin"].pk if d.get("admin") else None,
            returned=returned,
        )


BULK_SUBMIT, BULK_REVIEW, BULK_FEEDBACK, BULK_RETURN = "submit", "review", "feedback", "return"
BULK_CHOICES = [
    (BULK_SUBMIT, _("Submit")),
    (BULK_REVIEW, _("Select for review")),
    (BULK_FEEDBACK, _("Select for feedback")),
    (BULK_RETURN, _("Return for completion")),
]
BULK_VALUE = "value"  # Claims II: value the Checked claims (kinga.claims.views.valuation)
BULK_CHOICES.append((BULK_VALUE, pgettext_lazy("claims action", "Value")))
# The bons à payer of the ticked Valuated claims, in one PDF (kinga.claims.views.payment).
BULK_VOUCHER = "voucher"
BULK_CHOICES.append((BULK_VOUCHER, _("Print the payment vouchers")))


class BulkForm(forms.Form):
    """An action on the claims ticked in the search (their uuids)."""

    action = forms.ChoiceField(label=_("Action"), choices=BULK_CHOICES)
    claims = forms.MultipleChoiceField(required=True)
    comment = forms.CharField(
        label=_("What the facility must complete"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any uuid is accepted here: the view asks the reach for every one of them.
        ticked = self.data.getlist("claims") if hasattr(self.data, "getlist") else []
        self.fields["claims"].choices = [(v, v) for v in ticked[:SELECTION_LIMIT]]
        self.fields["claims"].error_messages["required"] = _("Tick at least one claim.")

    def clean_claims(self):
        claims = self.cleaned_data["claims"]
        if len(claims) > SELECTION_LIMIT:
            raise forms.ValidationError(_("Tick at most %(n)d claims.") % {"n": SELECTION_LIMIT})
        return claims

    def clean(self):
        data = super().clean()
        if (
            data.get("action") == BULK_RETURN
            and data.get("confirmed")
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Say what the facility must complete."))
        return data


SELECTION_LIMIT = 1000


class SelectionForm(forms.Form):
    """Selection for review or feedback over the claims of a search (spec claims §3.2)."""

    kind = forms.ChoiceField(
        label=_("Select for"),
        choices=[("review", _("review")), ("feedback", _("feedback"))],
        widget=forms.RadioSelect,
        initial="review",
    )
    rule = forms.ChoiceField(
        label=_("Which claims"),
        choices=[
            (Rule.ALL, _("All")),
            (Rule.RANDOM, _("A random share")),
            (Rule.VARIANCE, _("Above their diagnosis's average by a variance")),
        ],
        widget=forms.RadioSelect,
        initial=Rule.ALL,
    )
    value = _money(_("Only claims of at least (FCFA)"))
    share = forms.DecimalField(
        label=_("Share (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=10,
    )
    variance = forms.DecimalField(
        label=_("Variance (%)"),
        required=False,
        min_value=0,
        max_value=100000,
        max_digits=8,
        decimal_places=2,
        initial=20,
    )

    def clean(self):
        data = super().clean()
        if data.get("rule") == Rule.RANDOM and data.get("share") is None:
            self.add_error("share", _("Give the share to draw."))
        if data.get("rule") == Rule.VARIANCE and data.get("variance") is None:
            self.add_error("variance", _("Give the variance."))
        return data


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What the facility must complete"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


PASS, REJECT = "pass", "reject"


class ReviewForm(forms.Form):
    """The medical officer's review: per line, pass (with approved quantity and unit price) or
    reject (with a justification); a general comment; and whether the review is done."""

    adjustment = forms.CharField(
        label=_("Reviewer's comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deliver = forms.BooleanField(label=_("The review is done"), required=False, initial=True)

    def __init__(self, lines, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            system = line.rejection_reason > 0
            self.fields[f"decision_{line.pk}"] = forms.ChoiceField(
                label=_("Decision"),
                choices=[(REJECT, _("Reject"))]
                if system
                else [(PASS, _("Pass")), (REJECT, _("Reject"))],
                initial=PASS if line.rejection_reason == 0 else REJECT,
                widget=forms.RadioSelect,
            )
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Approved quantity"),
                required=False,
                min_value=0,
                max_value=line.quantity,
                initial=line.qty_approved if line.qty_approved is not None else line.quantity,
                disabled=system,
            )
            self.fields[f"price_{line.pk}"] = forms.DecimalField(
                label=_("Approved unit price"),
                required=False,
                min_value=0,
                max_value=MONEY_MAX,
                max_digits=18,
                decimal_places=2,
                initial=_plain(
                    line.price_approved if line.price_approved is not None else line.price_asked
                ),
                disabled=system,
            )
            self.fields[f"justification_{line.pk}"] = forms.CharField(
                label=_("Justification"),
                required=False,
                max_length=2000,
                initial=line.justification,
            )

    def rows(self):
        for line in self.lines:
            yield {
                "line": line,
                "system": line.rejection_reason > 0,
                "decision": self[f"decision_{line.pk}"],
                "qty": self[f"qty_{line.pk}"],
                "price": self[f"price_{line.pk}"],
                "justification": self[f"justification_{line.pk}"],
            }

    def decisions(self):
        from ..rules.review import Decision

        out = []
        for line in self.lines:
            d = self.cleaned_data
            passed = d.get(f"decision_{line.pk}") == PASS
            out.append(
                Decision(
                    line.pk,
                    passed,
                    d.get(f"qty_{line.pk}") if passed else None,
                    d.get(f"price_{line.pk}") if passed else None,
                    d.get(f"justification_{line.pk}") or "",
                )
            )
        return out


YES_NO = [("", _("not asked")), ("yes", _("yes")), ("no", _("no"))]


def _answer(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class FeedbackForm(forms.Form):
    """The patient's answers collected by the enrolment officer of his village (spec §3.3)."""

    officer = forms.ModelChoiceField(
        label=_("Enrolment officer"), queryset=None, required=False, empty_label="—"
    )
    feedback_date = forms.DateField(
        label=_("Date of the feedback"),
        input_formats=entry_forms.DATE_FORMATS,
        widget=entry_forms.DateInput(),
    )
    care_rendered = _answer(_("Was the care rendered?"))
    payment_asked = _answer(_("Did the facility ask for payment?"))
    drug_prescribed = _answer(_("Was a drug prescribed?"))
    drug_received = _answer(_("Was the drug received?"))
    assessment = forms.TypedChoiceField(
        label=_("Overall satisfaction (0 to 5)"),
        choices=[("", "—"), *((str(n), str(n)) for n in range(6))],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, officers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda o: (
            f"{o.code} {o.other_names} {o.last_name}"
        )
