"""The insurees app stands below the policies app: it never imports it, and calls what the
policies app registers (kinga.insurees.hooks); without it, members have no coverage to follow."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from kinga.core import transfer
from kinga.insurees import hooks
from kinga.insurees.models import Family, Relationship
from kinga.insurees.services import families as services
from kinga.insurees.transfer.families import FAMILIES

APP = Path(__file__).resolve().parents[2] / "kinga" / "insurees"


def test_no_module_of_the_insurees_app_imports_the_policies_or_products_apps():
    found = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            found += [
                f"{path.relative_to(APP)}: {n}"
                for n in names
                if n.split(".")[:2] in (["kinga", "policies"], ["kinga", "products"])
            ]
    assert found == []


def test_the_policies_app_registers_its_hooks_and_its_import_columns():
    from kinga.policies.services import coverage
    from kinga.policies.transfer.families import FAMILY_POLICIES

    assert hooks.coverage() is coverage.HOOKS
    assert FAMILY_POLICIES in hooks.family_import_extensions()
    assert "product" in FAMILIES.optional_columns and "receipt" in FAMILIES.optional_columns


@pytest.fixture
def insurees_alone(monkeypatch):
    """As if the policies app were not installed."""
    monkeypatch.setattr(hooks, "_coverage", hooks.NO_COVERAGE)
    monkeypatch.setattr(hooks, "_extensions", {})


def head(**fields):
    values = {
        "insurance_number": "800000001",
        "last_name": "Nkodo",
        "other_names": "Jean",
        "dob": date(1980, 1, 1),
        "gender": "M",
    }
    values.update(fields)
    return values


def test_without_the_policies_app_members_come_and_go_and_a_family_retires(
    insurees_alone, mfoundi_clerk, world
):
    family = services.family_create(actor=mfoundi_clerk, village=world.nlongkak, head=head())
    child = services.insuree_add(
        actor=mfoundi_clerk,
        family=family,
        **head(insurance_number="800000002", other_names="Awa", relationship=Relationship.CHILD),
    )
    values = {n: getattr(child, n) for n in services.INSUREE_FIELDS}
    values.update(status="DE", status_date=date(2026, 1, 5), status_reason="†")
    services.insuree_update(actor=mfoundi_clerk, insuree=child, **values)
    services.insuree_retire(actor=mfoundi_clerk, insuree=child)
    assert not services.family_has_policies(family)
    services.family_retire(actor=mfoundi_clerk, family=family)
    assert Family.objects.get().retired_at is not None


def test_without_the_policies_app_the_families_file_has_no_policy_columns(
    insurees_alone, mfoundi_clerk, world
):
    assert FAMILIES.optional_columns == []
    data = (
        b"head_insuree_number,insurance_number,last_name,other_names,dob,gender,village,product\n"
        b"800000001,800000001,Nkodo,Jean,1980-01-01,M,NLK,MUT\n"
    )
    rows = transfer.read_file(FAMILIES, "f.csv", data)
    report = transfer.run_import(actor=mfoundi_clerk, kind=FAMILIES, rows=rows)
    assert report.success and Family.objects.count() == 1
