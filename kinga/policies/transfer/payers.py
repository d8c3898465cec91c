"""Import and export of payers: CSV, Excel and JSON with the columns
`type, name, address, location_code, phone, fax, email` (openIMIS has no payer file format).

Payers have no code: the key is the name among current payers (the services keep it unique).
A row whose name matches a current payer updates it, else creates one; `location_code` is the
code of a region or a district, empty for a national payer, and must lie within the importer's
write scope — as on the form.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import Payer, PayerType
from ..queries import payers as queries
from ..services import payers as services


def _label(name: str) -> str:
    return str(Payer._meta.get_field(name).verbose_name)


class PayerKind(transfer.RegisterKind):
    key = "payers"
    label = gettext_lazy("Payers")
    model = Payer
    key_field = "name"
    key_column = "name"
    columns = ["type", "name", "address", "location_code", "phone", "fax", "email"]
    update_fields = ["type", "address", "location", "phone", "fax", "email"]
    upload_rights = (Right.PAYER_ADD, Right.PAYER_EDIT)
    download_rights = (Right.PAYER_SEARCH,)

    def queryset(self, actor):
        return queries.visible(actor)

    def export_queryset(self, actor):
        return self.queryset(actor).select_related("location").order_by("name", "pk")

    def may_change(self, actor, obj: Payer) -> bool:
        return queries.may_change_location(actor, obj.location)

    def prepare(self, actor, rows: list[transfer.Row]) -> dict[str, Location]:
        codes = {row.get("location_code") for row in rows} - {""}
        return {
            loc.code: loc
            for loc in Location.objects.current().filter(
                code__in=codes, type__in=services.PAYER_LOCATION_TYPES
            )
        }

    def clean(self, actor, row: transfer.Row, ctx: dict[str, Location]) -> dict[str, Any]:
        code = row.get("location_code")
        location = None
        if code:
            location = ctx.get(code)
            if location is None:
                raise Refused(
                    _("No current region or district has the code %(code)s.") % {"code": code},
                    "location_code",
                )
        services.check_location(actor, location)
        values = {
            "type": transfer.choice_value(
                row, "type", label=_label("type"), choices=PayerType.choices
            ),
            "name": " ".join(
                transfer.text(
                    row,
                    "name",
                    label=_label("name"),
                    required=True,
                    max_length=services.NAME_MAX_LENGTH,
                ).split()
            ),
            "address": transfer.text(
                row, "address", label=_label("address"), max_length=services.ADDRESS_MAX_LENGTH
            ),
            "location": location,
            "phone": transfer.text(
                row, "phone", label=_label("phone"), max_length=services.PHONE_MAX_LENGTH
            ),
            "fax": transfer.text(
                row, "fax", label=_label("fax"), max_length=services.PHONE_MAX_LENGTH
            ),
            "email": services.clean_email(row.get("email")),
        }
        return values

    def export_row(self, obj: Payer) -> dict[str, Any]:
        return {
            "type": obj.type,
            "name": obj.name,
            "address": obj.address,
            "location_code": obj.location.code if obj.location else "",
            "phone": obj.phone,
            "fax": obj.fax,
            "email": obj.email,
        }


PAYERS = PayerKind()
