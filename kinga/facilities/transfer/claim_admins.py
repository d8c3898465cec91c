"""Import and export of claim administrators (CSV, Excel, JSON)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import access, transfer
from kinga.core.errors import Refused
from kinga.core.rights import Right

from ..models import ClaimAdmin, HealthFacility
from .facilities import _email, _label

# openIMIS XML element -> our column


class ClaimAdminContext:
    def __init__(self, facilities: dict[str, HealthFacility], with_login: dict[str, ClaimAdmin]):
        self.facilities = facilities
        self.with_login = with_login


class ClaimAdminKind(transfer.RegisterKind):
    """Claim administrators without their logins: a login is created on his page."""

    key = "claim_admins"
    label = gettext_lazy("Claim administrators")
    model = ClaimAdmin
    columns = ["code", "last_name", "other_names", "dob", "phone", "email", "health_facility_code"]
    update_fields = ["last_name", "other_names", "dob", "phone", "email", "health_facility"]
    upload_rights = (Right.CLAIM_ADMIN_ADD, Right.CLAIM_ADMIN_EDIT)
    download_rights = (Right.CLAIM_ADMIN_SEARCH,)

    def queryset(self, actor) -> QuerySet:
        return ClaimAdmin.objects.current().filter(
            access.district_q(actor, "health_facility__district_id")
        )

    def export_queryset(self, actor) -> QuerySet:
        return self.queryset(actor).select_related("health_facility").order_by("code")

    def may_change(self, actor, obj) -> bool:
        return access.has_right(actor, Right.CLAIM_ADMIN_EDIT)

    def prepare(self, actor, rows: list[transfer.Row]) -> ClaimAdminContext:
        hf_codes = {r.get("health_facility_code") for r in rows} - {""}
        codes = {r.get("code") for r in rows} - {""}
        return ClaimAdminContext(
            {
                hf.code: hf
                for hf in HealthFacility.objects.current().filter(
                    access.district_q(actor, "district_id"), code__in=hf_codes
                )
            },
            {
                ca.code: ca
                for ca in ClaimAdmin.objects.current().filter(code__in=codes, user__isnull=False)
            },
        )

    def clean(self, actor, row: transfer.Row, ctx: ClaimAdminContext) -> dict[str, Any]:
        label = lambda name: _label(ClaimAdmin, name)  # noqa: E731
        hf_code = row.get("health_facility_code")
        if not hf_code:
            raise Refused(_("The health facility code is missing."), "health_facility_code")
        facility = ctx.facilities.get(hf_code)
        if facility is None:
            raise Refused(
                _("No current health facility of your districts has the code %(code)s.")
                % {"code": hf_code},
                "health_facility_code",
            )
        values = {
            "code": transfer.text(row, "code", label=label("code"), required=True, max_length=8),
            "last_name": transfer.text(
                row, "last_name", label=label("last_name"), required=True, max_length=100
            ),
            "other_names": transfer.text(
                row, "other_names", label=label("other_names"), required=True, max_length=100
            ),
            "dob": transfer.date_value(row, "dob", label=label("dob")),
            "phone": transfer.text(row, "phone", label=label("phone"), max_length=50),
            "email": _email(row, "email", label("email"), 200),
            "health_facility": facility,
        }
        current = ctx.with_login.get(values["code"])
        if current is not None and any(
            getattr(current, k) != v for k, v in values.items() if k != "code"
        ):
            raise Refused(
                _("%(code)s has a login: change him on his page, so that his login follows.")
                % {"code": values["code"]}
            )
        return values

    def export_row(self, obj: ClaimAdmin) -> dict[str, Any]:
        return {
            "code": obj.code,
            "last_name": obj.last_name,
            "other_names": obj.other_names,
            "dob": obj.dob,
            "phone": obj.phone,
            "email": obj.email,
            "health_facility_code": obj.health_facility.code,
        }


CLAIM_ADMINS = ClaimAdminKind()
