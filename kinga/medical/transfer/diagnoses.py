"""Import and export of diagnoses: CSV, Excel and JSON with the columns `code, name, name_fr`,
and openIMIS's XML (interop §4.1): `<Diagnoses><Diagnosis><DiagnosisCode/> (≤ 6)
<DiagnosisName/> (≤ 255)</Diagnosis></Diagnoses>`, read and written alike.

openIMIS's XML has no French name: a diagnosis created from XML has none, and an update from
XML leaves the French name as it was.  Importing this module registers the kind.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.core.rights import Right

from ..models import Diagnosis
from ..queries.diagnoses import CODE_MAX_LENGTH, NAME_MAX_LENGTH
from .catalogue import write_elements, xml_text

XML_ONLY = "_xml"  # marks rows read from openIMIS's XML (no French column)


class DiagnosisKind(transfer.RegisterKind):
    key = "diagnoses"
    label = gettext_lazy("Diagnoses (ICD-10)")
    model = Diagnosis
    columns = ["code", "name", "name_fr"]
    update_fields = ["name", "name_fr"]
    upload_rights = (Right.DIAGNOSES_UPLOAD,)
    download_rights = (Right.DIAGNOSES_DOWNLOAD,)
    has_xml = True

    def clean(self, actor, row: transfer.Row, ctx) -> dict[str, Any]:
        label = lambda name: str(Diagnosis._meta.get_field(name).verbose_name)  # noqa: E731
        values = {
            "code": transfer.text(
                row, "code", label=label("code"), required=True, max_length=CODE_MAX_LENGTH
            ),
            "name": " ".join(
                transfer.text(
                    row, "name", label=label("name"), required=True, max_length=NAME_MAX_LENGTH
                ).split()
            ),
        }
        if XML_ONLY not in row.data:
            values["name_fr"] = " ".join(
                transfer.text(
                    row, "name_fr", label=label("name_fr"), max_length=NAME_MAX_LENGTH
                ).split()
            )
        return values

    def export_row(self, obj: Diagnosis) -> dict[str, Any]:
        return {"code": obj.code, "name": obj.name, "name_fr": obj.name_fr}

    def read_xml(self, root: ET.Element) -> list[transfer.Row]:
        if root.tag != "Diagnoses":
            raise Refused(
                _("The XML file must start with <%(tag)s>.") % {"tag": "Diagnoses"}, "file"
            )
        return [
            transfer.Row(
                _("diagnosis %(n)s") % {"n": i},
                {
                    "code": xml_text(element, "DiagnosisCode"),
                    "name": xml_text(element, "DiagnosisName"),
                    XML_ONLY: "1",
                },
            )
            for i, element in enumerate(root.findall("Diagnosis"), start=1)
        ]

    def write_xml(self, records: list[dict[str, Any]]) -> bytes:
        return write_elements(
            "Diagnoses",
            "Diagnosis",
            [[("DiagnosisCode", r["code"]), ("DiagnosisName", r["name"])] for r in records],
        )


DIAGNOSES = DiagnosisKind()
