"""The demo's diagnoses: the WHO ICD-10 list that Kinga ships (kinga/medical/data/icd10.csv,
see ICD10-SOURCE.md there), in one bulk insert with its history rows."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

import kinga.medical
from kinga.medical.models import Diagnosis

ICD10_CSV = Path(kinga.medical.__file__).resolve().parent / "data" / "icd10.csv"


def read_icd10(path: Path = ICD10_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@transaction.atomic
def load(actor) -> int:
    """Create the ICD-10 codes not yet current (idempotent); returns how many were created.
    One bulk insert with its history rows: ~12,000 rows in a few seconds."""
    existing = set(Diagnosis.objects.current().values_list("code", flat=True))
    new = [
        Diagnosis(code=row["code"], name=row["name_en"], name_fr=row["name_fr"])
        for row in read_icd10()
        if row["code"] not in existing
    ]
    bulk_create_with_history(
        new,
        Diagnosis,
        batch_size=1000,
        default_user=actor,
        default_change_reason="demo: ICD-10",
    )
    return len(new)
