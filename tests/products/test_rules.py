"""The pure product rules (no database)."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kinga.products import rules

from .conftest import values


def fields_of(errors):
    return [f for f, _ in errors]


def test_a_valid_product_has_no_error():
    assert rules.product_errors(values()) == []


def test_code_name_and_dates_are_required():
    errors = rules.product_errors(values(code="", name=" ", date_from=None, date_to=None))
    assert set(fields_of(errors)) >= {"code", "name", "date_from", "date_to"}


def test_a_code_has_at_most_16_characters():
    assert rules.product_errors(values(code="A" * 16)) == []
    assert fields_of(rules.product_errors(values(code="A" * 17))) == ["code"]


def test_a_sale_window_that_ends_before_it_starts_is_refused():
    errors = rules.product_errors(values(date_from=date(2026, 2, 1), date_to=date(2026, 1, 31)))
    assert errors == [("date_to", "The sale window ends before it starts.")]


def test_the_insurance_period_is_at_least_one_month():
    assert fields_of(rules.product_errors(values(insurance_period=0))) == ["insurance_period"]


def test_general_and_split_ceilings_are_refused_together():
    errors = rules.product_errors(values(ceiling=Decimal(500000), ceiling_ip=Decimal(100)))
    assert fields_of(errors) == ["ceiling"]
    assert "not both" in errors[0][1]
    assert rules.product_errors(values(ceiling_ip=Decimal(400), ceiling_op=Decimal(100))) == []
    assert rules.product_errors(values(deductible=Decimal(1), ceiling=Decimal(10))) == []


def test_general_and_split_extra_member_ceilings_are_refused_together():
    errors = rules.product_errors(
        values(
            ceiling_type="P",
            extra_member_ceiling=Decimal(10),
            ceiling_cap_ip=Decimal(100),
        )
    )
    assert fields_of(errors) == ["extra_member_ceiling"]


def test_extra_member_ceilings_need_ceilings_per_policy():
    errors = rules.product_errors(values(ceiling_type="I", extra_member_ceiling=Decimal(10)))
    assert fields_of(errors) == ["extra_member_ceiling"]


def test_a_deductible_above_the_ceiling_is_refused():
    errors = rules.product_errors(values(deductible_ip=Decimal(10), ceiling_ip=Decimal(5)))
    assert fields_of(errors) == ["deductible_ip"]


def test_negative_amounts_and_percentages_over_100_are_refused():
    errors = rules.product_errors(
        values(
            premium_adult=Decimal(-1), renewal_discount_perc=Decimal(101), renewal_discount_period=1
        )
    )
    assert set(fields_of(errors)) == {"premium_adult", "renewal_discount_perc"}


def test_an_enrolment_discount_needs_start_cycles_and_a_period():
    errors = rules.product_errors(values(enrolment_discount_perc=Decimal(10)))
    assert set(fields_of(errors)) == {"enrolment_discount_period", "enrolment_discount_perc"}
    ok = values(
        enrolment_discount_perc=Decimal(10), enrolment_discount_period=1, start_cycle_1="01-01"
    )
    assert rules.product_errors(ok) == []


def test_a_lump_sum_needs_a_threshold_not_above_the_maximum_members():
    assert fields_of(rules.product_errors(values(lump_sum=Decimal(1000)))) == ["threshold"]
    errors = rules.product_errors(values(lump_sum=Decimal(1000), threshold=7, max_members=6))
    assert fields_of(errors) == ["threshold"]


def test_malformed_cycle_dates_are_refused_by_field():
    errors = rules.product_errors(
        values(
            start_cycle_1="1-7", start_cycle_2="30-02", start_cycle_3="31-04", start_cycle_4="01-13"
        )
    )
    assert fields_of(errors) == list(rules.CYCLE_FIELDS)
    assert "DD-MM" in errors[0][1]


def test_29_february_is_a_valid_cycle_but_a_repeated_cycle_is_not():
    assert rules.parse_cycle("29-02") == (29, 2)
    errors = rules.product_errors(values(start_cycle_1="01-07", start_cycle_2="01-07"))
    assert fields_of(errors) == ["start_cycle_2"]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)))
def test_every_day_of_a_leap_year_parses_as_a_cycle(day):
    assert rules.parse_cycle(day.strftime("%d-%m")) == (day.day, day.month)


@given(st.integers(0, 99), st.integers(0, 99))
def test_a_cycle_parses_only_when_it_is_a_real_day(d, m):
    text = f"{d:02d}-{m:02d}"
    try:
        date(2000, m, d)
        real = True
    except ValueError:
        real = False
    try:
        rules.parse_cycle(text)
        parsed = True
    except ValueError:
        parsed = False
    assert parsed == real


@given(st.text(max_size=8))
def test_arbitrary_text_never_crashes_the_cycle_check(text):
    errors = rules.cycle_errors({"start_cycle_1": text})
    assert all(f == "start_cycle_1" for f, _ in errors)


def test_weights_must_sum_to_100_or_all_be_zero():
    assert rules.weights_error({}) == ""
    assert rules.weights_error({"weight_population": 60, "weight_number_visits": 40}) == ""
    assert "add up to 100" in rules.weights_error({"weight_population": 60})
    errors = rules.product_errors(values(weight_population=Decimal(50)))
    assert fields_of(errors) == ["weight_population"]


def test_zero_weights_give_the_insured_population_100():
    w = rules.normalise_weights({})
    assert w["weight_insured_population"] == 100
    assert sum(w.values()) == 100


@given(st.lists(st.integers(0, 100), min_size=6, max_size=6))
def test_weights_are_accepted_exactly_when_they_sum_to_0_or_100(ws):
    weights = dict(zip(rules.WEIGHT_FIELDS, ws, strict=True))
    assert (rules.weights_error(weights) == "") == (sum(ws) in (0, 100))


def test_relative_distribution_shares_must_match_the_period_and_sum_to_100():
    ok = values(period_rel_prices="Q", distribution={"B": [25, 25, 25, 25]})
    assert rules.product_errors(ok) == []
    wrong_count = values(period_rel_prices="Q", distribution={"B": [50, 50]})
    assert fields_of(rules.product_errors(wrong_count)) == ["period_rel_prices"]
    wrong_sum = values(period_rel_prices_ip="Y", distribution={"I": [90]})
    errors = rules.product_errors(wrong_sum)
    assert fields_of(errors) == ["period_rel_prices_ip"]
    assert "add up to 100" in errors[0][1]


def test_general_and_split_relative_pricing_are_refused_together():
    v = values(
        period_rel_prices="Y",
        period_rel_prices_ip="Y",
        distribution={"B": [100], "I": [100]},
    )
    assert fields_of(rules.product_errors(v)) == ["period_rel_prices"]


@given(st.lists(st.integers(0, 100), min_size=12, max_size=12))
def test_monthly_shares_are_accepted_exactly_when_they_sum_to_100(shares):
    errors = rules.distribution_errors({"period_rel_prices": "M", "distribution": {"B": shares}})
    assert (errors == []) == (sum(shares) == 100)


def test_a_sublevel_needs_its_level():
    assert fields_of(rules.product_errors(values(sublevel_2="R"))) == ["level_2"]


def test_a_co_insurance_over_100_is_refused_but_a_fixed_amount_is_not():
    from kinga.products.services.products import coverage_values

    assert rules.coverage_errors(coverage_values(limit_adult=80)) == []
    errors = rules.coverage_errors(coverage_values(limit_adult=120))
    assert fields_of(errors) == ["limit_adult", "limit_adult_r", "limit_adult_e"]
    assert "100 %" in errors[0][1]
    assert rules.coverage_errors(coverage_values(limitation_type="F", limit_adult=5000)) == []
    assert fields_of(rules.coverage_errors(coverage_values(limit_child=-1)))[0] == "limit_child"


@given(
    st.sampled_from(["C", "F"]),
    st.decimals(min_value=-10, max_value=10000, places=2, allow_nan=False),
)
def test_coverage_limits_follow_their_type(kind, limit):
    from kinga.products.services.products import coverage_values

    errors = rules.coverage_errors(coverage_values(limitation_type=kind, limit_adult=limit))
    valid = limit >= 0 and (kind == "F" or limit <= 100)
    assert (errors == []) == valid


def test_a_product_cannot_convert_to_itself_or_into_a_cycle():
    assert rules.conversion_chain_error("A", None, {}) == ""
    assert rules.conversion_chain_error("A", "B", {"B": "C"}) == ""
    assert "own conversion" in rules.conversion_chain_error("A", "A", {})
    message = rules.conversion_chain_error("A", "B", {"B": "C", "C": "A"})
    assert "cycle" in message and "A → B → C → A" in message


@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.sampled_from("ABCDEFG"), max_size=7))
def test_the_chain_check_terminates_and_finds_every_cycle(mapping):
    mapping = {k: v for k, v in mapping.items() if k != "A"}
    error = rules.conversion_chain_error("A", "B", mapping)
    # follow the chain by hand
    seen, node, cyclic = {"A"}, "B", False
    while node:
        if node in seen:
            cyclic = True
            break
        seen.add(node)
        node = mapping.get(node)
    assert bool(error) == cyclic


def test_summary_of_a_free_programme_product():
    text = rules.summary(values(), 12, 40, "en")
    assert text.startswith(
        "Covers one year from the start date; free; 12 services and 40 items; no ceiling"
    )


def test_summary_of_a_contributory_product():
    v = values(
        insurance_period=6,
        administration_period=1,
        start_cycle_1="01-01",
        start_cycle_2="01-07",
        lump_sum=Decimal(10000),
        threshold=4,
        premium_adult=Decimal(3000),
        premium_child=Decimal(1500),
        registration_fee=Decimal(500),
        ceiling_ip=Decimal(400000),
        ceiling_op=Decimal(100000),
        deductible_op=Decimal(1000),
    )
    text = rules.summary(v, 1, 1, "en")
    assert text.startswith("Covers 6 months from the start of a cycle (01-01, 01-07)")
    assert "starting one month after enrolment" in text
    assert "10\u00a0000\u00a0FCFA for up to 4 members, then 3\u00a0000\u00a0FCFA per adult" in text
    assert "1 service and 1 item" in text
    assert (
        "ceiling in-patient 400\u00a0000\u00a0FCFA, out-patient 100\u00a0000\u00a0FCFA per insuree"
        in text
    )
    assert "deductible out-patient 1\u00a0000\u00a0FCFA per insuree" in text


def test_summary_in_french():
    text = rules.summary(values(insurance_period=24), 3, 0, "fr")
    assert text.startswith(
        "Couvre 2 ans à partir de la date de début; gratuit; 3 soins et 0 produit médical; sans plafond"
    )


@given(
    st.integers(1, 60),
    st.integers(0, 500),
    st.integers(0, 500),
    st.sampled_from(["en", "fr"]),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2)),
)
def test_the_summary_always_names_the_coverage_counts(months, n_s, n_i, lang, ceiling):
    text = rules.summary(values(insurance_period=months, ceiling=ceiling), n_s, n_i, lang)
    assert f"{n_s} " in text and f"{n_i} " in text
    assert text[0].isupper()
