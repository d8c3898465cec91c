"""The import framework refuses unreadable values and files with a message, never a crash."""

import io

import pytest

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.core.transfer import Row


def row(value: str) -> Row:
    return Row("line 2", {"n": value})


@pytest.mark.parametrize("raw", ["abc", "1,5", "--1", "1e"])
def test_a_number_that_is_not_one_is_refused_naming_the_column(raw):
    with pytest.raises(Refused) as refused:
        transfer.decimal_value(row(raw), "n", label="price")
    assert refused.value.field == "n" and "is not a number" in refused.value.message


@pytest.mark.parametrize("raw", ["abc", "1.5", "NaN", "Infinity", "1e999999999", "-1e40"])
def test_a_whole_number_that_is_not_one_is_refused_without_building_it(raw):
    with pytest.raises(Refused) as refused:
        transfer.integer_value(row(raw), "n", label="count", maximum=100)
    assert refused.value.field == "n" and "is not a whole number" in refused.value.message


def test_a_whole_number_in_scientific_notation_still_reads():
    assert transfer.integer_value(row("1e2"), "n", label="count", maximum=100) == 100


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused():
    class Kind(transfer.RegisterKind):
        key = "things"
        columns = ["n"]

    with pytest.raises(Refused) as refused:
        transfer.read_file(Kind(), "things.xlsx", io.BytesIO(b"PK\x03\x04 not a zip").read())
    assert "not a readable Excel" in refused.value.message
