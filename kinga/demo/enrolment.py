"""Demo enrolment (issue 6, item 7): beneficiaries of the HIV programme and families of the
contributory product FAM, with policies and contributions in every status and outcome.

* About 250 HIV beneficiaries (single-person families) in the catchment villages of the demo
  facilities, each with a `VIH_Test` policy; about a third later test positive and take
  `VIH_Soins`, which replaces the test (`confirm_replace`); the tests enrolled more than a year
  ago expire; one expired test is renewed.
* About 200 FAM families of 2 to 6 members in the villages of Mfoundi, Lekié and
  Mefou-et-Afamba, with contributions in every outcome: paid in full, paid by instalments,
  partial left Idle (wait), partial enforced, late partial suspended, suspended by hand,
  over-paid, a photo fee; a few renewed; the old ones expire.

Enrolment dates are spread over the last two years (never before the products' sale window).
Everything goes through the services (`family_services`, `policy_services`); the expiry job
runs at the end.  Deterministic (`random.Random` with the file's seed) and idempotent: when
the first beneficiary's insurance number exists, nothing is done.

The counts, the seed, the names and the order of the FAM outcomes are in
data/enrolment.json; how they are dealt out is here.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from kinga.facilities.models import Catchment
from kinga.insurees import rules as insuree_rules
from kinga.insurees.models import (
    Education,
    FamilyType,
    Gender,
    IdType,
    Insuree,
    MaritalStatus,
    Officer,
    Profession,
    Relationship,
)
from kinga.insurees.services import families as family_services
from kinga.locations.models import Location
from kinga.policies import rules as policy_rules
from kinga.policies.models import PayType
from kinga.policies.queries.payers import payers_for_location
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import expiry as expiry_services
from kinga.policies.services import policies as policy_services
from kinga.products.models import Product

from . import data

SETTINGS = data.document("enrolment.json")
SEED = SETTINGS["seed"]
DISTRICTS = tuple(SETTINGS["districts"])
HIV_BENEFICIARIES = SETTINGS["hiv_beneficiaries"]
FAM_FAMILIES = SETTINGS["fam_families"]
WINDOW_DAYS = SETTINGS["window_days"]  # enrolments over the last two years
PHOTO_FEE = Decimal(SETTINGS["photo_fee"])
# Common family names of the Centre region (and a few Bamiléké and Sawa names common in
# Yaoundé); no public figures.
LAST_NAMES = SETTINGS["last_names"]
MALE_NAMES = SETTINGS["male_names"]
FEMALE_NAMES = SETTINGS["female_names"]
PHONE_PREFIXES = SETTINGS["phone_prefixes"]
# FAM outcomes, in the order they are dealt out (each family takes the next one).
OUTCOMES = SETTINGS["outcomes"]
FAM_RENEWALS = SETTINGS["fam_renewals"]


class _Numbers:
    """Unique 9-digit insurance numbers from a counter, following the scheme's length and
    check digit (settings.KINGA_INSUREE_NUMBER through kinga.insurees.rules)."""

    def __init__(self):
        self.scheme = family_services.number_scheme()
        check = 0 if self.scheme.check is None else 1
        length = self.scheme.length or 9
        base_length = max(length - check, 1)
        self.start = 7 * 10 ** (base_length - 1) if base_length > 1 else 0
        self.serial = 0

    def number(self, serial: int) -> str:
        return insuree_rules.make_number(self.start + serial, self.scheme)

    @property
    def marker(self) -> str:
        return self.number(1)

    def take(self, n: int) -> list[str]:
        """The next `n` numbers not already given to a current insuree."""
        out: list[str] = []
        while len(out) < n:
            batch = [self.number(self.serial + k) for k in range(1, n - len(out) + 1)]
            self.serial += len(batch)
            taken = set(
                Insuree.objects.current()
                .filter(insurance_number__in=batch)
                .values_list("insurance_number", flat=True)
            )
            out.extend(b for b in batch if b not in taken)
        return out


class _Demo:
    def __init__(self, actor, today: date):
        self.actor = actor
        self.today = today
        self.rng = random.Random(SEED)
        self.numbers = _Numbers()
        self.created = 0
        self.receipts = 0
        self.products = {
            p.code: p
            for p in Product.objects.current().filter(code__in=["VIH_Test", "VIH_Soins", "FAM"])
        }
        villages = list(
            Location.objects.current()
            .filter(type="V", parent__parent__code__in=DISTRICTS)
            .select_related("parent__parent")
            .order_by("code")
        )
        self.villages = villages
        self.facilities_of: dict[int, list] = {}
        for c in (
            Catchment.objects.current()
            .filter(village__in=villages, health_facility__retired_at__isnull=True)
            .select_related("health_facility")
            .order_by("village__code", "health_facility__code")
        ):
            self.facilities_of.setdefault(c.village_id, []).append(c.health_facility)
        self.hiv_villages = [v for v in villages if v.pk in self.facilities_of]
        self.officers: dict[int, list] = {}
        for o in (
            Officer.objects.current()
            .filter(district__code__in=DISTRICTS)
            .prefetch_related("villages")
            .order_by("code")
        ):
            o.village_ids = {v.pk for v in o.villages.all()}
            self.officers.setdefault(o.district_id, []).append(o)
        self.payers: dict[int, list] = {}

    # --- people ---------------------------------------------------------------------------

    def earliest(self, *codes: str) -> date:
        first = max(self.products[c].date_from for c in codes)
        return max(self.today - timedelta(days=WINDOW_DAYS), first)

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def dob(self, on: date, min_age: int, max_age: int) -> date:
        age_days = self.rng.randint(min_age * 365 + 1, max_age * 365 + 364)
        return on - timedelta(days=age_days)

    def phone(self) -> str:
        r = self.rng
        return f"{r.choice(PHONE_PREFIXES)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}"

    def person(self, number: str, last_name: str, gender: str, dob: date, **extra) -> dict:
        r = self.rng
        names = MALE_NAMES if gender == Gender.MALE else FEMALE_NAMES
        other = r.choice(names)
        if r.random() < 0.25:
            other = f"{other} {r.choice([n for n in names if n != other])}"
        adult = insuree_rules.is_adult(dob, self.today)
        values = {
            "insurance_number": number,
            "last_name": last_name,
            "other_names": other,
            "dob": dob,
            "gender": gender,
            "card_issued": r.random() < 0.6,
        }
        if adult:
            values["phone"] = self.phone() if r.random() < 0.8 else ""
            values["profession"] = r.choice(
                [Profession.SELF_EMPLOYED] * 4
                + [Profession.EMPLOYEE] * 2
                + [Profession.HOUSEWIFE, Profession.OTHERS]
            )
            values["education"] = r.choice(
                [Education.PRIMARY] * 3 + [Education.SECONDARY] * 3 + [Education.UNIVERSITY]
            )
            if r.random() < 0.7:
                values["type_of_id"] = IdType.NATIONAL_ID
                values["id_number"] = f"{r.randint(100000000, 199999999)}"
        elif insuree_rules.age_at(dob, self.today) >= 4:
            values["education"] = (
                Education.PRIMARY
                if dob > self.today - timedelta(days=12 * 365)
                else Education.SECONDARY
            )
        values.update(extra)
        return values

    def officer(self, village: Location, on: date) -> Officer | None:
        working = [
            o
            for o in self.officers.get(village.parent.parent_id, [])
            if o.works_to is None or o.works_to >= on
        ]
        serving = [o for o in working if village.pk in o.village_ids]
        return (serving or working or [None])[0]

    def fsp(self, village: Location):
        facilities = self.facilities_of.get(village.pk) or [None]
        return self.rng.choice(facilities)

    # --- HIV programme ----------------------------------------------------------------------

    def hiv(self) -> None:
        test, care = self.products["VIH_Test"], self.products["VIH_Soins"]
        first = self.earliest("VIH_Test", "VIH_Soins")
        numbers = self.numbers.take(HIV_BENEFICIARIES)
        renewed = False
        for n, number in enumerate(numbers):
            r = self.rng
            village = r.choice(self.hiv_villages)
            if n == 0:
                # The marker beneficiary: tested a little over a year ago, renewed.
                enrolled = max(first, self.today - timedelta(days=380))
            else:
                enrolled = self.day_between(first, self.today)
            gender = r.choice([Gender.FEMALE] * 11 + [Gender.MALE] * 9)
            dob = self.dob(enrolled, 15, 64)
            head = self.person(
                number,
                r.choice(LAST_NAMES),
                gender,
                dob,
                marital=r.choice(
                    [
                        MaritalStatus.SINGLE,
                        MaritalStatus.MARRIED,
                        MaritalStatus.DIVORCED,
                        MaritalStatus.WIDOWED,
                    ]
                ),
                first_service_point=self.fsp(village),
            )
            family = family_services.family_create(
                actor=self.actor,
                village=village,
                head=head,
                today=self.today,
                family_type=FamilyType.HOUSEHOLD,
            )
            self.created += 2
            officer = self.officer(village, enrolled)
            attached = policy_services.policy_attach(
                actor=self.actor,
                family=family,
                product=test,
                enroll_date=enrolled,
                officer=officer,
                today=self.today,
            )
            self.created += 1
            if n == 0:
                renewed = self.renew_hiv(attached.policy, village)
                continue
            if r.random() < 0.36:
                # Tested positive: VIH_Soins from a later day replaces the test.
                positive = self.day_between(
                    enrolled + timedelta(days=7), enrolled + timedelta(days=120)
                )
                if positive > self.today:
                    continue
                policy_services.policy_attach(
                    actor=self.actor,
                    family=family,
                    product=care,
                    enroll_date=positive,
                    officer=self.officer(village, positive),
                    today=self.today,
                    confirm_replace=True,
                )
                self.created += 1
        self.hiv_renewed = renewed

    def renew_hiv(self, policy, village) -> bool:
        renew_on = policy.expiry_date + timedelta(days=3)
        if renew_on > self.today:
            return False
        policy_services.policy_renew(
            actor=self.actor,
            policy=policy,
            enroll_date=renew_on,
            officer=self.officer(village, renew_on),
            today=self.today,
        )
        self.created += 1
        return True

    # --- the contributory product -----------------------------------------------------------

    def family_members(self, head_gender: str, head_dob: date, last_name: str, size: int):
        r = self.rng
        members = []
        if size >= 2 and r.random() < 0.85:
            spouse_gender = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
            members.append(
                (
                    r.choice(LAST_NAMES),
                    spouse_gender,
                    head_dob + timedelta(days=r.randint(-6 * 365, 4 * 365)),
                    Relationship.SPOUSE,
                    MaritalStatus.MARRIED,
                )
            )
        if len(members) < size - 1 and r.random() < 0.12:
            members.append(
                (
                    r.choice(LAST_NAMES),
                    r.choice([Gender.FEMALE, Gender.MALE]),
                    head_dob - timedelta(days=r.randint(20 * 365, 30 * 365)),
                    Relationship.PARENT,
                    MaritalStatus.WIDOWED,
                )
            )
        oldest_child = max(
            head_dob + timedelta(days=18 * 365), self.today - timedelta(days=24 * 365)
        )
        while len(members) < size - 1:
            child_dob = self.day_between(oldest_child, self.today - timedelta(days=30))
            relationship = Relationship.CHILD if r.random() < 0.9 else Relationship.OTHERS
            members.append(
                (
                    last_name if relationship == Relationship.CHILD else r.choice(LAST_NAMES),
                    r.choice([Gender.FEMALE, Gender.MALE]),
                    child_dob,
                    relationship,
                    MaritalStatus.SINGLE,
                )
            )
        return members

    def receipt(self, on: date) -> str:
        self.receipts += 1
        return f"FAM-{on:%y}-{self.receipts:05d}"

    def payer_and_type(self, village: Location):
        r = self.rng
        if r.random() < 0.08:
            payers = self.payers.get(village.pk)
            if payers is None:
                payers = self.payers[village.pk] = list(payers_for_location(self.actor, village))
            if payers:
                return r.choice(payers), PayType.FUNDING
        return None, r.choice([PayType.CASH] * 6 + [PayType.MOBILE] * 3 + [PayType.BANK])

    def pay(self, policy, amount, pay_date: date, *, wanted=None, photo_fee=False):
        """One contribution through the service; when it does not pay the policy in full the
        service asks for an answer (`ChoiceNeeded`): give `wanted` when offered, else wait."""
        payer, pay_type = self.payer_and_type(policy.family.village)
        values = {
            "actor": self.actor,
            "payer": payer,
            "amount": Decimal(amount),
            "receipt": self.receipt(pay_date),
            "pay_date": pay_date,
            "pay_type": pay_type,
            "is_photo_fee": photo_fee,
            "confirm_overpayment": True,
            "today": self.today,
        }
        try:
            result = contribution_services.contribution_add(policy=policy, **values)
        except contribution_services.ChoiceNeeded as need:
            action = wanted if wanted in need.choices else policy_rules.Action.WAIT
            result = contribution_services.contribution_add(policy=policy, action=action, **values)
        self.created += 1
        return result.policy

    def part(self, value: Decimal, low: float, high: float) -> Decimal:
        amount = value * Decimal(str(round(self.rng.uniform(low, high), 2)))
        return max(Decimal(500), (amount / 500).quantize(Decimal(1)) * 500)

    def fam(self) -> None:
        product = self.products["FAM"]
        first = self.earliest("FAM")
        numbers = iter(self.numbers.take(FAM_FAMILIES * 6))
        renewable = []
        A = policy_rules.Action
        for n in range(FAM_FAMILIES):
            r = self.rng
            village = r.choice(self.villages)
            enrolled = self.day_between(first, self.today)
            size = r.choice([2, 3, 3, 4, 4, 4, 5, 5, 6, 6])
            last_name = r.choice(LAST_NAMES)
            gender = Gender.MALE if r.random() < 0.75 else Gender.FEMALE
            head_dob = self.dob(enrolled, 24, 62)
            members = self.family_members(gender, head_dob, last_name, size)
            married = any(m[3] == Relationship.SPOUSE for m in members)
            head = self.person(
                next(numbers),
                last_name,
                gender,
                head_dob,
                marital=MaritalStatus.MARRIED
                if married
                else r.choice(
                    [MaritalStatus.SINGLE, MaritalStatus.WIDOWED, MaritalStatus.DIVORCED]
                ),
                first_service_point=self.fsp(village),
                current_address=f"Quartier {village.name}",
            )
            family = family_services.family_create(
                actor=self.actor,
                village=village,
                head=head,
                today=self.today,
                family_type=FamilyType.HOUSEHOLD,
                poverty=r.random() < 0.15,
                address=f"{village.name}, {village.parent.name}",
            )
            self.created += 2
            for m_last, m_gender, m_dob, relationship, marital in members:
                family_services.insuree_add(
                    actor=self.actor,
                    family=family,
                    today=self.today,
                    **self.person(
                        next(numbers),
                        m_last,
                        m_gender,
                        m_dob,
                        relationship=relationship,
                        marital=marital,
                        first_service_point=head["first_service_point"],
                    ),
                )
                self.created += 1
            policy = policy_services.policy_attach(
                actor=self.actor,
                family=family,
                product=product,
                enroll_date=enrolled,
                officer=self.officer(village, enrolled),
                today=self.today,
            ).policy
            self.created += 1
            outcome = OUTCOMES[n % len(OUTCOMES)]
            value = policy.value
            paid_on = min(self.today, enrolled + timedelta(days=r.randint(0, 21)))
            last_day = policy_rules.add_months(policy.start_date, product.grace_period_enrolment)
            if outcome == "full":
                policy = self.pay(policy, value, paid_on)
                if policy.expiry_date < self.today + timedelta(days=60):
                    renewable.append((policy, village))
            elif outcome == "instalments":
                first_part = self.part(value, 0.3, 0.5)
                policy = self.pay(policy, first_part, paid_on, wanted=A.WAIT)
                later = min(self.today, paid_on + timedelta(days=r.randint(10, 40)))
                policy = self.pay(policy, value - first_part, later)
            elif outcome == "partial_wait":
                policy = self.pay(policy, self.part(value, 0.3, 0.7), paid_on, wanted=A.WAIT)
            elif outcome == "partial_enforce":
                policy = self.pay(policy, self.part(value, 0.5, 0.8), paid_on, wanted=A.ENFORCE)
            elif outcome == "late_suspended" and last_day < self.today:
                late = self.day_between(last_day, self.today)
                policy = self.pay(policy, self.part(value, 0.2, 0.5), late, wanted=A.SUSPEND)
            elif outcome in ("suspended", "late_suspended"):
                policy = self.pay(policy, value, paid_on)
                policy_services.policy_suspend(actor=self.actor, policy=policy)
            elif outcome == "overpaid":
                policy = self.pay(policy, value + r.choice([500, 1000, 2000, 5000]), paid_on)
            elif outcome == "photo_fee":
                policy = self.pay(policy, PHOTO_FEE * size, paid_on, photo_fee=True)
                policy = self.pay(policy, value, paid_on)
            # "none": enrolled, nothing paid yet (Idle).
        for policy, village in renewable[:FAM_RENEWALS]:
            renew_on = max(policy.expiry_date - timedelta(days=10), policy.enroll_date)
            renew_on = min(renew_on, self.today)
            new = policy_services.policy_renew(
                actor=self.actor,
                policy=policy,
                enroll_date=renew_on,
                officer=self.officer(village, renew_on),
                today=self.today,
            ).policy
            self.created += 1
            self.pay(new, new.value, renew_on)


def marker_number() -> str:
    """The insurance number of the first demo beneficiary: present means already loaded."""
    return _Numbers().marker


def load(actor) -> int:
    """Create the demo beneficiaries, families, policies and contributions (once); returns the
    number of records created (families, insurees, policies and contributions)."""
    if Insuree.objects.current().filter(insurance_number=marker_number()).exists():
        return 0
    today = date.today()
    with transaction.atomic():
        demo = _Demo(actor, today)
        if set(demo.products) != {"VIH_Test", "VIH_Soins", "FAM"} or not demo.hiv_villages:
            return 0
        demo.hiv()
        demo.fam()
        expiry_services.expire_policies(today=today, actor=actor)
    return demo.created
