"""Locations files: openIMIS's XML upload format, the same structure in JSON, and CSV
(spec interop §4.1).  Reading turns a file into `ImportRow`s (or refuses the whole file);
writing is `services.location_import`.  Export writes the formats the import reads.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _

from kinga.core.errors import Refused

from . import rules
from .models import Location
from .services import ImportRow

FORMATS = ("xml", "json", "csv")
MAX_FILE_BYTES = 10 * 1024 * 1024

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
CSV_COLUMNS = [
    "level",
    "code",
    "name",
    "parent_code",
    "male_population",
    "female_population",
    "other_population",
    "families",
]


def format_of(filename: str) -> str | None:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext if ext in FORMATS else None


def read_rows(data: bytes, fmt: str) -> list[ImportRow]:
    """The rows of a locations file; Refused (naming the problem) if the file can't be read."""
    if fmt == "xml":
        return read_xml(data)
    if fmt == "json":
        return read_json(data)
    if fmt == "csv":
        return read_csv(data)
    raise Refused(_("Choose an XML, JSON or CSV file."), "file")


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


def read_xml(data: bytes) -> list[ImportRow]:
    root = _parse_xml(data)
    if root.tag != "Locations":
        raise Refused(_("The XML file must start with <Locations>."), "file")
    rows: list[ImportRow] = []

    def element_row(node: _Node, type_code: str) -> ImportRow:
        _plural, _tag, parent_tag, code_tag, name_tag = XML_NAMES[type_code]
        row = ImportRow(
            line=node.line,
            where=str(node.line),
            type=type_code,
            code=node.child_text(code_tag) or "",
            name=node.child_text(name_tag) or "",
            parent_code=(node.child_text(parent_tag) or "") if parent_tag else "",
        )
        if type_code == rules.VILLAGE:
            for tag, attr in VILLAGE_COUNTS.items():
                setattr(row, attr, node.child_text(tag))
        return row

    def unknown(node: _Node) -> ImportRow:
        return ImportRow(line=node.line, where=str(node.line), type=node.tag, code="", name="")

    # The upload format has plural wrappers; openIMIS's own download has the elements directly
    # under <Locations>: read both.
    for node in root.children:
        if node.tag in _TYPE_OF_WRAPPER:
            type_code = _TYPE_OF_WRAPPER[node.tag]
            for item in node.children:
                if item.tag == XML_NAMES[type_code][1]:
                    rows.append(element_row(item, type_code))
                else:
                    rows.append(unknown(item))
        elif node.tag in _TYPE_OF_ELEMENT:
            rows.append(element_row(node, _TYPE_OF_ELEMENT[node.tag]))
        else:
            rows.append(unknown(node))
    return rows


def write_xml(locations: Iterable[Location]) -> bytes:
    root = ET.Element("Locations")
    wrappers = {t: ET.SubElement(root, names[0]) for t, names in XML_NAMES.items()}
    for loc in locations:
        _plural, tag, parent_tag, code_tag, name_tag = XML_NAMES[loc.type]
        el = ET.SubElement(wrappers[loc.type], tag)
        if parent_tag:
            ET.SubElement(el, parent_tag).text = loc.parent.code if loc.parent else ""
        ET.SubElement(el, code_tag).text = loc.code
        ET.SubElement(el, name_tag).text = loc.name
        if loc.type == rules.VILLAGE:
            for xml_tag, attr in VILLAGE_COUNTS.items():
                value = getattr(loc, attr)
                ET.SubElement(el, xml_tag).text = "" if value is None else str(value)
    ET.indent(root, space="")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- JSON ---------------------------------------------------------------------------------


def read_json(data: bytes) -> list[ImportRow]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused(
            _("The file is not valid JSON: %(error)s") % {"error": str(exc)}, "file"
        ) from None
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
    rows: list[ImportRow] = []
    position = 0
    for type_code, (plural, _tag, parent_key, code_key, name_key) in XML_NAMES.items():
        items = doc.get(plural) or []
        if not isinstance(items, list):
            raise Refused(_("%(key)s must be a list.") % {"key": plural}, "file")
        for index, item in enumerate(items, start=1):
            position += 1
            where = f"{plural} #{index}"
            if not isinstance(item, dict):
                rows.append(ImportRow(line=position, where=where, type="?", code="", name=""))
                continue
            row = ImportRow(
                line=position,
                where=where,
                type=type_code,
                code=_text(item.get(code_key)),
                name=_text(item.get(name_key)),
                parent_code=_text(item.get(parent_key)) if parent_key else "",
            )
            if type_code == rules.VILLAGE:
                for key, attr in VILLAGE_COUNTS.items():
                    value = item.get(key)
                    setattr(row, attr, None if value is None else _text(value))
            rows.append(row)
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def write_json(locations: Iterable[Location]) -> bytes:
    doc: dict[str, list] = {names[0]: [] for names in XML_NAMES.values()}
    for loc in locations:
        plural, _tag, parent_key, code_key, name_key = XML_NAMES[loc.type]
        item = {}
        if parent_key:
            item[parent_key] = loc.parent.code if loc.parent else ""
        item[code_key] = loc.code
        item[name_key] = loc.name
        if loc.type == rules.VILLAGE:
            for key, attr in VILLAGE_COUNTS.items():
                item[key] = getattr(loc, attr)
        doc[plural].append(item)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


# --- CSV ----------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[ImportRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(_("The CSV file must be UTF-8 text."), "file") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Refused(_("The file is empty."), "file") from None
    except csv.Error as exc:
        raise Refused(
            _("The CSV file cannot be read: %(error)s") % {"error": exc}, "file"
        ) from None
    missing = [c for c in CSV_COLUMNS[:4] if c not in header]
    if missing:
        raise Refused(
            _("The CSV file lacks the columns: %(columns)s. Expected: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ",".join(CSV_COLUMNS)},
            "file",
        )
    index = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    rows: list[ImportRow] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue

            def cell(name: str, record=record) -> str | None:
                i = index.get(name)
                return record[i].strip() if i is not None and i < len(record) else None

            rows.append(
                ImportRow(
                    line=reader.line_num,
                    where=str(reader.line_num),
                    type=(cell("level") or "").upper(),
                    code=cell("code") or "",
                    name=cell("name") or "",
                    parent_code=cell("parent_code") or "",
                    male_population=cell("male_population"),
                    female_population=cell("female_population"),
                    other_population=cell("other_population"),
                    families=cell("families"),
                )
            )
    except csv.Error as exc:
        raise Refused(
            _("The CSV file cannot be read (line %(line)s): %(error)s")
            % {"line": reader.line_num, "error": exc},
            "file",
        ) from None
    return rows


def write_csv(locations: Iterable[Location]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for loc in locations:
        writer.writerow(
            [
                loc.type,
                loc.code,
                loc.name,
                loc.parent.code if loc.parent else "",
                *("" if getattr(loc, f) is None else getattr(loc, f) for f in CSV_COLUMNS[4:]),
            ]
        )
    return out.getvalue().encode("utf-8")


WRITERS = {"xml": write_xml, "json": write_json, "csv": write_csv}
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}


def export(locations: Iterable[Location], fmt: str) -> bytes:
    """Parents before children (the order the import needs when read by a person)."""
    ordered = sorted(locations, key=lambda loc: (rules.level_of(loc.type), loc.code))
    return WRITERS[fmt](ordered)
