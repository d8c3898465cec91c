"""The claim entry form (issue 12, 3.2.1): the header as a Django form, the lines read from the
rows `line-<n>-code`, `line-<n>-quantity`, `line-<n>-price` that htmx adds as the clerk types.

The form only turns text into records and numbers and says what is wrong under each field and
line; the rules of entry (dates, prices, codes, reach) are the service's
(kinga.claims.services.claims), whose refusals come back under the field or line they name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core.forms.choices import DependentChoiceField

from ..codes import AttachmentType, VisitType
from ..models import CODE_MAX_LENGTH
from ..queries import facts, lookups
from ..services.claims import ATTACHMENT_MAX_BYTES, MAX_SECONDARY, LineInput

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
MAX_LINES = 200
# Bounds that keep Σ quantity × price of MAX_LINES lines inside the money columns (18, 2).
MAX_QUANTITY = 10_000
MAX_PRICE = Decimal("1000000000")
LINE_KEY = re.compile(r"^line-(\d{1,4})-code$")
# A field whose suggestions (a <datalist> htmx fills as the clerk types) entry.js shows as a
# list under it, picked with ↓/↑ and Enter (a native datalist popup is not keyboard-reachable
# everywhere, and not at all in a headless browser).
SUGGEST_ICD = {
    "autocomplete": "off",
    "data-suggest": "icd-options",
    "role": "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
}


class DateInput(forms.DateInput):
    """dd/mm/yyyy typed (JJ/MM/AAAA), as the glossary writes dates on screens."""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {"placeholder": gettext_lazy("dd/mm/yyyy"), "inputmode": "numeric", "size": 10}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


def _date_field(label, required=True):
    return forms.DateField(
        label=label, required=required, input_formats=DATE_FORMATS, widget=DateInput()
    )


class ClaimForm(forms.Form):
    health_facility = DependentChoiceField(
        label=gettext_lazy("Health facility"), queryset=None, empty_label=None
    )
    code = forms.CharField(label=gettext_lazy("Claim number"), max_length=CODE_MAX_LENGTH)
    insurance_number = forms.CharField(
        label=gettext_lazy("Insurance number"),
        max_length=lookups.NUMBER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    date_from = _date_field(gettext_lazy("Date of care from"))
    date_to = _date_field(gettext_lazy("Date of care to"), required=False)
    visit_type = forms.ChoiceField(label=gettext_lazy("Visit type"), choices=VisitType.choices)
    icd = forms.CharField(
        label=gettext_lazy("Main diagnosis"),
        max_length=lookups.QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs=SUGGEST_ICD),
        help_text=gettext_lazy("ICD-10 code or name, in French or English."),
    )
    guarantee_number = forms.CharField(
        label=gettext_lazy("Guarantee number"), max_length=50, required=False
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachment = forms.FileField(
        label=gettext_lazy("Attachment (scan, photo)"), required=False, allow_empty_file=False
    )
    attachment_type = forms.ChoiceField(
        label=gettext_lazy("Type of document"),
        choices=AttachmentType.choices,
        initial=AttachmentType.OTHER,
        required=False,
    )

    def __init__(self, *args, facilities, wider=None, refusal=None, **kwargs):
        """`facilities` are offered; a facility of `wider` not offered is kept and refused
        with `refusal(facility)` (kinga.core.forms.choices)."""
        super().__init__(*args, **kwargs)
        self.fields["health_facility"].offer(facilities, wider=wider, refusal=refusal)
        for n in range(1, MAX_SECONDARY + 1):
            self.fields[f"icd_{n}"] = forms.CharField(
                label=_("Secondary diagnosis %(n)d") % {"n": n},
                max_length=lookups.QUERY_MAX_LENGTH,
                required=False,
                widget=forms.TextInput(attrs=SUGGEST_ICD),
            )
        self.insuree = None
        self.diagnoses: dict[str, object] = {}

    @property
    def secondary_fields(self):
        return [self[f"icd_{n}"] for n in range(1, MAX_SECONDARY + 1)]

    def clean_insurance_number(self):
        number = self.cleaned_data["insurance_number"]
        if facts.one_statement():
            cleaned = lookups.insurance_number(number)
            self.insuree = facts.insuree_by_number(cleaned) if cleaned else None
        else:
            self.insuree = lookups.insuree_by_number(number)
        if self.insuree is None:
            raise forms.ValidationError(_("No insuree has this insurance number."))
        return number

    def _diagnosis(self, name: str):
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        exact = facts.diagnosis_by_code if facts.one_statement() else None
        found = lookups.diagnosis_by_code(text, exact=exact)
        if found is None:
            raise forms.ValidationError(
                _("No diagnosis has the ICD-10 code %(code)s.") % {"code": text.split(" — ")[0]}
            )
        return found

    def clean_icd(self):
        return self._diagnosis("icd")

    def clean(self):
        data = super().clean()
        for n in range(1, MAX_SECONDARY + 1):
            name = f"icd_{n}"
            try:
                data[name] = self._diagnosis(name)
            except forms.ValidationError as error:
                self.add_error(name, error)
        upload = data.get("attachment")
        if upload is not None and upload.size > ATTACHMENT_MAX_BYTES:
            self.add_error("attachment", _("The file is too large (at most 10 MB)."))
        return data

    @property
    def secondary(self) -> list:
        return [self.cleaned_data.get(f"icd_{n}") for n in range(1, MAX_SECONDARY + 1)]


# --- the lines ------------------------------------------------------------------------------


@dataclass
class LineRow:
    """One line as typed, and what it resolved to."""

    n: int
    code: str = ""
    quantity: str = ""
    price: str = ""
    explanation: str = ""
    medical: object = None
    qty: int | None = None
    unit_price: Decimal | None = None
    list_price: Decimal | None = None
    editable_price: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not (self.code.strip() or self.quantity.strip() or self.price.strip())

    @property
    def total(self) -> Decimal | None:
        if self.qty is None or self.unit_price is None:
            return None
        return self.qty * self.unit_price

    @property
    def name(self) -> str:
        return getattr(self.medical, "name", "")

    def input(self) -> LineInput:
        return LineInput(
            self.medical,
            self.qty,
            self.unit_price,
            self.explanation,
            list_price=self.list_price if self.medical is not None else None,
            provider_priced=self.editable_price if self.medical is not None else None,
        )


def parse_quantity(text: str) -> tuple[int | None, str | None]:
    text = (text or "").strip()
    if not text:
        return None, _("Enter the quantity.")
    if not text.isdigit():
        return None, _("The quantity must be a whole number of at least 1.")
    value = int(text)
    if value < 1 or value > MAX_QUANTITY:
        return None, _("The quantity must be a whole number of at least 1.")
    return value, None


def parse_price(text: str) -> tuple[Decimal | None, str | None]:
    text = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not text:
        return None, None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None, _("Enter a valid price.")
    if not value.is_finite() or value < 0 or value >= MAX_PRICE:
        return None, _("Enter a valid price.")
    return value, None


def line_numbers(data) -> list[int]:
    """The row numbers present in the POST, in order."""
    numbers = sorted({int(m[1]) for key in data for m in [LINE_KEY.match(key)] if m})
    return numbers[:MAX_LINES]


def read_row(data, n: int) -> LineRow:
    def get(name: str) -> str:
        return str(data.get(f"line-{n}-{name}", "") or "")[:200]

    return LineRow(
        n=n,
        code=get("code"),
        quantity=get("quantity"),
        price=get("price"),
        explanation=get("explanation"),
    )


def resolve_row(row: LineRow, *, price_of, provider_priced, find=None) -> LineRow:
    """Fill `row` with its service or item (`find(text)`), quantity and price (`price_of(medical)`:
    the facility's price; `provider_priced(medical)`: whether the clerk may change it) and its
    errors."""
    if row.code.strip():
        row.medical = (find or lookups.medical_by_code)(row.code)
        if row.medical is None:
            row.errors.append(_("No service or item has this code."))
    if row.quantity.strip() or row.medical is not None:
        row.qty, error = parse_quantity(row.quantity)
        if error and row.quantity.strip():
            row.errors.append(error)
        elif error and row.medical is not None:
            row.errors.append(error)
    typed, error = parse_price(row.price)
    if error:
        row.errors.append(error)
    if row.medical is not None:
        row.list_price = price_of(row.medical)
        row.editable_price = provider_priced(row.medical)
        row.unit_price = typed if (row.editable_price and typed is not None) else row.list_price
    else:
        row.unit_price = typed
    if row.medical is None and not row.code.strip() and not row.blank:
        row.errors.append(_("Enter the code of a service or item."))
    return row


def _lines_in_one_statement(rows: list[LineRow], *, facility, insuree, day):
    """What `read_lines` reads, the exact codes in one statement (PostgreSQL); a name typed
    instead of a code (rare) is looked up on its own."""
    codes = {row.code: lookups.code_of(row.code) for row in rows}
    known = facts.entry_lines(codes.values(), facility, insuree, day)
    found, prices, free = {}, {}, set()
    others = {}
    for text, code in codes.items():
        hit = known.get(code.upper()) if code else None
        if hit is not None:
            found[text] = hit.medical
            key = lookups.key_of(hit.medical)
            prices[key] = hit.price
            if hit.provider_priced:
                free.add(key)
        elif code:
            medical = lookups.medical_by_code(text)
            if medical is not None:
                found[text] = others[lookups.key_of(medical)] = medical
    if others:
        prices.update(lookups.list_prices(facility, list(others.values())))
        free |= lookups.provider_priced_keys(insuree, day, list(others.values()))
    return found, prices, free


def read_lines(data, *, facility, insuree, day) -> list[LineRow]:
    """Every typed row (blank rows dropped), resolved in a few queries whatever their number."""
    rows = [row for row in (read_row(data, n) for n in line_numbers(data)) if not row.blank]
    if facts.one_statement():
        found, prices, free = _lines_in_one_statement(
            rows, facility=facility, insuree=insuree, day=day
        )
    else:
        found = lookups.medical_by_codes(row.code for row in rows)
        medicals = list({lookups.key_of(m): m for m in found.values()}.values())
        prices = lookups.list_prices(facility, medicals)
        free = lookups.provider_priced_keys(insuree, day, medicals)
    return [
        resolve_row(
            row,
            find=found.get,
            price_of=lambda m: prices[lookups.key_of(m)],
            provider_priced=lambda m: lookups.key_of(m) in free,
        )
        for row in rows
    ]
