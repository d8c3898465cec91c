"""The pure rules of insurees: insurance-number checks and generator, age and adulthood."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinga.insurees.rules import (
    NumberScheme,
    age_at,
    is_adult,
    luhn_digit,
    make_number,
    number_problem,
)

MOD7 = NumberScheme(length=9, check="modulo7")
LUHN = NumberScheme(check="luhn")


def test_the_legacy_chf_number_passes_when_its_last_digit_is_the_base_modulo_7():
    # 12345678 mod 7 = 2
    assert number_problem("123456782", MOD7) is None
    assert "division of the other digits by 7" in number_problem("123456784", MOD7)


def test_a_number_of_zeros_only_is_refused_under_modulo_7():
    assert "zeros" in number_problem("000000000", MOD7)


def test_the_length_is_exact_when_the_scheme_sets_one():
    message = number_problem("12345674", MOD7)
    assert "exactly 9 characters" in message and "it has 8" in message


def test_digits_only_with_a_check_digit_and_no_spaces_anywhere():
    assert "digits only" in number_problem("12345678A", MOD7)
    assert "spaces" in number_problem("1234 5678", NumberScheme())
    assert "Enter the insurance number" in number_problem("", NumberScheme())


def test_without_a_check_any_number_up_to_50_characters_is_accepted():
    assert number_problem("CM-YDE-0001", NumberScheme()) is None
    assert "at most 50" in number_problem("X" * 51, NumberScheme())


def test_luhn_accepts_the_textbook_example_and_refuses_a_typo():
    assert luhn_digit("7992739871") == 3
    assert number_problem("79927398713", LUHN) is None
    assert "Luhn" in number_problem("79927398710", LUHN)
    assert "Luhn" in number_problem("79927398731", LUHN)  # two digits swapped


def test_an_unknown_check_or_an_absurd_length_is_a_configuration_error():
    with pytest.raises(ValueError):
        NumberScheme(check="modulo11")
    with pytest.raises(ValueError):
        NumberScheme(length=60)


@given(
    serial=st.integers(min_value=1, max_value=99_999_999),
    check=st.sampled_from([None, "modulo7", "luhn"]),
    length=st.sampled_from([None, 9, 12]),
)
def test_generated_numbers_always_pass_their_own_scheme(serial, check, length):
    scheme = NumberScheme(length=length, check=check)
    number = make_number(serial, scheme)
    assert number_problem(number, scheme) is None
    if length:
        assert len(number) == length


@given(serial=st.integers(min_value=1, max_value=10**12), position=st.integers(0, 11))
def test_luhn_catches_every_single_digit_typo(serial, position):
    number = make_number(serial, LUHN)
    position %= len(number)
    typo = str((int(number[position]) + 1) % 10)
    wrong = number[:position] + typo + number[position + 1 :]
    assert number_problem(wrong, LUHN) is not None


@given(a=st.integers(1, 10**6), b=st.integers(1, 10**6))
def test_different_serials_give_different_numbers(a, b):
    if a != b:
        assert make_number(a, MOD7) != make_number(b, MOD7)


def test_the_generator_stops_when_the_length_is_exhausted():
    with pytest.raises(ValueError):
        make_number(10**8, MOD7)
    assert make_number(1, MOD7) == "000000011"


def test_age_is_counted_on_the_birthday():
    dob = date(2008, 5, 10)
    assert age_at(dob, date(2026, 5, 9)) == 17
    assert age_at(dob, date(2026, 5, 10)) == 18
    assert not is_adult(dob, date(2026, 5, 9))
    assert is_adult(dob, date(2026, 5, 10))


def test_someone_born_on_29_february_ages_on_1_march_in_common_years():
    dob = date(2004, 2, 29)
    assert age_at(dob, date(2022, 2, 28)) == 17
    assert age_at(dob, date(2022, 3, 1)) == 18
    assert age_at(dob, date(2024, 2, 29)) == 20


def test_the_age_of_majority_is_a_parameter():
    assert is_adult(date(2005, 1, 1), date(2026, 1, 1), majority=21)
    assert not is_adult(date(2005, 1, 2), date(2026, 1, 1), majority=21)


@given(
    dob=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)),
    days=st.integers(0, 40000),
)
def test_age_never_decreases_and_never_exceeds_the_calendar_difference(dob, days):
    on = dob + timedelta(days=days)
    later = on + timedelta(days=1)
    assert 0 <= age_at(dob, on) <= age_at(dob, later)
    assert age_at(dob, on) <= on.year - dob.year
