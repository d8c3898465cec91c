"""The administrative check, the selection for review or feedback, the proposed claim number and
the review (kinga.claims.rules.admin, .selection, .numbers, .review).  No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kinga.claims.rules.admin import ClaimForm, admin_check, timeliness
from kinga.claims.rules.numbers import next_code
from kinga.claims.rules.review import (
    Decision,
    LineState,
    ReviewError,
    approved_amount,
    claim_status_after,
    review_line,
)
from kinga.claims.rules.selection import Candidate, Rule, select

D = Decimal
FILLED = {"code": True, "insuree": True, "health_facility": True, "date_from": True, "icd": True}
BY_VISIT = {"R": ["referral"]}


def form(**fields) -> ClaimForm:
    values = {
        "filled": FILLED,
        "line_count": 2,
        "attachment_types": frozenset(),
        "visit_type": "O",
        "product_codes": frozenset(),
    }
    values.update(fields)
    return ClaimForm(**values)


# --- administrative check -----------------------------------------------------------------------


def test_timeliness_counts_from_the_end_of_care():
    assert timeliness(date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 15)) == 10
    assert timeliness(date(2026, 3, 1), None, date(2026, 3, 15)) == 14


def test_a_claim_submitted_late_is_not_timely():
    on_time = admin_check(
        form(),
        date(2026, 3, 1),
        None,
        date(2026, 3, 31),
        max_days=30,
        by_visit_type=BY_VISIT,
        by_product={},
    )
    assert on_time.timely is True and on_time.complete
    late = admin_check(
        form(),
        date(2026, 3, 1),
        None,
        date(2026, 4, 1),
        max_days=30,
        by_visit_type=BY_VISIT,
        by_product={},
    )
    assert late.timeliness_days == 31 and late.timely is False


def test_a_referral_without_its_letter_is_incomplete():
    check = admin_check(
        form(visit_type="R"),
        date(2026, 3, 1),
        None,
        date(2026, 3, 2),
        max_days=30,
        by_visit_type=BY_VISIT,
        by_product={},
    )
    assert not check.complete and check.missing == ("attachment:referral",)
    with_letter = admin_check(
        form(visit_type="R", attachment_types=frozenset({"referral"})),
        date(2026, 3, 1),
        None,
        date(2026, 3, 2),
        max_days=30,
        by_visit_type=BY_VISIT,
        by_product={},
    )
    assert with_letter.complete


def test_a_product_may_require_an_attachment_and_fields_and_lines_are_mandatory():
    check = admin_check(
        form(
            filled={**FILLED, "icd": False},
            line_count=0,
            product_codes=frozenset({"VIH_Soins"}),
        ),
        date(2026, 3, 1),
        None,
        date(2026, 3, 2),
        max_days=None,
        by_visit_type=BY_VISIT,
        by_product={"VIH_Soins": ["prescription"]},
    )
    assert check.missing == ("field:icd", "lines", "attachment:prescription")
    assert check.timely is None


# --- selection ----------------------------------------------------------------------------------


def claims(n: int, claimed=1000, icd="A09") -> list[Candidate]:
    return [Candidate(f"c{i:03}", D(claimed + i), icd) for i in range(n)]


def test_all_above_a_value():
    result = select(claims(5), Rule.ALL, value=D(1003))
    assert result.selected == ("c003", "c004")
    assert result.not_selected == ("c000", "c001", "c002")


def test_only_idle_claims_are_candidates():
    listed = [Candidate("a", D(10), "A09", idle=False), Candidate("b", D(10), "A09")]
    result = select(listed, Rule.ALL)
    assert result.selected == ("b",) and result.not_selected == ()
    assert select(listed, Rule.ALL, value=D(11)).not_selected == ("b",)


def test_random_share_is_reproducible_with_its_seed_and_rounds_up():
    first = select(claims(10), Rule.RANDOM, share=D(25), seed=7)
    assert len(first.selected) == 3 and len(first.not_selected) == 7
    assert select(claims(10), Rule.RANDOM, share=D(25), seed=7) == first


def test_random_applies_the_value_filter_first():
    result = select(claims(10), Rule.RANDOM, share=D(100), value=D(1005))
    assert result.selected == ("c005", "c006", "c007", "c008", "c009")
    assert result.not_selected == ("c000", "c001", "c002", "c003", "c004")


def test_variance_above_the_diagnosis_average():
    listed = [
        Candidate("a", D(1100), "A09"),
        Candidate("b", D(1300), "A09"),
        Candidate("c", D(5000), "B50"),  # no history: never selected
    ]
    result = select(listed, Rule.VARIANCE, variance=D(20), averages={"A09": D(1000)})
    assert result.selected == ("b",)
    assert result.not_selected == ("a", "c")


@given(
    st.lists(st.integers(0, 10_000), max_size=30),
    st.integers(0, 100),
    st.integers(0, 2**16),
    st.sampled_from(list(Rule)),
)
def test_every_candidate_is_selected_or_not_once(amounts, share, seed, rule):
    listed = [Candidate(f"c{i}", D(a), "A09") for i, a in enumerate(amounts)]
    result = select(
        listed, rule, share=D(share), seed=seed, variance=D(10), averages={"A09": D(5000)}
    )
    assert sorted(result.selected + result.not_selected) == sorted(c.ref for c in listed)
    assert all(listed[int(ref[1:])].claimed >= 0 for ref in result.selected)
    assert not set(result.selected) & set(result.not_selected)


# --- numbers ------------------------------------------------------------------------------------


def test_the_proposed_number_follows_the_highest_of_its_prefix():
    existing = ["HCY.2026.VIH.1", "HCY.2026.VIH.12", "HCY.2026.VIH.x", "HCY.2025.VIH.40"]
    assert next_code("HCY", 2026, "VIH", existing) == "HCY.2026.VIH.13"
    assert next_code("HCY", 2026, "VIH", []) == "HCY.2026.VIH.1"
    assert next_code("HCY", 2026, None, ["HCY.2026.3"]) == "HCY.2026.4"


# --- review (kinga.claims.rules.review) -----------------------------------------------------------


def test_review_refuses_more_than_claimed_and_passing_a_system_rejection():
    state = LineState("l", 2, D(1000), 0)
    for decision in (
        Decision("l", True, qty_approved=3),
        Decision("l", True, price_approved=D(1001)),
    ):
        try:
            review_line(state, decision)
        except ReviewError:
            pass
        else:
            raise AssertionError(decision)
    try:
        review_line(LineState("l", 1, D(10), 3), Decision("l", True))
    except ReviewError as error:
        assert error.code == "system_rejected"
    else:
        raise AssertionError("refused expected")


@given(
    st.lists(
        st.tuples(
            st.integers(1, 10),  # quantity
            st.integers(0, 10_000),  # price
            st.sampled_from([0, 0, 3, -1]),  # current reason
            st.booleans(),  # pass?
            st.integers(0, 12),  # approved quantity asked
            st.integers(0, 12_000),  # approved price asked
        ),
        min_size=1,
        max_size=6,
    )
)
def test_reviewed_approved_never_exceeds_claimed(lines):
    states, reviewed = [], []
    for n, (qty, price, reason, passed, qa, pa) in enumerate(lines):
        state = LineState(n, qty, D(price), reason)
        states.append(state)
        decision = Decision(n, passed, qa, D(pa), justification="x")
        try:
            reviewed.append(review_line(state, decision))
        except ReviewError:
            reviewed.append(review_line(state, Decision(n, False, justification="x")))
    claimed = sum((s.quantity * s.price for s in states), D(0))
    assert D(0) <= approved_amount(states, reviewed) <= claimed
    assert (claim_status_after(reviewed) == 1) == (not any(r.passed for r in reviewed))
    for state, r in zip(states, reviewed, strict=True):
        if state.rejection > 0:
            assert r.rejection == state.rejection  # a system rejection stays
