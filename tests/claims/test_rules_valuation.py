"""The pure valuation (kinga.claims.rules.valuation): the spec's worked examples A–E, each named
step, and hypothesis invariants over random sequences of claims.  No database."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kinga.claims.codes import ClaimStatus, LineKind, Rejection
from kinga.claims.rules import valuation as v

D = Decimal
DAY = date(2026, 3, 10)
ADULT = date(1980, 1, 1)
CHILD = date(2020, 1, 1)
ITEM, SERVICE = LineKind.ITEM, LineKind.SERVICE


def cover(terms=None, *, policy=1, product=1, expiry=date(2026, 12, 31), members=1, **kw):
    return v.Cover(policy, product, expiry, terms or v.Terms(), members=members, **kw)


def claim(lines, covers, **kw):
    kw.setdefault("dob", ADULT)
    return v.ClaimFacts(
        ref=kw.pop("ref", 1),
        insuree_ref=kw.pop("insuree", 1),
        target=DAY,
        lines=tuple(lines),
        covers=tuple(covers),
        **kw,
    )


def parts(line: v.LineValue) -> Decimal:
    return (
        line.fixed_limit_excess
        + line.deductible
        + line.coinsurance
        + line.exceed_category
        + line.exceed_ceiling
        + line.valuated
    )


# --- worked example A: the product line -----------------------------------------------------


def _options(c_limit, f_limit):
    c = v.Option(cover(policy=1), v.Coverage(), v.CO_INSURANCE, D(c_limit))
    f = v.Option(cover(policy=2), v.Coverage(limitation_type="F"), v.FIXED, D(f_limit))
    return c, f


def test_example_a_coinsurance_leaves_the_smaller_part():
    c, f = _options(80, 700)
    assert v.choose_option([c, f], D(1000)) is c  # own part C 200 ≤ F 300


def test_example_a_fixed_leaves_the_smaller_part():
    c, f = _options(80, 900)
    assert v.choose_option([c, f], D(1000)) is f  # own part F 100 < C 200


def test_example_a_fixed_zero_is_unlimited():
    c, f = _options(80, 0)
    assert v.choose_option([c, f], D(1000)) is f


def test_example_a_fixed_above_the_price_wins_and_full_coinsurance_wins():
    c, f = _options(80, 1200)
    assert v.choose_option([c, f], D(1000)) is f
    c, f = _options(100, 900)
    assert v.choose_option([c, f], D(1000)) is c


def test_choice_between_policies_is_the_highest_limit_then_earliest_expiry():
    late = v.Option(cover(policy=1, expiry=date(2027, 1, 1)), v.Coverage(), "C", D(80))
    early = v.Option(cover(policy=2, expiry=date(2026, 6, 1)), v.Coverage(), "C", D(80))
    better = v.Option(cover(policy=3, expiry=date(2027, 6, 1)), v.Coverage(), "C", D(90))
    assert v.choose_option([late, early], D(100)) is early
    assert v.choose_option([late, early, better], D(100)) is better


def test_limitation_by_visit_type_and_age():
    coverage = v.Coverage(
        limit_adult=D(80), limit_child=D(90), limitation_type_e="F", limit_adult_e=D(5000)
    )
    assert v.limitation_for(coverage, "O", True) == ("C", D(80))
    assert v.limitation_for(coverage, "O", False) == ("C", D(90))
    assert v.limitation_for(coverage, "E", True) == ("F", D(5000))
    assert v.limitation_for(coverage, "R", False) == ("C", D(100))


# --- worked example B: simple valuation -----------------------------------------------------


def test_example_b_simple_valuation():
    both = cover(items={10: v.Coverage()}, services={20: v.Coverage()})
    lines = [
        v.Line(1, ITEM, 10, 7, D(11), list_price=D(100)),
        v.Line(2, SERVICE, 20, 7, D(11), list_price=D(100)),
    ]
    out = v.value_claim(claim(lines, [both]), v.Ledger())
    assert [(x.price_adjusted, x.valuated, x.remunerated) for x in out.lines] == [
        (D(100), D(700), D(700)),
        (D(100), D(700), D(700)),
    ]
    assert out.status == ClaimStatus.VALUATED
    (row,) = out.rows
    assert (row.usage.ded_g, row.usage.rem_g, row.usage.rem_op) == (0, D(1400), D(1400))
    assert out.valuated == out.remunerated == D(1400)


# --- worked example C: category amount ceiling ----------------------------------------------


def test_example_c_category_ceiling():
    terms = v.Terms(category_max={"delivery": D(55)})
    both = cover(terms, items={10: v.Coverage()}, services={20: v.Coverage()})
    lines = [
        v.Line(2, SERVICE, 20, 7, D(11), list_price=D(100)),
        v.Line(1, ITEM, 10, 7, D(11), list_price=D(100)),
    ]
    out = v.value_claim(claim(lines, [both], category="D"), v.Ledger())
    service, item = out.lines  # in the claim's order; the item was valued first
    assert (item.valuated, item.exceed_category) == (D(55), D(645))
    assert (service.valuated, service.exceed_category) == (0, D(700))
    (row,) = out.rows
    assert row.usage.rem_g == row.usage.rem_delivery == D(55)
    assert out.valuated == D(55)
    assert out.status == ClaimStatus.VALUATED


def test_category_ceiling_reads_earlier_consumption_of_the_insuree():
    terms = v.Terms(category_max={"delivery": D(100)})
    c = cover(terms, services={20: v.Coverage()})
    ledger = v.Ledger([v.LedgerRow(9, 1, 1, v.Usage(rem_delivery=D(70)))])
    out = v.value_claim(
        claim([v.Line(1, SERVICE, 20, 1, D(50), list_price=D(50))], [c], category="D"), ledger
    )
    assert (out.valuated, out.exceed_category) == (D(30), D(20))
    other = v.value_claim(
        claim([v.Line(1, SERVICE, 20, 1, D(50), list_price=D(50))], [c], category="D", insuree=2),
        ledger,
    )
    assert other.valuated == D(50)


# --- worked example D -----------------------------------------------------------------------


def test_example_d_deductible_coinsurance_fixed_limit_ceiling():
    terms = v.Terms(ceiling_type="I", deductible=D(1000), ceiling=D(5000))
    c = cover(
        terms,
        items={10: v.Coverage(limit_adult=D(80))},
        services={20: v.Coverage(price_origin="O", limitation_type="F", limit_adult=D(1000))},
    )
    ledger = v.Ledger([v.LedgerRow(9, 1, 1, v.Usage(ded_g=D(600), rem_g=D(4000)))])
    lines = [
        v.Line(1, ITEM, 10, 2, D(250), list_price=D(300)),
        v.Line(2, SERVICE, 20, 1, D(1500), list_price=D(1200)),
    ]
    out = v.value_claim(claim(lines, [c]), ledger)
    a, b = out.lines
    assert (a.price_adjusted, a.deductible, a.coinsurance, a.valuated, a.exceed_ceiling) == (
        D(300),
        D(400),
        D(40),
        D(160),
        0,
    )
    assert (b.price_adjusted, b.fixed_limit_excess, b.deductible, b.valuated) == (
        D(1500),
        D(500),
        0,
        D(840),
    )
    assert (b.exceed_ceiling, b.remunerated) == (D(160), D(840))
    (row,) = out.rows
    assert (row.usage.ded_g, row.usage.ded_op, row.usage.rem_g, row.usage.rem_op) == (
        D(400),
        D(400),
        D(1000),
        D(1000),
    )
    assert out.valuated == D(1000)
    assert out.deductible + out.coinsurance + out.fixed_limit_excess + out.exceed_ceiling == D(1100)
    assert out.status == ClaimStatus.VALUATED


# --- worked example E: family ceiling with extra members ------------------------------------


def test_example_e_extra_members():
    def ceiling(members):
        return v.policy_ceiling(D(10000), D(1500), D(12000), members, 4)

    assert (ceiling(6), ceiling(5), ceiling(4)) == (D(12000), D(11500), D(10000))
    assert v.policy_ceiling(D(10000), D(1500), None, 6, None) == D(19000)  # Q29


def test_example_e_in_a_claim_by_policy():
    terms = v.Terms(
        ceiling_type="P",
        ceiling=D(10000),
        extra_member_ceiling=D(1500),
        ceiling_cap=D(12000),
        threshold=4,
    )
    c = cover(terms, services={20: v.Coverage()}, members=5)
    ledger = v.Ledger([v.LedgerRow(9, 1, 2, v.Usage(rem_g=D(11000)))])  # another member
    out = v.value_claim(
        claim([v.Line(1, SERVICE, 20, 1, D(1000), list_price=D(1000))], [c]), ledger
    )
    assert (out.valuated, out.exceed_ceiling) == (D(500), D(500))


# --- the other steps ------------------------------------------------------------------------


def test_fully_deducted_line_pays_nothing_q5b():
    c = cover(v.Terms(ceiling_type="T", deductible=D(1000)), services={20: v.Coverage()})
    out = v.value_claim(
        claim([v.Line(1, SERVICE, 20, 1, D(800), list_price=D(800))], [c]), v.Ledger()
    )
    assert (out.lines[0].deductible, out.lines[0].valuated) == (D(800), 0)


def test_treatment_deductible_ignores_earlier_claims():
    c = cover(v.Terms(ceiling_type="T", deductible=D(100)), services={20: v.Coverage()})
    ledger = v.Ledger([v.LedgerRow(9, 1, 1, v.Usage(ded_g=D(100)))])
    out = v.value_claim(claim([v.Line(1, SERVICE, 20, 1, D(800), list_price=D(800))], [c]), ledger)
    assert out.deductible == D(100)


def test_in_patient_split_and_q7_out_patient_fields():
    terms = v.Terms(
        deductible_ip=D(500), deductible_op=D(50), ceiling_ip=D(10000), ceiling_op=D(300)
    )
    c = cover(terms, services={20: v.Coverage()})
    line = v.Line(1, SERVICE, 20, 1, D(1000), list_price=D(1000))
    day = v.value_claim(claim([line], [c]), v.Ledger())
    assert (day.deductible, day.valuated, day.exceed_ceiling) == (D(50), D(300), D(650))
    assert (day.rows[0].usage.ded_op, day.rows[0].usage.rem_op, day.rows[0].usage.rem_ip) == (
        D(50),
        D(300),
        0,
    )
    stay = v.value_claim(claim([line], [c], hospital=True), v.Ledger())
    assert (stay.deductible, stay.valuated) == (D(500), D(500))
    assert stay.rows[0].usage.rem_ip == D(500)
    hf_terms = replace(terms, interpretation="H")
    hospital = v.value_claim(
        claim([line], [cover(hf_terms, services={20: v.Coverage()})], facility_level="H"),
        v.Ledger(),
    )
    assert hospital.deductible == D(500)


def test_ceiling_exclusion_by_age_and_context():
    terms = v.Terms(ceiling=D(100))
    coverage = v.Coverage(ceiling_exclusion_adult="N", ceiling_exclusion_child="H")
    c = cover(terms, services={20: coverage})
    line = v.Line(1, SERVICE, 20, 1, D(1000), list_price=D(1000))
    adult = v.value_claim(claim([line], [c]), v.Ledger())
    assert (adult.valuated, adult.rows[0].usage.rem_g) == (D(1000), 0)
    child = v.value_claim(claim([line], [c], dob=CHILD), v.Ledger())
    assert (child.valuated, child.exceed_ceiling) == (D(100), D(900))


def test_reviewer_price_wins_and_provider_price():
    c = cover(services={20: v.Coverage(), 21: v.Coverage(price_origin="O")})
    lines = [
        v.Line(1, SERVICE, 20, 2, D(900), price_approved=D(400), list_price=D(500)),
        v.Line(2, SERVICE, 21, 1, D(900), list_price=D(500)),
    ]
    out = v.value_claim(claim(lines, [c]), v.Ledger())
    assert [x.valuated for x in out.lines] == [D(800), D(900)]


def test_relative_price_lines_make_the_claim_processed():
    c = cover(services={20: v.Coverage(price_origin="R"), 21: v.Coverage()})
    lines = [
        v.Line(1, SERVICE, 20, 1, D(100), list_price=D(100)),
        v.Line(2, SERVICE, 21, 1, D(100), list_price=D(100)),
    ]
    out = v.value_claim(claim(lines, [c]), v.Ledger())
    assert out.status == ClaimStatus.PROCESSED
    assert [x.remunerated for x in out.lines] == [None, D(100)]
    assert out.remunerated is None


def test_uncovered_and_unlisted_lines_are_rejected_and_claim_rejected_when_none_left():
    c = cover(services={20: v.Coverage()})
    lines = [
        v.Line(1, SERVICE, 99, 1, D(100), list_price=D(100)),
        v.Line(2, SERVICE, 20, 1, D(100)),
        v.Line(3, SERVICE, 20, 1, D(100), passed=False),
    ]
    out = v.value_claim(claim(lines, [c]), v.Ledger())
    assert [x.rejection for x in out.lines] == [Rejection.NOT_COVERED, Rejection.NOT_IN_PRICE_LIST]
    assert out.status == ClaimStatus.REJECTED
    assert out.rows == ()


def test_each_line_under_its_own_policy_with_one_ledger_row_each():
    one = cover(v.Terms(ceiling=D(100)), policy=1, product=1, services={20: v.Coverage()})
    two = cover(v.Terms(ceiling=D(50)), policy=2, product=2, items={10: v.Coverage()})
    lines = [
        v.Line(1, SERVICE, 20, 1, D(300), list_price=D(300)),
        v.Line(2, ITEM, 10, 1, D(300), list_price=D(300)),
    ]
    out = v.value_claim(claim(lines, [one, two]), v.Ledger())
    assert [(x.policy_ref, x.valuated) for x in out.lines] == [(1, D(100)), (2, D(50))]
    assert sorted((r.policy_ref, r.usage.rem_g) for r in out.rows) == [(1, D(100)), (2, D(50))]


def test_rounding_half_up_to_the_unit():
    c = cover(services={20: v.Coverage(limit_adult=D("33.33"))})
    line = v.Line(1, SERVICE, 20, 1, D(15), list_price=D(15))
    cents = v.value_claim(claim([line], [c]), v.Ledger())
    assert (cents.valuated, cents.coinsurance) == (D("5.00"), D("10.00"))  # 4.9995 → 5.00
    francs = v.value_claim(claim([line], [c]), v.Ledger(), v.unit_of(0))
    assert francs.valuated == D(5)
    assert v.rounded(D("2.5"), v.unit_of(0)) == D(3)


# --- hypothesis invariants ------------------------------------------------------------------

money = st.integers(0, 5000).map(Decimal)
optional_money = st.one_of(st.none(), st.integers(0, 3000).map(Decimal))

coverages = st.builds(
    v.Coverage,
    price_origin=st.sampled_from("POR"),
    limitation_type=st.sampled_from("CF"),
    limit_adult=st.integers(0, 100).map(Decimal),
    limit_child=st.integers(0, 100).map(Decimal),
    ceiling_exclusion_adult=st.sampled_from(["", "", "B", "H", "N"]),
    ceiling_exclusion_child=st.sampled_from(["", "B"]),
)


@st.composite
def terms_st(draw):
    general = draw(st.booleans())
    kw = {
        "ceiling_type": draw(st.sampled_from("TIP")),
        "interpretation": draw(st.sampled_from("IH")),
        "threshold": draw(st.sampled_from([None, 0, 2])),
        "category_max": {"consultation": draw(optional_money), "surgery": draw(optional_money)},
    }
    if general:
        kw.update(
            deductible=draw(optional_money),
            ceiling=draw(optional_money),
            extra_member_ceiling=draw(optional_money),
            ceiling_cap=draw(optional_money),
        )
    else:
        kw.update(
            deductible_ip=draw(optional_money),
            deductible_op=draw(optional_money),
            ceiling_ip=draw(optional_money),
            ceiling_op=draw(optional_money),
        )
    return v.Terms(**kw)


@st.composite
def world(draw):
    """Two policies of one family (insurees 1 and 2), and a sequence of claims."""
    covers = {
        policy: cover(
            draw(terms_st()),
            policy=policy,
            product=policy,
            members=draw(st.integers(1, 5)),
            services={m: draw(coverages) for m in range(3) if draw(st.booleans())},
            items={m: draw(coverages) for m in range(3) if draw(st.booleans())},
        )
        for policy in (1, 2)
    }
    claims = []
    ref = 0
    for n in range(draw(st.integers(1, 6))):
        lines = []
        for _ in range(draw(st.integers(1, 5))):
            ref += 1
            lines.append(
                v.Line(
                    ref,
                    draw(st.sampled_from([ITEM, SERVICE])),
                    draw(st.integers(0, 3)),
                    draw(st.integers(1, 4)),
                    draw(money),
                    price_approved=draw(st.one_of(st.none(), money)),
                    list_price=draw(st.one_of(st.none(), money, money)),
                    passed=draw(st.integers(0, 5)) > 0,
                )
            )
        held = draw(st.sampled_from([(1,), (2,), (1, 2)]))
        claims.append(
            claim(
                lines,
                [covers[p] for p in held],
                ref=n + 1,
                insuree=draw(st.sampled_from([1, 2])),
                dob=draw(st.sampled_from([ADULT, CHILD])),
                hospital=draw(st.booleans()),
                facility_level=draw(st.sampled_from("CH")),
                visit_type=draw(st.sampled_from("OER")),
                category=draw(st.sampled_from("CSV")),
            )
        )
    unit = draw(st.sampled_from([v.unit_of(0), v.unit_of(2)]))
    return covers, claims, unit


def _ceilings_respected(covers, claims, ledger: v.Ledger) -> None:
    """No general/IP/OP ceiling, category ceiling or deductible is ever exceeded by the ledger."""
    for policy, c in covers.items():
        t = c.terms
        for claim_ in claims:
            limits = v.limits_for(c, claim_, v.Usage())
            used = ledger.used(t.ceiling_type, policy, claim_.insuree_ref)
            if limits.ceiling and t.ceiling_type != "T":
                assert getattr(used, limits.rem_column) <= limits.ceiling
            if limits.deductible and t.ceiling_type != "T":
                assert getattr(used, limits.ded_column) <= limits.deductible
        for (p, _insuree), used in ledger.by_member.items():
            if p != policy:
                continue
            for name, top in t.category_max.items():
                if top:
                    assert getattr(used, f"rem_{name}") <= top


@settings(max_examples=150, deadline=None)
@given(world())
def test_invariants_over_sequences_of_claims(case):
    covers, claims, unit = case
    ledger = v.Ledger()
    values = v.value_claims(claims, ledger, unit)
    for facts, value in zip(claims, values, strict=True):
        for line in value.lines:
            amounts = [
                line.asked,
                line.fixed_limit_excess,
                line.deductible,
                line.coinsurance,
                line.exceed_category,
                line.exceed_ceiling,
                line.valuated,
            ]
            assert all(a >= 0 for a in amounts)
            assert all(a == v.rounded(a, unit) for a in amounts)
            assert parts(line) == line.asked  # nothing lost, nothing invented
            if line.remunerated is not None:
                assert line.remunerated == line.valuated
        assert value.asked == sum((parts(x) for x in value.lines if not x.rejection), D(0))
        # A treatment ceiling holds per claim.
        for row in value.rows:
            c = covers[row.policy_ref]
            if c.terms.ceiling_type == "T":
                limits = v.limits_for(c, facts, v.Usage())
                if limits.ceiling:
                    assert getattr(row.usage, limits.rem_column) <= limits.ceiling
    _ceilings_respected(covers, claims, ledger)
    # Valuing again changes nothing: the same sequence from the same start gives the same
    # values, and a claim valued again against what the claims before it consumed (its own
    # rows and the later claims' taken out of the ledger) gets the same amounts.
    assert v.value_claims(claims, v.Ledger(), unit) == values
    for k in range(len(claims) - 1, -1, -1):
        for row in values[k].rows:
            ledger.remove(row)
        assert v.value_claim(claims[k], ledger, unit) == values[k]


@settings(max_examples=150, deadline=None)
@given(world(), st.randoms(use_true_random=False))
def test_line_order_does_not_change_the_claims_totals(case, rnd: random.Random):
    """Lines entered in another order (other ids too): every claim's totals are the same."""
    covers, claims, unit = case
    shuffled = []
    for facts in claims:
        lines = list(facts.lines)
        rnd.shuffle(lines)
        refs = sorted(line.ref for line in lines)
        rnd.shuffle(refs)
        shuffled.append(
            replace(
                facts,
                lines=tuple(replace(line, ref=ref) for line, ref in zip(lines, refs, strict=True)),
            )
        )
    first = v.value_claims(claims, v.Ledger(), unit)
    second = v.value_claims(shuffled, v.Ledger(), unit)
    totals = (
        "status",
        "asked",
        "fixed_limit_excess",
        "deductible",
        "coinsurance",
        "exceed_category",
        "exceed_ceiling",
        "valuated",
        "remunerated",
    )
    for a, b in zip(first, second, strict=True):
        assert [getattr(a, n) for n in totals] == [getattr(b, n) for n in totals]
        assert {r.policy_ref: r.usage for r in a.rows} == {r.policy_ref: r.usage for r in b.rows}
