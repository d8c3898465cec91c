"""One way in: the pages and the families import share the policy services' checks and the one
payment loop; the database holds a receipt unique per product and a payer's name unique among
current payers, and a concurrent writer's duplicate becomes the services' own refusal; the
lock order of kinga.core.locks is followed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kinga.core import locks, transfer
from kinga.core.errors import Refused
from kinga.insurees.models import Family, Insuree, Officer
from kinga.insurees.queries.officers import officers_for_enrolment, works_for_enrolment
from kinga.insurees.services import families as family_services
from kinga.insurees.transfer.families import FAMILIES
from kinga.policies.models import Contribution, Payer, Policy, PolicyStatus
from kinga.policies.queries import payers as payer_queries
from kinga.policies.queries import policies as policy_queries
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import payers as payer_services
from kinga.policies.services import policies as policy_services
from kinga.policies.transfer.families import FAMILY_POLICIES
from kinga.products.models import Product

from .conftest import TODAY, make_family, make_product, pay

pytestmark = pytest.mark.usefixtures("english")

REAL_TODAY = timezone.localdate()
HEADER = (
    "head_insuree_number,insurance_number,last_name,other_names,dob,gender,relationship,"
    "village,product,enroll_date,officer,amount,receipt,pay_date,pay_type,payer,action"
)


def attach(actor, e, product, **over):
    values = {
        "family": e.family,
        "product": product,
        "enroll_date": TODAY,
        "officer": e.officer,
        "today": TODAY,
    }
    values.update(over)
    return policy_services.policy_attach(actor=actor, **values).policy


def import_rows(actor, *lines, **kwargs):
    rows = transfer.read_file(FAMILIES, "f.csv", "\n".join([HEADER, *lines]).encode())
    return transfer.run_import(actor=actor, kind=FAMILIES, rows=rows, **kwargs)


@pytest.fixture
def on_sale_now(enrolment):
    """The products on sale around the real date (the import's clock)."""
    Product.objects.update(
        date_from=REAL_TODAY - timedelta(days=400), date_to=REAL_TODAY + timedelta(days=400)
    )
    for p in (enrolment.vih_test, enrolment.vih_soins, enrolment.mut, enrolment.dla):
        p.refresh_from_db()
    return enrolment


# --- the pure checks are the lists' rules ---------------------------------------------------


def test_the_import_checks_agree_with_the_forms_lists(enrolment, mfoundi_clerk, world):
    e = enrolment
    retired = make_product("OLD", retired_at=timezone.now())
    later = make_product("LATER", date_from=date(2026, 6, 1))
    products = [e.vih_test, e.vih_soins, e.mut, e.dla, retired, later]
    for day in (date(2026, 3, 15), date(2026, 7, 1), date(2027, 1, 1)):
        listed = set(policy_queries.products_on_sale(e.family, day))
        checked = {p for p in products if policy_queries.is_on_sale(p, world.nlongkak, day)}
        assert listed == checked
    Officer.objects.create(
        code="EO9",
        last_name="X",
        other_names="Y",
        district=world.mfoundi,
        retired_at=timezone.now(),
    )
    officers = list(Officer.objects.all())
    for day in (date(2026, 2, 28), date(2026, 3, 1)):
        listed = set(officers_for_enrolment(mfoundi_clerk, world.mfoundi, day))
        checked = {o for o in officers if works_for_enrolment(o, world.mfoundi.pk, day)}
        assert listed == checked and e.officer in listed
    for name, location in (("N", None), ("C", world.centre), ("M", world.mfoundi)):
        Payer.objects.create(type="G", name=name, location=location)
    Payer.objects.create(type="G", name="W", location=world.wouri)
    Payer.objects.create(type="G", name="R", location=world.mfoundi, retired_at=timezone.now())
    listed = set(payer_queries.payers_for_location(mfoundi_clerk, world.nlongkak))
    checked = {p for p in Payer.objects.all() if payer_queries.pays_for(p, world.nlongkak)}
    assert listed == checked and {p.name for p in listed} == {"N", "C", "M"}


# --- one payment loop -----------------------------------------------------------------------


def test_the_import_and_the_page_reach_the_same_status_after_the_same_payments(
    on_sale_now, mfoundi_clerk, world
):
    """Two partial payments of MUT: the first waits, the second is enforced.  Imported in one
    file (rows out of pay-date order) or taken one by one on the page: the same policy."""
    e = on_sale_now
    enrolled = REAL_TODAY - timedelta(days=20)
    first, second = enrolled + timedelta(days=2), enrolled + timedelta(days=5)
    report = import_rows(
        mfoundi_clerk,
        f"700000001,700000001,Mballa,Jean,1980-05-01,M,,NLK,MUT,{enrolled},EO1,"
        f"3000,R-2,{second},C,,enforce",
        f"700000001,700000002,Mballa,Marie,1985-06-01,F,8,,,,,4000,R-1,{first},C,,",
    )
    assert report.success, report.rejected_lines
    imported = Policy.objects.get()
    assert imported.status == PolicyStatus.ACTIVE and imported.effective_date == second
    assert {c.product_id for c in Contribution.objects.all()} == {e.mut.pk}

    family = make_family(
        world.nlongkak, ("Jean", date(1980, 5, 1), None), ("Marie", date(1985, 6, 1), 8)
    )
    e.family = family
    page = attach(mfoundi_clerk, e, e.mut, enroll_date=enrolled, today=REAL_TODAY)
    pay(mfoundi_clerk, page, 4000, "P-1", pay_date=first, today=REAL_TODAY)
    contribution_services.contribution_add(
        actor=mfoundi_clerk,
        policy=page,
        payer=None,
        amount=Decimal(3000),
        receipt="P-2",
        pay_date=second,
        pay_type="C",
        action="enforce",
        today=REAL_TODAY,
    )
    page.refresh_from_db()
    assert (page.value, page.status, page.effective_date) == (
        imported.value,
        imported.status,
        imported.effective_date,
    )


def test_an_answer_not_offered_is_refused_on_the_head_line(on_sale_now, mfoundi_clerk):
    enrolled = REAL_TODAY - timedelta(days=20)
    report = import_rows(
        mfoundi_clerk,
        f"700000001,700000001,Mballa,Jean,1980-05-01,M,,NLK,MUT,{enrolled},EO1,"
        f"3000,R-1,{enrolled},C,,suspend",
    )
    assert not report.written
    assert report.rejected_lines[0].reason == "This answer is not offered for this payment."


# --- receipts unique per product, in the database --------------------------------------------


def test_the_database_refuses_a_second_current_receipt_of_a_product(enrolment, mfoundi_clerk):
    e = enrolment
    policy = attach(mfoundi_clerk, e, e.mut)
    pay(mfoundi_clerk, policy, 1000, "R-1", pay_date=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(
            policy=policy,
            product=e.mut,
            amount=Decimal(1),
            receipt="R-1",
            pay_date=TODAY,
            pay_type="C",
        )


def test_a_receipt_saved_by_another_clerk_after_the_check_gets_the_same_refusal(
    enrolment, mfoundi_clerk, monkeypatch
):
    e = enrolment
    policy = attach(mfoundi_clerk, e, e.mut)
    pay(mfoundi_clerk, policy, 1000, "R-1", pay_date=TODAY)
    real = contribution_services._receipt_holder
    calls = []

    def not_yet(*args, **kwargs):  # the check ran before the other clerk's commit
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(contribution_services, "_receipt_holder", not_yet)
    with pytest.raises(Refused, match="receipt R-1 is already used for the product MUT") as e_info:
        pay(mfoundi_clerk, policy, 1000, "R-1", pay_date=TODAY)
    assert e_info.value.field == "receipt"
    assert Contribution.objects.count() == 1


def test_a_receipt_saved_meanwhile_rejects_the_import_line_and_nothing_is_written(
    on_sale_now, mfoundi_clerk, monkeypatch
):
    e = on_sale_now
    policy = attach(mfoundi_clerk, e, e.mut, enroll_date=REAL_TODAY, today=REAL_TODAY)
    real_prepare = FAMILY_POLICIES.prepare

    def before_the_other_clerk(actor, rows, file):
        state = real_prepare(actor, rows, file)
        state.receipts.clear()  # the file was checked before R-1 was taken
        return state

    monkeypatch.setattr(FAMILY_POLICIES, "prepare", before_the_other_clerk)
    pay(mfoundi_clerk, policy, 1000, "R-1", pay_date=REAL_TODAY, today=REAL_TODAY)
    families = Family.objects.count()
    report = import_rows(
        mfoundi_clerk,
        f"200000001,200000001,Essomba,Luc,1980-05-01,M,,NLK,MUT,{REAL_TODAY},EO1,"
        f"5000,R-1,{REAL_TODAY},C,,",
    )
    assert not report.written and not report.error
    assert report.rejected_lines[0].where == "line 2"
    assert "receipt R-1 is already used for the product MUT" in report.rejected_lines[0].reason
    assert Family.objects.count() == families and Policy.objects.count() == 1
    assert not Insuree.objects.filter(insurance_number="200000001").exists()


def test_a_new_product_for_an_idle_policy_takes_its_receipts_along(enrolment, mfoundi_clerk):
    e = enrolment
    other = make_product("MUT2", location=e.mut.location, premium_adult=Decimal(1000))
    policy = attach(mfoundi_clerk, e, e.mut)
    contribution = pay(mfoundi_clerk, policy, 1000, "R-1", pay_date=TODAY).contribution
    policy_services.policy_update(
        actor=mfoundi_clerk,
        policy=policy,
        enroll_date=TODAY,
        product=other,
        officer=e.officer,
        today=TODAY,
    )
    contribution.refresh_from_db()
    assert contribution.product == other
    assert contribution.history.first().history_user == mfoundi_clerk
    # R-1 is free again for MUT, taken for MUT2
    e.family = make_family(e.family.village, ("Amina", date(1990, 1, 1), None))
    again = attach(mfoundi_clerk, e, e.mut)
    pay(mfoundi_clerk, again, 500, "R-1", pay_date=TODAY)
    third = attach(mfoundi_clerk, e, other, enroll_date=date(2026, 1, 2))
    with pytest.raises(Refused, match="receipt R-1 is already used for the product MUT2"):
        pay(mfoundi_clerk, third, 500, "R-1", pay_date=TODAY)


def test_a_new_product_whose_receipts_clash_is_refused(enrolment, mfoundi_clerk, world):
    e = enrolment
    other = make_product("MUT2", location=e.mut.location, premium_adult=Decimal(1000))
    policy = attach(mfoundi_clerk, e, e.mut)
    pay(mfoundi_clerk, policy, 1000, "R-1", pay_date=TODAY)
    e.family = make_family(world.nlongkak, ("Amina", date(1990, 1, 1), None))
    pay(mfoundi_clerk, attach(mfoundi_clerk, e, other), 100, "R-1", pay_date=TODAY)
    with pytest.raises(Refused, match="receipt R-1 is already used for the product MUT2"):
        policy_services.policy_update(
            actor=mfoundi_clerk,
            policy=policy,
            enroll_date=TODAY,
            product=other,
            officer=e.officer,
            today=TODAY,
        )
    policy.refresh_from_db()
    assert policy.product == e.mut


# --- payer names unique among current payers, in the database ---------------------------------


def test_the_database_refuses_two_current_payers_of_one_name_but_not_a_retired_one(world):
    Payer.objects.create(type="G", name="Fonds", location=None, retired_at=timezone.now())
    Payer.objects.create(type="G", name="Fonds", location=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payer.objects.create(type="D", name="Fonds", location=None)


def test_a_payer_name_saved_by_another_user_after_the_check_gets_the_same_refusal(
    world, imis_admin, monkeypatch
):
    payer_services.payer_create(actor=imis_admin, type="G", name="Fonds", location=None)
    real = payer_services._name_taken
    calls = []

    def not_yet(*args):
        calls.append(args)
        return False if len(calls) == 1 else real(*args)

    monkeypatch.setattr(payer_services, "_name_taken", not_yet)
    with pytest.raises(Refused, match="The name Fonds is already used by another payer") as info:
        payer_services.payer_create(actor=imis_admin, type="D", name="Fonds", location=None)
    assert info.value.field == "name" and Payer.objects.count() == 1


# --- the lock order ---------------------------------------------------------------------------


@pytest.fixture
def locked(monkeypatch):
    """The model labels of the rows the services lock through kinga.core.locks, in order."""
    seen: list[str] = []
    real_one, real_all = locks.lock_one, locks.lock_all

    def lock_one(queryset, pk):
        seen.append(queryset.model._meta.label)
        return real_one(queryset, pk)

    def lock_all(queryset):
        seen.append(queryset.model._meta.label)
        return real_all(queryset)

    monkeypatch.setattr(locks, "lock_one", lock_one)
    monkeypatch.setattr(locks, "lock_all", lock_all)
    return seen


def in_lock_order(seen: list[str]) -> bool:
    ranks = [locks.rank(label) for label in seen]
    return ranks == sorted(ranks)


def test_renew_update_attach_and_payments_lock_the_family_before_the_policy(
    enrolment, mfoundi_clerk, locked
):
    e = enrolment
    old = attach(mfoundi_clerk, e, e.vih_test)
    locked.clear()
    policy_services.policy_renew(
        actor=mfoundi_clerk, policy=old, enroll_date=TODAY, officer=e.officer, today=TODAY
    )
    assert locked[:2] == ["insurees.Family", "policies.Policy"] and in_lock_order(locked)
    idle = attach(mfoundi_clerk, e, e.mut)
    locked.clear()
    policy_services.policy_update(
        actor=mfoundi_clerk,
        policy=idle,
        enroll_date=TODAY,
        product=e.mut,
        officer=e.officer,
        today=TODAY,
    )
    assert locked[:2] == ["insurees.Family", "policies.Policy"] and in_lock_order(locked)
    locked.clear()
    attach(mfoundi_clerk, e, e.vih_soins, confirm_replace=True)
    assert locked[0] == "insurees.Family" and in_lock_order(locked)
    locked.clear()
    contribution = pay(mfoundi_clerk, idle, 1000, "R-1", pay_date=TODAY).contribution
    contribution_services.contribution_update(
        actor=mfoundi_clerk, contribution=contribution, receipt="R-2", today=TODAY
    )
    assert "policies.Contribution" in locked and in_lock_order(locked)


def test_member_services_lock_the_families_before_the_member(enrolment, mfoundi_clerk, world):
    e = enrolment
    attach(mfoundi_clerk, e, e.vih_soins)
    other = make_family(world.nlongkak, ("Amina", date(1990, 1, 1), None))
    paul = e.family.members.get(other_names="Paul")
    seen: list[str] = []
    real_one, real_all = locks.lock_one, locks.lock_all
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            locks, "lock_one", lambda qs, pk: seen.append(qs.model._meta.label) or real_one(qs, pk)
        )
        mp.setattr(locks, "lock_all", lambda qs: seen.append(qs.model._meta.label) or real_all(qs))
        family_services.insuree_move(
            actor=mfoundi_clerk, insuree=paul, family=other, relationship=4, today=TODAY
        )
    assert seen[:2] == ["insurees.Family", "insurees.Insuree"] and in_lock_order(seen)


def test_a_member_moved_by_another_user_meanwhile_is_still_changed(enrolment, mfoundi_clerk, world):
    e = enrolment
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    paul = e.family.members.get(other_names="Paul")  # his page, loaded before the move
    other = make_family(world.nlongkak, ("Amina", date(1990, 1, 1), None))
    family_services.insuree_move(
        actor=mfoundi_clerk,
        insuree=e.family.members.get(other_names="Paul"),
        family=other,
        relationship=4,
        today=TODAY,
    )
    values = {n: getattr(paul, n) for n in family_services.INSUREE_FIELDS}
    values.update(status="DE", status_date=TODAY, status_reason="†")
    changed = family_services.insuree_update(
        actor=mfoundi_clerk, insuree=paul, today=TODAY, **values
    )
    assert changed.family == other and changed.status == "DE"
    assert not policy.members.current().filter(insuree=paul).exists()
