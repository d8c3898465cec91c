"""Import and export of health facilities (CSV, Excel, JSON and openIMIS's XML upload format,
interop §4.1).

The XML is openIMIS's upload shape, `<HealthFacilities><HealthFacilityDetails><HealthFacility>`;
our export writes the same shape so that a file goes out and comes back in.  Price lists are
named (openIMIS does the same); an unknown name rejects the row rather than silently dropping
the list."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import access, transfer
from kinga.core.errors import Refused
from kinga.core.registers import CareType
from kinga.core.rights import Right
from kinga.locations.models import Location
from kinga.medical.models import ItemsPriceList, ServicesPriceList

from ..models import FacilityLevel, FacilityStatus, HealthFacility, LegalForm, SubLevel

# openIMIS XML element -> our column


HF_XML_FIELDS = [
    ("LegalForm", "legal_form"),
    ("Level", "level"),
    ("SubLevel", "sub_level"),
    ("Code", "code"),
    ("Name", "name"),
    ("Address", "address"),
    ("DistrictCode", "district_code"),
    ("Phone", "phone"),
    ("Fax", "fax"),
    ("Email", "email"),
    ("CareType", "care_type"),
    ("AccountCode", "acc_code"),
    ("ItemsPricelistName", "items_price_list"),
    ("ServicesPricelistName", "services_price_list"),
    # Kinga's additions, ignored by openIMIS's loader: the round trip keeps the contract.
    ("ContractStartDate", "contract_start_date"),
    ("ContractEndDate", "contract_end_date"),
    ("Status", "status"),
]


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _email(row: transfer.Row, column: str, label: str, max_length: int) -> str:
    value = transfer.text(row, column, label=label, max_length=max_length)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise Refused(
                _("%(field)s: “%(value)s” is not an e-mail address.")
                % {"field": capfirst(label), "value": value},
                column,
            ) from None
    return value


def _xml_text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


class FacilityContext:
    def __init__(self, districts: dict[str, Location], services_pl: dict, items_pl: dict):
        self.districts = districts
        self.services_pl = services_pl
        self.items_pl = items_pl


class HealthFacilityKind(transfer.RegisterKind):
    key = "health_facilities"
    label = gettext_lazy("Health facilities")
    model = HealthFacility
    columns = [
        "code",
        "name",
        "acc_code",
        "legal_form",
        "level",
        "sub_level",
        "district_code",
        "address",
        "phone",
        "fax",
        "email",
        "care_type",
        "services_price_list",
        "items_price_list",
        "contract_start_date",
        "contract_end_date",
        "status",
    ]
    update_fields = [
        "name",
        "acc_code",
        "legal_form",
        "level",
        "sub_level",
        "district",
        "address",
        "phone",
        "fax",
        "email",
        "care_type",
        "services_price_list",
        "items_price_list",
        "contract_start_date",
        "contract_end_date",
        "status",
    ]
    upload_rights = (Right.HF_UPLOAD,)
    download_rights = (Right.HF_DOWNLOAD,)
    has_xml = True

    def queryset(self, actor) -> QuerySet:
        return HealthFacility.objects.current().filter(access.district_q(actor, "district_id"))

    def export_queryset(self, actor) -> QuerySet:
        return (
            self.queryset(actor)
            .select_related("district", "services_price_list", "items_price_list")
            .order_by("code")
        )

    def may_change(self, actor, obj) -> bool:
        return access.scope_of(actor).covers_district(obj.district_id)

    def prepare(self, actor, rows: list[transfer.Row]) -> FacilityContext:
        codes = {r.get("district_code") for r in rows} - {""}
        districts = {d.code: d for d in Location.objects.current().filter(type="D", code__in=codes)}
        s_names = {r.get("services_price_list") for r in rows} - {""}
        i_names = {r.get("items_price_list") for r in rows} - {""}
        return FacilityContext(
            districts,
            {p.name: p for p in ServicesPriceList.objects.current().filter(name__in=s_names)},
            {p.name: p for p in ItemsPriceList.objects.current().filter(name__in=i_names)},
        )

    def _price_list(self, row, column, found: dict, district: Location):
        name = row.get(column)
        if not name:
            return None
        label = _label(HealthFacility, column)
        price_list = found.get(name)
        if price_list is None:
            raise Refused(
                _("%(field)s: no current price list is named “%(name)s”.")
                % {"field": capfirst(label), "name": name},
                column,
            )
        if price_list.location_id not in (None, district.pk, district.parent_id):
            raise Refused(
                _(
                    "%(field)s: “%(name)s” is a list of another region or district; choose a "
                    "national list or one of the district %(district)s or its region."
                )
                % {"field": capfirst(label), "name": name, "district": district.code},
                column,
            )
        return price_list

    def clean(self, actor, row: transfer.Row, ctx: FacilityContext) -> dict[str, Any]:
        label = lambda name: _label(HealthFacility, name)  # noqa: E731
        code = transfer.text(row, "code", label=label("code"), required=True, max_length=8)
        district_code = row.get("district_code")
        if not district_code:
            raise Refused(_("The district code is missing."), "district_code")
        district = ctx.districts.get(district_code)
        if district is None:
            raise Refused(
                _("No current district has the code %(code)s.") % {"code": district_code},
                "district_code",
            )
        if not access.scope_of(actor).covers_district(district.pk):
            raise Refused(
                _("The district %(code)s is not one of your districts.") % {"code": district_code},
                "district_code",
            )
        start = transfer.date_value(row, "contract_start_date", label=label("contract_start_date"))
        end = transfer.date_value(row, "contract_end_date", label=label("contract_end_date"))
        if (start is None) != (end is None):
            raise Refused(_("Give both contract dates, or neither."), "contract_end_date")
        if start is not None and end <= start:
            raise Refused(_("The contract must end after it starts."), "contract_end_date")
        return {
            "code": code,
            "name": transfer.text(row, "name", label=label("name"), required=True, max_length=100),
            "acc_code": transfer.text(row, "acc_code", label=label("acc_code"), max_length=25),
            "legal_form": transfer.choice_value(
                row, "legal_form", label=label("legal_form"), choices=LegalForm.choices
            ),
            "level": transfer.choice_value(
                row, "level", label=label("level"), choices=FacilityLevel.choices
            ),
            "sub_level": transfer.choice_value(
                row,
                "sub_level",
                label=label("sub_level"),
                choices=SubLevel.choices,
                required=False,
            ),
            "district": district,
            "address": transfer.text(row, "address", label=label("address"), max_length=100),
            "phone": transfer.text(row, "phone", label=label("phone"), max_length=50),
            "fax": transfer.text(row, "fax", label=label("fax"), max_length=50),
            "email": _email(row, "email", label("email"), 100),
            "care_type": transfer.choice_value(
                row, "care_type", label=label("care_type"), choices=CareType.choices
            ),
            "services_price_list": self._price_list(
                row, "services_price_list", ctx.services_pl, district
            ),
            "items_price_list": self._price_list(row, "items_price_list", ctx.items_pl, district),
            "contract_start_date": start,
            "contract_end_date": end,
            "status": transfer.choice_value(
                row,
                "status",
                label=label("status"),
                choices=FacilityStatus.choices,
                default=FacilityStatus.ACTIVE,
            ),
        }

    def export_row(self, obj: HealthFacility) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": obj.name,
            "acc_code": obj.acc_code,
            "legal_form": obj.legal_form,
            "level": obj.level,
            "sub_level": obj.sub_level,
            "district_code": obj.district.code,
            "address": obj.address,
            "phone": obj.phone,
            "fax": obj.fax,
            "email": obj.email,
            "care_type": obj.care_type,
            "services_price_list": obj.services_price_list.name
            if obj.services_price_list_id
            else "",
            "items_price_list": obj.items_price_list.name if obj.items_price_list_id else "",
            "contract_start_date": obj.contract_start_date,
            "contract_end_date": obj.contract_end_date,
            "status": obj.status,
        }

    def read_xml(self, root: ET.Element) -> list[transfer.Row]:
        if root.tag != "HealthFacilities":
            raise Refused(
                _("The XML file must start with <%(tag)s>.") % {"tag": "HealthFacilities"},
                "file",
            )
        # openIMIS's upload wraps them in <HealthFacilityDetails>; its export does not.
        elements = root.findall("HealthFacilityDetails/HealthFacility") or root.findall(
            "HealthFacility"
        )
        return [
            transfer.Row(
                _("facility %(n)s") % {"n": i},
                {column: _xml_text(element, tag) for tag, column in HF_XML_FIELDS},
            )
            for i, element in enumerate(elements, start=1)
        ]

    def write_xml(self, records: list[dict[str, Any]]) -> bytes:
        root = ET.Element("HealthFacilities")
        details = ET.SubElement(root, "HealthFacilityDetails")
        for record in records:
            element = ET.SubElement(details, "HealthFacility")
            for tag, column in HF_XML_FIELDS:
                ET.SubElement(element, tag).text = transfer.as_text(record.get(column))
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)


HEALTH_FACILITIES = HealthFacilityKind()
