"""Sample files the tests read, kept inside the repository (see openimis/README.md)."""

from pathlib import Path

OPENIMIS = Path(__file__).resolve().parent / "openimis"
OPENIMIS_DEMO = OPENIMIS / "demo-db-exports"
