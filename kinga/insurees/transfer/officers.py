"""Import and export of enrolment officers (CSV, Excel, JSON).

Columns: code, last_name, other_names, dob, phone, email, address, district_code,
village_codes (space-separated), substitute_code, works_to.  The rules are those of the pages
(services.check_*): the district is one of the importer's, the villages are villages of it, a
substitute goes with a "works to" date and is a current officer of the same district — already
recorded or in the same file — and no substitution circle is allowed.  Logins are not imported:
they are created on the officer's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import access, transfer
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import Officer
from ..services import officers as services

MAX_CHAIN = 1000


def _label(name: str) -> str:
    return str(Officer._meta.get_field(name).verbose_name)


@dataclass
class Context:
    districts: dict[str, Location] = field(default_factory=dict)
    villages: dict[str, Location] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)  # current officers by code
    existing_villages: dict[str, set[int]] = field(default_factory=dict)
    file_rows: dict[str, transfer.Row] = field(default_factory=dict)
    # code -> substitute code as it will be after the import (records overridden by the file)
    chain: dict[str, str] = field(default_factory=dict)


class OfficerKind(transfer.RegisterKind):
    key = "officers"
    label = gettext_lazy("Enrolment officers")
    model = Officer
    columns = [
        "code",
        "last_name",
        "other_names",
        "dob",
        "phone",
        "email",
        "address",
        "district_code",
        "village_codes",
        "substitute_code",
        "works_to",
    ]
    update_fields = [
        "last_name",
        "other_names",
        "dob",
        "phone",
        "email",
        "address",
        "district",
        "substitute",
        "works_to",
    ]
    upload_rights = (Right.OFFICER_ADD, Right.OFFICER_EDIT)
    download_rights = (Right.OFFICER_SEARCH,)

    # -- rights and scope
    def queryset(self, actor):
        return Officer.objects.current().filter(access.district_q(actor, "district_id"))

    def may_change(self, actor, obj) -> bool:
        return access.scope_of(actor).covers_district(obj.district_id)

    # -- rows
    def prepare(self, actor, rows: list[transfer.Row]) -> Context:
        ctx = Context()
        district_codes = {r.get("district_code") for r in rows} - {""}
        village_codes = {c for r in rows for c in r.get("village_codes").split()}
        ctx.districts = {
            d.code: d for d in Location.objects.current().filter(type="D", code__in=district_codes)
        }
        ctx.villages = {
            v.code: v
            for v in Location.objects.current()
            .filter(type="V", code__in=village_codes)
            .select_related("parent")
        }
        current = list(
            Officer.objects.current()
            .select_related("district", "substitute")
            .only(
                "pk", "code", "district_id", "district__code", "substitute_id", "substitute__code"
            )
        )
        ctx.officers = {o.code: o for o in current}
        ctx.chain = {o.code: o.substitute.code for o in current if o.substitute_id}
        file_codes = {r.get("code") for r in rows} - {""}
        through = Officer.villages.through
        for officer_code, village_id in through.objects.filter(
            officer__retired_at__isnull=True, officer__code__in=file_codes
        ).values_list("officer__code", "location_id"):
            ctx.existing_villages.setdefault(officer_code, set()).add(village_id)
        for r in rows:
            code = r.get("code")
            if code and code not in ctx.file_rows:
                ctx.file_rows[code] = r
                ctx.chain.pop(code, None)
                if r.get("substitute_code"):
                    ctx.chain[code] = r.get("substitute_code")
        return ctx

    def clean(self, actor, row: transfer.Row, ctx: Context) -> dict[str, Any]:
        code = transfer.text(
            row, "code", label=_label("code"), required=True, max_length=services.CODE_MAX_LENGTH
        )
        values: dict[str, Any] = {
            "code": code,
            "last_name": transfer.text(
                row, "last_name", label=_label("last_name"), required=True, max_length=100
            ),
            "other_names": transfer.text(
                row, "other_names", label=_label("other_names"), required=True, max_length=100
            ),
            "dob": transfer.date_value(row, "dob", label=_label("dob")),
            "phone": transfer.text(row, "phone", label=_label("phone"), max_length=50),
            "email": services.check_email(row.get("email")),
            "address": transfer.text(row, "address", label=_label("address"), max_length=100),
        }
        district = self._district(actor, row, ctx)
        values["district"] = district
        villages = self._villages(row, ctx, district)
        village_ids = {v.pk for v in villages}
        values["village_ids"] = sorted(village_ids)
        values["villages_changed"] = village_ids != ctx.existing_villages.get(code, set())
        works_to = transfer.date_value(row, "works_to", label=_label("works_to"))
        values.update(self._substitute(row, ctx, code, district, works_to))
        return values

    def _district(self, actor, row, ctx: Context) -> Location:
        raw = row.get("district_code")
        if not raw:
            raise Refused(
                _("%(field)s is missing.") % {"field": _label("district").capitalize()},
                "district_code",
            )
        district = ctx.districts.get(raw)
        if district is None:
            raise Refused(_("Unknown district %(code)s.") % {"code": raw}, "district_code")
        if not access.scope_of(actor).covers_district(district.pk):
            raise Refused(
                _("The district %(code)s is not one of yours.") % {"code": raw}, "district_code"
            )
        return district

    def _villages(self, row, ctx: Context, district: Location) -> list[Location]:
        villages = []
        for village_code in row.get("village_codes").split():
            village = ctx.villages.get(village_code)
            if village is None:
                raise Refused(
                    _("Unknown village %(code)s.") % {"code": village_code}, "village_codes"
                )
            if village.parent.parent_id != district.pk:
                raise Refused(
                    _("The village %(village)s is not in the district %(district)s.")
                    % {"village": village_code, "district": district.code},
                    "village_codes",
                )
            villages.append(village)
        return villages

    def _substitute(
        self, row, ctx: Context, code: str, district: Location, works_to: date | None
    ) -> dict[str, Any]:
        sub_code = row.get("substitute_code")
        if bool(sub_code) != bool(works_to):
            raise Refused(
                _("A substitute and a “works to” date go together: give both or neither."),
                "substitute_code" if works_to else "works_to",
            )
        if not sub_code:
            return {"substitute": None, "works_to": None, "pending_substitute": None}
        if sub_code == code:
            raise Refused(_("An officer cannot be his own substitute."), "substitute_code")
        in_file = ctx.file_rows.get(sub_code)
        recorded = ctx.officers.get(sub_code)
        if in_file is None and recorded is None:
            raise Refused(
                _("Unknown substitute %(code)s: he must be a current officer.")
                % {"code": sub_code},
                "substitute_code",
            )
        sub_district = in_file.get("district_code") if in_file else recorded.district.code
        if sub_district != district.code:
            raise Refused(
                _("The substitute %(code)s does not work in the district %(district)s.")
                % {"code": sub_code, "district": district.code},
                "substitute_code",
            )
        node, seen = sub_code, {code}
        for _hop in range(MAX_CHAIN):
            if node in seen:
                if node == code:
                    raise Refused(
                        _("The substitutes of %(code)s lead back to him (a circle).")
                        % {"code": code},
                        "substitute_code",
                    )
                break
            seen.add(node)
            node = ctx.chain.get(node)
            if node is None:
                break
        if recorded is not None:
            return {"substitute": recorded, "works_to": works_to, "pending_substitute": None}
        # A new officer of the same file: set once every row is written (after_write).
        return {"substitute": None, "works_to": None, "pending_substitute": (sub_code, works_to)}

    def relation_changed(self, obj, values: dict) -> bool:
        return bool(values.get("villages_changed") or values.get("pending_substitute"))

    def after_write(self, actor, created, updated, rows_by_key, ctx: Context) -> None:
        """Villages served and substitutes who are new in the same file; one history row with
        the actor for each officer so completed."""
        officers = {o.code: o for o in [*created, *updated]}
        pending = {
            c: v["pending_substitute"]
            for c, v in rows_by_key.items()
            if v.get("pending_substitute")
        }
        substitutes = {
            o.code: o
            for o in Officer.objects.current().filter(code__in={s for s, _w in pending.values()})
        }
        reason = _("Imported")
        for code, values in rows_by_key.items():
            officer = officers.get(code)
            if officer is None or not (values.get("villages_changed") or code in pending):
                continue
            if code in pending:
                sub_code, works_to = pending[code]
                officer.substitute, officer.works_to = substitutes[sub_code], works_to
            officer.skip_history_when_saving = True
            try:
                officer.villages.set(values["village_ids"])
            finally:
                del officer.skip_history_when_saving
            set_actor(officer, actor, reason)
            officer.save()

    def export_queryset(self, actor):
        return (
            self.queryset(actor)
            .select_related("district", "substitute")
            .prefetch_related(Prefetch("villages", queryset=Location.objects.only("pk", "code")))
            .order_by("code")
        )

    def export_row(self, obj: Officer) -> dict[str, Any]:
        return {
            "code": obj.code,
            "last_name": obj.last_name,
            "other_names": obj.other_names,
            "dob": obj.dob,
            "phone": obj.phone,
            "email": obj.email,
            "address": obj.address,
            "district_code": obj.district.code,
            "village_codes": " ".join(sorted(v.code for v in obj.villages.all())),
            "substitute_code": obj.substitute.code if obj.substitute_id else "",
            "works_to": obj.works_to,
        }


OFFICERS = OfficerKind()
