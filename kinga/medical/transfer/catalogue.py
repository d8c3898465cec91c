"""Import and export of medical items and services: CSV, Excel, JSON, and openIMIS's XML upload
format (interop §4.1: `<Items><Item><ItemCode/>…`, `<Services><Service>…`)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import bounds, transfer
from kinga.core.errors import Refused
from kinga.core.registers import ALL_PATIENTS, CareType, PatientCategory
from kinga.core.rights import Right

from ..models import (
    Item,
    ItemType,
    Service,
    ServiceCategory,
    ServiceLevel,
    ServiceType,
)
from ..services import catalogue as catalogue_services

# The four 0/1 flags of openIMIS's XML, and the bit each stands for.
XML_CATEGORY_FLAGS = [
    ("MaleCategory", PatientCategory.MALE),
    ("FemaleCategory", PatientCategory.FEMALE),
    ("AdultCategory", PatientCategory.ADULT),
    ("MinorCategory", PatientCategory.CHILD),
]
# The patient categories as letters in CSV/XLSX/JSON: M man, F woman, A adult, C child.
CATEGORY_LETTERS = [
    ("M", PatientCategory.MALE),
    ("F", PatientCategory.FEMALE),
    ("A", PatientCategory.ADULT),
    ("C", PatientCategory.CHILD),
]


def categories_to_letters(mask: int) -> str:
    return "".join(letter for letter, bit in CATEGORY_LETTERS if mask & bit)


def letters_to_categories(row: transfer.Row, column: str, label: str) -> int:
    raw = row.get(column).upper().replace(" ", "")
    if not raw:
        return ALL_PATIENTS
    if raw.isascii() and raw.isdigit() and len(raw) <= 2:
        value = int(raw)
        if 0 <= value <= ALL_PATIENTS:
            return value
    mask = 0
    for char in raw:
        bit = dict(CATEGORY_LETTERS).get(char)
        if bit is None:
            raise Refused(
                _("%(field)s: use the letters M (man), F (woman), A (adult), C (child).")
                % {"field": label},
                column,
            )
        mask |= bit
    return mask


def xml_text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def xml_flags_to_mask(element: ET.Element, prefix: str) -> str:
    """openIMIS's four 0/1 flags as our mask (kept as text for `clean`)."""
    flags = [xml_text(element, prefix + name) for name, _bit in XML_CATEGORY_FLAGS]
    if not any(flags):
        return ""
    mask = 0
    for value, (_name, bit) in zip(flags, XML_CATEGORY_FLAGS, strict=True):
        if value not in ("0", "1", ""):
            raise Refused(_("A patient category flag must be 0 or 1."))
        if value == "1":
            mask |= bit
    return str(mask)


def write_elements(root_tag: str, item_tag: str, records: list[list[tuple[str, str]]]) -> bytes:
    root = ET.Element(root_tag)
    for fields in records:
        element = ET.SubElement(root, item_tag)
        for tag, value in fields:
            ET.SubElement(element, tag).text = value
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class MedicalKind(transfer.RegisterKind):
    """What items and services share: code, name, price, care type, frequency, categories."""

    has_xml = True
    xml_prefix = ""  # "Item" / "Service"

    def clean_common(self, row: transfer.Row) -> dict[str, Any]:
        model = self.model
        label = lambda name: str(model._meta.get_field(name).verbose_name)  # noqa: E731
        return {
            "code": transfer.text(row, "code", label=label("code"), required=True, max_length=6),
            "name": transfer.text(row, "name", label=label("name"), required=True, max_length=100),
            "price": transfer.decimal_value(row, "price", label=label("price"), required=True),
            "care_type": transfer.choice_value(
                row, "care_type", label=label("care_type"), choices=CareType.choices
            ),
            "frequency": transfer.integer_value(
                row, "frequency", label=label("frequency"), default=0, maximum=bounds.DAYS_MAX
            ),
            "patient_category": letters_to_categories(
                row, "patient_category", label("patient_category")
            ),
            "maximum_amount": transfer.decimal_value(
                row, "maximum_amount", label=label("maximum_amount")
            ),
        }

    def export_common(self, obj) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": obj.name,
            "price": obj.price,
            "care_type": obj.care_type,
            "frequency": obj.frequency,
            "patient_category": categories_to_letters(obj.patient_category),
            "maximum_amount": obj.maximum_amount,
        }

    def xml_common(self, element: ET.Element) -> dict[str, str]:
        p = self.xml_prefix
        return {
            "code": xml_text(element, f"{p}Code"),
            "name": xml_text(element, f"{p}Name"),
            "type": xml_text(element, f"{p}Type"),
            "price": xml_text(element, f"{p}Price"),
            "care_type": xml_text(element, f"{p}CareType"),
            "frequency": xml_text(element, f"{p}Frequency"),
            "patient_category": xml_flags_to_mask(element, p),
        }

    def xml_common_out(self, record: dict[str, Any]) -> list[tuple[str, str]]:
        p = self.xml_prefix
        mask = letters_to_categories(transfer.Row("", {"c": record["patient_category"]}), "c", "")
        return [
            (f"{p}Code", record["code"]),
            (f"{p}Name", record["name"]),
            (f"{p}Type", record["type"]),
            (f"{p}Price", transfer.as_text(record["price"])),
            (f"{p}CareType", record["care_type"]),
            *[(f"{p}{name}", "1" if mask & bit else "0") for name, bit in XML_CATEGORY_FLAGS],
        ]


class ItemKind(MedicalKind):
    key = "items"
    label = gettext_lazy("Medical items")
    model = Item
    xml_prefix = "Item"
    columns = list(catalogue_services.ITEM_FIELDS)
    update_fields = [c for c in columns if c != "code"]
    upload_rights = (Right.ITEM_ADD, Right.ITEM_EDIT)
    download_rights = (Right.ITEM_SEARCH,)

    def clean(self, actor, row, ctx) -> dict[str, Any]:
        values = self.clean_common(row)
        values["type"] = transfer.choice_value(
            row,
            "type",
            label=str(Item._meta.get_field("type").verbose_name),
            choices=ItemType.choices,
        )
        values["package"] = transfer.text(
            row, "package", label=str(Item._meta.get_field("package").verbose_name), max_length=255
        )
        values["quantity"] = transfer.decimal_value(
            row, "quantity", label=str(Item._meta.get_field("quantity").verbose_name)
        )
        return values

    def export_row(self, obj: Item) -> dict[str, Any]:
        return {
            **self.export_common(obj),
            "type": obj.type,
            "package": obj.package,
            "quantity": obj.quantity,
        }

    def read_xml(self, root: ET.Element) -> list[transfer.Row]:
        if root.tag != "Items":
            raise Refused(_("The XML file must start with <%(tag)s>.") % {"tag": "Items"}, "file")
        rows = []
        for i, element in enumerate(root.findall("Item"), start=1):
            data = self.xml_common(element)
            data["package"] = xml_text(element, "ItemPackage")
            data["quantity"] = xml_text(element, "ItemQuantity")
            rows.append(transfer.Row(_("item %(n)s") % {"n": i}, data))
        return rows

    def write_xml(self, records: list[dict[str, Any]]) -> bytes:
        return write_elements(
            "Items",
            "Item",
            [
                [
                    *self.xml_common_out(r),
                    ("ItemPackage", r["package"] or ""),
                    ("ItemQuantity", transfer.as_text(r["quantity"])),
                    ("ItemFrequency", transfer.as_text(r["frequency"])),
                ]
                for r in records
            ],
        )


ITEMS = ItemKind()


class ServiceKind(MedicalKind):
    key = "services"
    label = gettext_lazy("Medical services")
    model = Service
    xml_prefix = "Service"
    columns = list(catalogue_services.SERVICE_FIELDS)
    update_fields = [c for c in columns if c != "code"]
    upload_rights = (Right.SERVICE_ADD, Right.SERVICE_EDIT)
    download_rights = (Right.SERVICE_SEARCH,)

    def clean(self, actor, row, ctx) -> dict[str, Any]:
        label = lambda name: str(Service._meta.get_field(name).verbose_name)  # noqa: E731
        values = self.clean_common(row)
        values["type"] = transfer.choice_value(
            row, "type", label=label("type"), choices=ServiceType.choices
        )
        values["level"] = transfer.choice_value(
            row, "level", label=label("level"), choices=ServiceLevel.choices
        )
        values["category"] = transfer.choice_value(
            row,
            "category",
            label=label("category"),
            choices=ServiceCategory.choices,
            required=False,
        )
        return values

    def export_row(self, obj: Service) -> dict[str, Any]:
        return {
            **self.export_common(obj),
            "type": obj.type,
            "level": obj.level,
            "category": obj.category,
        }

    def read_xml(self, root: ET.Element) -> list[transfer.Row]:
        if root.tag != "Services":
            raise Refused(
                _("The XML file must start with <%(tag)s>.") % {"tag": "Services"}, "file"
            )
        rows = []
        for i, element in enumerate(root.findall("Service"), start=1):
            data = self.xml_common(element)
            data["level"] = xml_text(element, "ServiceLevel")
            data["category"] = xml_text(element, "ServiceCategory")
            rows.append(transfer.Row(_("service %(n)s") % {"n": i}, data))
        return rows

    def write_xml(self, records: list[dict[str, Any]]) -> bytes:
        out = []
        for r in records:
            common = self.xml_common_out(r)
            # openIMIS's order: code, name, type, level, price, care type, flags, category,
            # frequency (format_services).
            common.insert(3, ("ServiceLevel", r["level"]))
            out.append(
                [
                    *common,
                    ("ServiceCategory", r["category"] or ""),
                    ("ServiceFrequency", transfer.as_text(r["frequency"])),
                ]
            )
        return write_elements("Services", "Service", out)


SERVICES = ServiceKind()
