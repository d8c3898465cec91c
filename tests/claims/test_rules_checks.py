"""The submission checks (kinga.claims.rules.checks; spec claims §2.2, §2.3 and Kinga's decisions):
one case per rejection code, the order of the checks, and hypothesis invariants.  No database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kinga.claims.codes import ClaimCategory, ClaimStatus, LineKind, Rejection
from kinga.claims.rules.checks import (
    ClaimFacts,
    Cover,
    Covered,
    History,
    Line,
    PastClaim,
    Provision,
    as_submitted,
    check_claim,
    check_claims,
)

D = Decimal
S, IT = LineKind.SERVICE, LineKind.ITEM
CARE = date(2026, 3, 10)
CONSULT = 1  # service ids
SURGERY = 2
DELIVERY = 3
ANTENATAL = 4
HOSPITAL_DAY = 5
PARACETAMOL = 101  # item ids


def line(ref="l1", kind=S, medical_id=CONSULT, quantity=1, price="1000", **fields) -> Line:
    category = {CONSULT: "C", SURGERY: "S", DELIVERY: "D", ANTENATAL: "A", HOSPITAL_DAY: "H"}
    fields.setdefault("service_category", category.get(medical_id, "") if kind == S else "")
    return Line(ref, kind, medical_id, quantity, D(price), **fields)


def cover(
    ref="p1",
    *,
    stage="R",
    effective=date(2026, 1, 1),
    insuree_effective=None,
    expiry=date(2026, 12, 31),
    services=None,
    items=None,
    **category_max,
) -> Cover:
    everything = {sid: Covered() for sid in (CONSULT, SURGERY, DELIVERY, ANTENATAL, HOSPITAL_DAY)}
    return Cover(
        policy_ref=ref,
        product_ref=f"prod-{ref}",
        programme_ref="VIH",
        stage=stage,
        policy_effective=effective,
        insuree_effective=insuree_effective or effective,
        insuree_expiry=expiry,
        services=everything if services is None else services,
        items={PARACETAMOL: Covered()} if items is None else items,
        category_max=category_max,
    )


def claim(*lines: Line, covers=None, **fields) -> ClaimFacts:
    values = {
        "ref": "c1",
        "insuree_ref": "jean",
        "status": ClaimStatus.ENTERED,
        "insuree_valid": True,
        "dob": date(1980, 5, 1),
        "gender": "M",
        "date_from": CARE,
        "date_to": None,
        "date_claimed": CARE,
        "facility_care_type": "B",
        "lines": lines or (line(),),
        "covers": (cover(),) if covers is None else covers,
    }
    values.update(fields)
    return ClaimFacts(**values)


def codes(result) -> list[int]:
    return [r.rejection for r in result.lines]


def seen(*provisions: tuple[int, date, int], kind=S, claims=()) -> History:
    """A history of passed provisions (medical id, date, quantity) of claim "old"."""
    return History(
        tuple(Provision("old", day, kind, mid, qty) for mid, day, qty in provisions),
        tuple(claims),
    )


# --- passing -----------------------------------------------------------------------------------


def test_a_covered_claim_is_checked_with_its_policy_and_amounts():
    result = check_claim(claim(line(quantity=2), line("l2", IT, PARACETAMOL, 3, "250")))
    assert result.status == ClaimStatus.CHECKED
    assert codes(result) == [0, 0]
    assert result.lines[0].policy_ref == "p1" and result.programme_ref == "VIH"
    assert result.claimed == result.approved == D(2750)
    assert result.category == ClaimCategory.CONSULTATION


# --- one case per rejection code -----------------------------------------------------------------


def test_code_1_not_in_the_register():
    assert codes(check_claim(claim(line(in_register=False)))) == [Rejection.NOT_IN_REGISTER]


def test_code_2_not_in_the_facility_price_list():
    assert codes(check_claim(claim(line(in_price_list=False)))) == [Rejection.NOT_IN_PRICE_LIST]


def test_code_2_outside_the_facility_contract():
    facts = claim(contract_from=date(2026, 4, 1), contract_to=date(2027, 3, 31))
    assert codes(check_claim(facts)) == [Rejection.NOT_IN_PRICE_LIST]


def test_code_3_without_a_policy_on_the_date_of_care_every_line():
    result = check_claim(claim(line(), line("l2", IT, PARACETAMOL), covers=()))
    assert codes(result) == [Rejection.NOT_COVERED, Rejection.NOT_COVERED]
    assert result.status == ClaimStatus.REJECTED


def test_code_3_a_service_the_product_does_not_cover():
    facts = claim(line(), line("l2", S, SURGERY), covers=(cover(services={CONSULT: Covered()}),))
    result = check_claim(facts)
    assert codes(result) == [0, Rejection.NOT_COVERED]
    assert result.status == ClaimStatus.CHECKED


def test_code_4_patient_category():
    women_only = 2 | 4 | 8
    assert codes(check_claim(claim(line(patient_category=women_only)))) == [
        Rejection.PATIENT_CATEGORY
    ]
    # a woman passes; 0 means everyone (Q30)
    assert codes(check_claim(claim(line(patient_category=women_only), gender="F"))) == [0]
    assert codes(check_claim(claim(line(patient_category=0)))) == [0]


def test_code_4_children_only_for_an_adult():
    children = 1 | 2 | 8
    assert codes(check_claim(claim(line(patient_category=children)))) == [4]
    assert codes(check_claim(claim(line(patient_category=children), dob=date(2015, 1, 1)))) == [0]


def test_code_5_frequency_before_or_after():
    facts = claim(line(frequency=30))
    assert codes(check_claim(facts, seen((CONSULT, CARE - timedelta(days=29), 1)))) == [5]
    assert codes(check_claim(facts, seen((CONSULT, CARE + timedelta(days=29), 1)))) == [5]
    assert codes(check_claim(facts, seen((CONSULT, CARE - timedelta(days=30), 1)))) == [0]


def test_code_5_never_counts_the_claim_itself():
    facts = claim(line(frequency=30))
    mine = History((Provision("c1", CARE, S, CONSULT, 1),), ())
    assert codes(check_claim(facts, mine)) == [0]


def test_code_7_an_invalid_insuree_rejects_every_line():
    result = check_claim(claim(line(), line("l2", IT, PARACETAMOL), insuree_valid=False))
    assert codes(result) == [7, 7]
    assert result.rejection == Rejection.INSUREE_INVALID
    assert result.status == ClaimStatus.REJECTED


def test_code_9_invalid_dates():
    assert codes(check_claim(claim(date_to=CARE - timedelta(days=1)))) == [9]
    assert codes(check_claim(claim(date_claimed=CARE - timedelta(days=1)))) == [9]
    assert codes(check_claim(claim(date_from=None))) == [9]


def test_code_10_care_type():
    in_patient = line(care_type="I")
    # an in-patient service on a single day, or at an out-patient facility
    assert codes(check_claim(claim(in_patient))) == [10]
    stay = {"date_to": CARE + timedelta(days=2), "date_claimed": CARE + timedelta(days=2)}
    assert codes(check_claim(claim(in_patient, **stay))) == [0]
    assert codes(check_claim(claim(in_patient, facility_care_type="O", **stay))) == [10]
    # an out-patient service during a stay
    assert codes(check_claim(claim(line(care_type="O"), **stay))) == [10]


def test_code_11_maximum_hospitalisations_rejects_the_whole_claim():
    stay = {"date_to": CARE + timedelta(days=2), "date_claimed": CARE + timedelta(days=3)}
    history = seen(claims=[PastClaim("old", date(2026, 2, 1), "H")])
    facts = claim(
        line(), line("l2", IT, PARACETAMOL), covers=(cover(max_no_hospitalisation=1),), **stay
    )
    result = check_claim(facts, history)
    assert codes(result) == [11, 11]
    assert result.rejection == Rejection.MAX_HOSPITALISATIONS


def test_code_12_maximum_visits():
    facts = claim(
        line(medical_id=HOSPITAL_DAY, service_category="V"), covers=(cover(max_no_visits=2),)
    )
    history = seen(
        claims=[PastClaim("a", date(2026, 2, 1), "V"), PastClaim("b", date(2026, 2, 2), "")]
    )
    assert codes(check_claim(facts, history)) == [12]


def test_code_13_maximum_consultations():
    history = seen(claims=[PastClaim("old", date(2026, 2, 1), "C")])
    assert codes(check_claim(claim(covers=(cover(max_no_consultation=1),)), history)) == [13]
    assert codes(check_claim(claim(covers=(cover(max_no_consultation=2),)), history)) == [0]


def test_code_14_maximum_surgeries():
    history = seen(claims=[PastClaim("old", date(2026, 2, 1), "S")])
    facts = claim(line(medical_id=SURGERY), covers=(cover(max_no_surgery=1),))
    assert codes(check_claim(facts, history)) == [14]


def test_code_15_maximum_deliveries():
    history = seen(claims=[PastClaim("old", date(2026, 2, 1), "D")])
    facts = claim(line(medical_id=DELIVERY), covers=(cover(max_no_delivery=1),))
    assert codes(check_claim(facts, history)) == [15]


def test_code_16_maximum_provisions_trims_then_rejects():
    covered = {CONSULT: Covered(limit_no_adult=3)}
    facts = claim(line(quantity=2), covers=(cover(services=covered),))
    trimmed = check_claim(facts, seen((CONSULT, date(2026, 2, 1), 2)))
    assert codes(trimmed) == [0] and trimmed.lines[0].qty_approved == 1
    assert trimmed.approved == D(1000)
    assert codes(check_claim(facts, seen((CONSULT, date(2026, 2, 1), 3)))) == [16]
    # a provision outside the coverage period does not count
    assert codes(check_claim(facts, seen((CONSULT, date(2025, 12, 1), 3)))) == [0]


def test_code_17_waiting_period_of_a_new_policy():
    covered = {CONSULT: Covered(waiting_adult=3)}
    new = cover(stage="N", services=covered)
    assert codes(check_claim(claim(covers=(new,)))) == [17]
    later = replace(new, insuree_effective=date(2025, 12, 1))
    assert codes(check_claim(claim(covers=(later,)), History())) == [0]
    # a renewal of a member who was there waits for nothing
    assert codes(check_claim(claim(covers=(replace(new, stage="R"),)))) == [0]


def test_code_17_a_member_who_joined_a_renewal_later_waits():
    covered = {CONSULT: Covered(waiting_adult=6)}
    joined = cover(
        stage="R", effective=date(2025, 6, 1), insuree_effective=date(2026, 1, 1), services=covered
    )
    assert codes(check_claim(claim(covers=(joined,)))) == [17]


def test_code_19_maximum_antenatal():
    history = seen(claims=[PastClaim("old", date(2026, 2, 1), "A")])
    facts = claim(line(medical_id=ANTENATAL), covers=(cover(max_no_antenatal=1),))
    assert codes(check_claim(facts, history)) == [19]


# --- order, candidates ---------------------------------------------------------------------------


def test_a_line_keeps_its_first_reason():
    # not in the register and not for men: 1, the first check
    facts = claim(line(in_register=False, in_price_list=False, patient_category=2 | 4))
    assert codes(check_claim(facts)) == [1]
    # care type comes before the patient category
    assert codes(check_claim(claim(line(care_type="I", patient_category=2 | 4)))) == [10]


def test_the_first_failure_is_kept_when_every_policy_fails():
    waits = cover("p1", stage="N", services={CONSULT: Covered(waiting_adult=6)})
    used = cover("p2", effective=date(2025, 6, 1), services={CONSULT: Covered(limit_no_adult=1)})
    result = check_claim(claim(covers=(waits, used)), seen((CONSULT, date(2026, 2, 1), 1)))
    # p2's waiting ends first (no waiting): its 16 is the first failure
    assert codes(result) == [16]


def test_another_policy_covers_when_the_first_fails():
    waits = cover("p1", stage="N", services={CONSULT: Covered(waiting_adult=6)})
    other = cover("p2", effective=date(2025, 6, 1))
    result = check_claim(claim(covers=(waits, other)))
    assert codes(result) == [0] and result.lines[0].policy_ref == "p2"


def test_services_are_checked_before_items_so_a_claim_limit_rejects_the_items_too():
    history = seen(claims=[PastClaim("old", date(2026, 2, 1), "C")])
    facts = claim(line("i", IT, PARACETAMOL), line(), covers=(cover(max_no_consultation=1),))
    assert codes(check_claim(facts, history)) == [13, 13]


def test_category_precedence():
    result = check_claim(claim(line(), line("l2", S, SURGERY), line("l3", S, DELIVERY)))
    assert result.category == ClaimCategory.SURGERY
    only_items = check_claim(claim(line("i", IT, PARACETAMOL)))
    assert only_items.category == ClaimCategory.VISIT


# --- many claims, resubmission ---------------------------------------------------------------------


def test_claims_of_one_insuree_submitted_together_see_each_other():
    first = claim(line(frequency=30), ref="a")
    second = claim(
        line(frequency=30),
        ref="b",
        date_from=CARE + timedelta(days=5),
        date_claimed=CARE + timedelta(days=5),
    )
    a, b = check_claims([first, second], {})
    assert codes(a) == [0] and codes(b) == [5]


def test_submitting_a_checked_claim_again_changes_nothing():
    facts = claim()
    (result,) = check_claims([facts], {})
    assert check_claims([as_submitted(facts, result)], {}) == [None]


# --- invariants (hypothesis) ------------------------------------------------------------------------

kinds = st.sampled_from([S, IT])


@st.composite
def lines(draw):
    n = draw(st.integers(1, 6))
    out = []
    for i in range(n):
        kind = draw(kinds)
        medical_id = draw(
            st.sampled_from([CONSULT, SURGERY, DELIVERY] if kind == S else [PARACETAMOL, 102])
        )
        out.append(
            line(
                f"l{i}",
                kind,
                medical_id,
                draw(st.integers(1, 10)),
                str(draw(st.integers(0, 50_000))),
                in_register=draw(st.booleans() | st.just(True)),
                in_price_list=draw(st.booleans() | st.just(True)),
                care_type=draw(st.sampled_from("OIB")),
                patient_category=draw(st.sampled_from([0, 15, 5, 6, 9, 10])),
                frequency=draw(st.sampled_from([0, 0, 7, 30])),
            )
        )
    return tuple(out)


@st.composite
def covers(draw):
    out = []
    for i in range(draw(st.integers(0, 2))):
        limit = st.none() | st.integers(0, 5)
        services = {
            sid: Covered(
                waiting_adult=draw(st.none() | st.integers(0, 6)),
                waiting_child=draw(st.none() | st.integers(0, 6)),
                limit_no_adult=draw(limit),
                limit_no_child=draw(limit),
            )
            for sid in draw(st.sets(st.sampled_from([CONSULT, SURGERY, DELIVERY])))
        }
        items = {
            iid: Covered(limit_no_adult=draw(limit))
            for iid in draw(st.sets(st.sampled_from([PARACETAMOL, 102])))
        }
        out.append(
            cover(
                f"p{i}",
                stage=draw(st.sampled_from("NR")),
                effective=date(2025, draw(st.integers(1, 12)), 1),
                services=services,
                items=items,
                max_no_consultation=draw(st.none() | st.integers(0, 3)),
                max_no_surgery=draw(st.none() | st.integers(0, 3)),
            )
        )
    return tuple(out)


@st.composite
def histories(draw):
    provisions = tuple(
        Provision(
            f"old{i}",
            CARE + timedelta(days=draw(st.integers(-90, 90))),
            kind,
            mid,
            draw(st.integers(1, 4)),
        )
        for i, (kind, mid) in enumerate(
            draw(
                st.lists(
                    st.sampled_from([(S, CONSULT), (S, SURGERY), (IT, PARACETAMOL)]), max_size=5
                )
            )
        )
    )
    claims = tuple(
        PastClaim(
            f"old{i}",
            CARE - timedelta(days=draw(st.integers(1, 90))),
            draw(st.sampled_from("CSDAHV")),
        )
        for i in range(draw(st.integers(0, 4)))
    )
    return History(provisions, claims)


@st.composite
def claims(draw):
    multi = draw(st.booleans())
    return claim(
        *draw(lines()),
        covers=draw(covers()),
        insuree_valid=draw(st.booleans() | st.just(True)),
        gender=draw(st.sampled_from("MFO")),
        dob=draw(st.sampled_from([date(1980, 1, 1), date(2015, 6, 1)])),
        date_to=CARE + timedelta(days=2) if multi else None,
        date_claimed=CARE + timedelta(days=draw(st.integers(-1, 20))),
        facility_care_type=draw(st.sampled_from(["O", "I", "B", None])),
    )


@given(claims(), histories())
def test_rejected_exactly_when_no_line_passes(facts, history):
    result = check_claim(facts, history)
    assert (result.status == ClaimStatus.REJECTED) == (not any(r.passed for r in result.lines))
    assert result.status in (ClaimStatus.CHECKED, ClaimStatus.REJECTED)


@given(claims(), histories())
def test_approved_never_exceeds_claimed(facts, history):
    result = check_claim(facts, history)
    assert D(0) <= result.approved <= result.claimed
    for r in result.lines:
        assert 0 <= r.approved_quantity <= r.quantity


@given(claims(), histories())
def test_a_line_keeps_its_first_reason_whatever_comes_after(facts, history):
    """Adding a later reason (a frequency window, a claim already seen) never replaces a reason
    found by an earlier check; lines rejected by the register or the price list keep it."""
    result = check_claim(facts, history)
    by_ref = {line.ref: line for line in facts.lines}
    for r in result.lines:
        line_facts = by_ref[r.ref]
        if result.rejection:
            assert r.rejection == result.rejection
        elif not line_facts.in_register:
            assert r.rejection == Rejection.NOT_IN_REGISTER
        elif not line_facts.in_price_list:
            assert r.rejection == Rejection.NOT_IN_PRICE_LIST
    # more frequency limits cannot change a reason already there
    stricter = replace(facts, lines=tuple(replace(x, frequency=365) for x in facts.lines))
    again = check_claim(stricter, history)
    for before, after in zip(result.lines, again.lines, strict=True):
        if before.rejection:
            assert after.rejection == before.rejection


@given(claims(), histories())
def test_submitting_again_changes_nothing(facts, history):
    first = check_claim(facts, history)
    assert check_claim(facts, history) == first  # deterministic
    assert check_claims([as_submitted(facts, first)], {facts.insuree_ref: history}) == [None]
    # the claim's own earlier version in the history never changes its result
    mine = History(
        history.provisions
        + tuple(Provision(facts.ref, CARE, x.kind, x.medical_id, 1) for x in facts.lines),
        history.claims + (PastClaim(facts.ref, CARE, "C"),),
    )
    assert check_claim(facts, mine) == first
