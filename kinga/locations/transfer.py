"""Locations files on the shared import and export (`kinga.core.transfer`, spec interop §4.1):
CSV and Excel in `columns`; openIMIS's XML upload format (plural wrappers, or the elements
directly under <Locations> as openIMIS's own download writes them) and the same structure in
JSON, which this kind reads and writes itself.  The checks and the writes are
`services.location_import` (parents before children, whatever the order of the file).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.core.rights import Right

from . import queries, rules, services
from .models import Location

COLUMNS = services.IMPORT_COLUMNS
REQUIRED_COLUMNS = COLUMNS[:4]  # level, code, name, parent_code

# openIMIS's element names per level: (plural wrapper, element, parent code, code, name)
XML_NAMES = {
    "R": ("Regions", "Region", None, "RegionCode", "RegionName"),
    "D": ("Districts", "District", "RegionCode", "DistrictCode", "DistrictName"),
    "W": ("Municipalities", "Municipality", "DistrictCode", "MunicipalityCode", "MunicipalityName"),
    "V": ("Villages", "Village", "MunicipalityCode", "VillageCode", "VillageName"),
}
_TYPE_OF_ELEMENT = {names[1]: t for t, names in XML_NAMES.items()}
_TYPE_OF_WRAPPER = {names[0]: t for t, names in XML_NAMES.items()}
VILLAGE_COUNTS = {
    "MalePopulation": "male_population",
    "FemalePopulation": "female_population",
    "OtherPopulation": "other_population",
    "Families": "families",
}


class LocationKind(transfer.RegisterKind):
    """One row per location: `level` (R, D, W, V), `code`, `name`, `parent_code` and, for
    villages, the populations and the number of families."""

    key = "locations"
    label = gettext_lazy("Locations")
    model = Location
    columns = COLUMNS
    update_fields = ["name", "parent", *COLUMNS[4:]]
    upload_rights = (Right.LOCATIONS_UPLOAD,)
    download_rights = (Right.LOCATIONS_DOWNLOAD,)
    has_xml = True

    def queryset(self, actor):
        return queries.visible(actor)

    def check_file(self, rows: list[transfer.Row]) -> None:
        """Refuse, as a whole, a file without locations or without the columns they need."""
        if not rows:
            raise Refused(_("The file holds no locations."), "file")
        present = set().union(*(row.data for row in rows))
        missing = [c for c in REQUIRED_COLUMNS if c not in present]
        if missing:
            raise Refused(
                _("The file lacks the columns: %(columns)s. Expected: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ",".join(COLUMNS)},
                "file",
            )

    def import_rows(self, actor, rows, *, strategy, dry_run, progress) -> transfer.ImportReport:
        self.check_file(rows)
        return services.location_import(
            actor=actor, rows=rows, strategy=strategy, dry_run=dry_run, progress=progress
        )

    def export_rows(self, actor) -> Iterable[dict[str, Any]]:
        """Parents before children (the order a person reading the file expects)."""
        locations = sorted(
            self.queryset(actor).select_related("parent"),
            key=lambda loc: (rules.level_of(loc.type), loc.code),
        )
        for loc in locations:
            yield {
                "level": loc.type,
                "code": loc.code,
                "name": loc.name,
                "parent_code": loc.parent.code if loc.parent else "",
                **{name: getattr(loc, name) for name in COLUMNS[4:]},
            }

    def read_own(self, fmt: str, data: bytes) -> list[transfer.Row] | None:
        if fmt == "xml":
            return read_xml(data)
        if fmt == "json":
            return read_json(data)
        return None

    def write_own(self, fmt: str, rows: list[dict[str, Any]]) -> bytes | None:
        if fmt == "xml":
            return write_xml(rows)
        if fmt == "json":
            return write_json(rows)
        return None


LOCATIONS = LocationKind()


def _row(where: str, type_code: str, **values: str | None) -> transfer.Row:
    """A row of an XML or JSON file, with every column (absent values empty)."""
    return transfer.Row(where, {**dict.fromkeys(COLUMNS), "level": type_code, **values})


# --- XML ----------------------------------------------------------------------------------


class _Node:
    __slots__ = ("tag", "line", "text", "children")

    def __init__(self, tag: str, line: int):
        self.tag = tag
        self.line = line
        self.text: list[str] = []
        self.children: list[_Node] = []

    def child_text(self, tag: str) -> str | None:
        for child in self.children:
            if child.tag == tag:
                return "".join(child.text).strip()
        return None


class _Forbidden(Exception):
    pass


def _parse_xml(data: bytes) -> _Node:
    """A small tree with line numbers, from expat directly so that DOCTYPE and ENTITY
    declarations (entity expansion attacks) are refused before anything is expanded."""
    parser = expat.ParserCreate()
    root: list[_Node] = []
    stack: list[_Node] = []

    def forbid(*_args):
        raise _Forbidden

    def start(tag, _attrs):
        node = _Node(tag, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def text(data):
        if stack:
            stack[-1].text.append(data)

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Forbidden:
        raise Refused(
            _("The XML file may not contain a DOCTYPE or ENTITY declaration."), "file"
        ) from None
    except expat.ExpatError as exc:
        raise Refused(
            _("The file is not valid XML (line %(line)s): %(error)s")
            % {"line": exc.lineno, "error": expat.ErrorString(exc.code)},
            "file",
        ) from None
    if not root:
        raise Refused(_("The file is empty."), "file")
    return root[0]


def read_xml(data: bytes) -> list[transfer.Row]:
    root = _parse_xml(data)
    if root.tag != "Locations":
        raise Refused(_("The XML file must start with <Locations>."), "file")
    rows: list[transfer.Row] = []

    def where(node: _Node) -> str:
        return _("line %(n)s") % {"n": node.line}

    def element_row(node: _Node, type_code: str) -> transfer.Row:
        _plural, _tag, parent_tag, code_tag, name_tag = XML_NAMES[type_code]
        counts = {}
        if type_code == rules.VILLAGE:
            counts = {attr: node.child_text(tag) for tag, attr in VILLAGE_COUNTS.items()}
        return _row(
            where(node),
            type_code,
            code=node.child_text(code_tag),
            name=node.child_text(name_tag),
            parent_code=node.child_text(parent_tag) if parent_tag else "",
            **counts,
        )

    # The upload format has plural wrappers; openIMIS's own download has the elements directly
    # under <Locations>: read both.  Anything else is a row rejected as an unknown level.
    for node in root.children:
        if node.tag in _TYPE_OF_WRAPPER:
            type_code = _TYPE_OF_WRAPPER[node.tag]
            for item in node.children:
                if item.tag == XML_NAMES[type_code][1]:
                    rows.append(element_row(item, type_code))
                else:
                    rows.append(_row(where(item), item.tag))
        elif node.tag in _TYPE_OF_ELEMENT:
            rows.append(element_row(node, _TYPE_OF_ELEMENT[node.tag]))
        else:
            rows.append(_row(where(node), node.tag))
    return rows


def write_xml(rows: Iterable[dict[str, Any]]) -> bytes:
    root = ET.Element("Locations")
    wrappers = {t: ET.SubElement(root, names[0]) for t, names in XML_NAMES.items()}
    for row in rows:
        _plural, tag, parent_tag, code_tag, name_tag = XML_NAMES[row["level"]]
        el = ET.SubElement(wrappers[row["level"]], tag)
        if parent_tag:
            ET.SubElement(el, parent_tag).text = row["parent_code"]
        ET.SubElement(el, code_tag).text = row["code"]
        ET.SubElement(el, name_tag).text = row["name"]
        if row["level"] == rules.VILLAGE:
            for xml_tag, column in VILLAGE_COUNTS.items():
                ET.SubElement(el, xml_tag).text = transfer.as_text(row[column])
    ET.indent(root, space="")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- JSON: the XML's structure, {"Regions": [{"RegionCode": …, "RegionName": …}], …} --------


def read_json(data: bytes) -> list[transfer.Row]:
    doc = transfer.load_json(data)
    if isinstance(doc, dict) and isinstance(doc.get("Locations"), dict):
        doc = doc["Locations"]
    if not isinstance(doc, dict):
        raise Refused(
            _(
                "The JSON file must be an object with the lists Regions, Districts, "
                "Municipalities and Villages."
            ),
            "file",
        )
    rows: list[transfer.Row] = []
    for type_code, (plural, _tag, parent_key, code_key, name_key) in XML_NAMES.items():
        items = doc.get(plural) or []
        if not isinstance(items, list):
            raise Refused(_("%(key)s must be a list.") % {"key": plural}, "file")
        for index, item in enumerate(items, start=1):
            where = f"{plural} #{index}"
            if not isinstance(item, dict):
                rows.append(_row(where, "?"))
                continue
            counts = {}
            if type_code == rules.VILLAGE:
                counts = {attr: _text(item.get(key)) for key, attr in VILLAGE_COUNTS.items()}
            rows.append(
                _row(
                    where,
                    type_code,
                    code=_text(item.get(code_key)),
                    name=_text(item.get(name_key)),
                    parent_code=_text(item.get(parent_key)) if parent_key else "",
                    **counts,
                )
            )
    return rows


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def write_json(rows: Iterable[dict[str, Any]]) -> bytes:
    doc: dict[str, list] = {names[0]: [] for names in XML_NAMES.values()}
    for row in rows:
        plural, _tag, parent_key, code_key, name_key = XML_NAMES[row["level"]]
        item = {}
        if parent_key:
            item[parent_key] = row["parent_code"]
        item[code_key] = row["code"]
        item[name_key] = row["name"]
        if row["level"] == rules.VILLAGE:
            for key, column in VILLAGE_COUNTS.items():
                item[key] = row[column]
        doc[plural].append(item)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
