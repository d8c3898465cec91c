"""The demo's data files (see README.md beside them) and the password of every demo login."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent

DEMO_PASSWORD = "Kinga@2026"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file of this folder (UTF-8, one header line), as dicts of text."""
    with (DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def document(name: str) -> Any:
    """The content of a JSON file of this folder."""
    with (DIR / name).open(encoding="utf-8") as f:
        return json.load(f)


def words(cell: str) -> list[str]:
    """A cell holding several codes separated by spaces ("MFD LEK MEA")."""
    return cell.split()
