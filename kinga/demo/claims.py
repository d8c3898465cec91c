"""Demo claims (issue 12, item 7): a few thousand claims of the demo facilities over the last
months, in every status, entered and submitted through the claims services.

* Each claim is entered by the facility's claim administrator (`claim_create`): an HIV
  beneficiary's claim (VIH_Test or VIH_Soins) with the services and items of his package, a
  FAM member's claim with those of FAM, or a claim for a person with no active policy (the
  checks reject every line with code 3).  Most patients live in the facility's district; a few
  come from elsewhere.  Care on one day, or a stay of a few nights at a hospital.
* The claims of the last days are partly left Entered; the others are submitted in bulk
  (`claims_submit`, one call per facility and week, dated at the end of that week) and end
  Checked or Rejected line by line.
* The medical officer returns some for completion with a comment (`claim_return`); half of them
  the facility completes and submits again, the others wait on its home page.
* The medical officer selects a share of the checked claims for review and for feedback
  (`claims_select`), reviews some (`claim_review`: approved as claimed, or a line rejected with
  a justification), lets some go without review (`claims_bypass`), and enters the patients'
  answers for some (`feedback_deliver`).

Deterministic (`random.Random` with the file's seed, dates counted back from today) and
idempotent: when a demo facility has a claim, nothing is done.  The counts, shares, diagnoses
and comments are in data/claims.json.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from kinga.claims.codes import ClaimStatus, LineStatus, VisitType
from kinga.claims.models import Claim
from kinga.claims.rules import numbers
from kinga.claims.rules.review import Decision
from kinga.claims.rules.selection import Rule
from kinga.claims.services import claims as claim_services
from kinga.claims.services import entry as entry_services
from kinga.claims.services import review as review_services
from kinga.claims.services import submission, valuation
from kinga.core.access import forget
from kinga.core.models import User
from kinga.facilities.models import ClaimAdmin, HealthFacility
from kinga.insurees.models import Insuree, Officer
from kinga.medical.models import Diagnosis, Item, Service
from kinga.policies.models import InsureePolicy
from kinga.policies.status import PolicyStatus
from kinga.products.models import ProductItem, ProductService, Programme

from . import data

SETTINGS = data.document("claims.json")
SEED = SETTINGS["seed"]
MEDICAL_OFFICER = "medical.officer"
HIV_PRODUCTS = ("VIH_Test", "VIH_Soins")
COVERING = (PolicyStatus.ACTIVE, PolicyStatus.EXPIRED)


def _district_of(insuree_row: dict) -> int | None:
    return insuree_row["family__village__parent__parent_id"]


class _Demo:
    def __init__(self, actor, today: date):
        self.actor = actor
        self.today = today
        self.first_day = today - timedelta(days=SETTINGS["days"])
        self.random = random.Random(SEED)
        self.officer = User.objects.get(username=MEDICAL_OFFICER)
        self.admins = {
            a.health_facility_id: a
            for a in ClaimAdmin.objects.current()
            .filter(user__isnull=False, user__retired_at__isnull=True)
            .select_related("user", "health_facility")
            .order_by("-code")
        }
        self.facilities = list(
            HealthFacility.objects.current().filter(pk__in=self.admins).order_by("code")
        )
        # Issue 15: the claims of a confidential programme (VIH) are absent for who may not see
        # it; the facilities' claim administrators and the medical officer who work its claims
        # are named among its users, as in a deployment.
        for programme in Programme.objects.filter(confidential=True, retired_at__isnull=True):
            programme.users.add(self.officer, *(a.user for a in self.admins.values()))
        for user in (self.officer, *(a.user for a in self.admins.values())):
            forget(user)
        self.diagnoses = {
            d.code: d
            for d in Diagnosis.objects.current().filter(
                code__in=[c for codes in SETTINGS["diagnoses"].values() for c in codes]
            )
        }
        self._coverage()
        self._patients()
        self.serials: dict[str, int] = defaultdict(int)

    # --- what the demo draws from --------------------------------------------------------

    def _coverage(self) -> None:
        """The services and items each product covers (its lines draw from them)."""
        services = {s.pk: s for s in Service.objects.current()}
        items = {i.pk: i for i in Item.objects.current()}
        self.coverage: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
        for code, pk in ProductService.objects.filter(retired_at__isnull=True).values_list(
            "product__code", "service_id"
        ):
            if pk in services:
                self.coverage[code][0].append(services[pk])
        for code, pk in ProductItem.objects.filter(retired_at__isnull=True).values_list(
            "product__code", "item_id"
        ):
            if pk in items:
                self.coverage[code][1].append(items[pk])
        for pair in self.coverage.values():
            pair[0].sort(key=lambda s: s.code)
            pair[1].sort(key=lambda i: i.code)

    def _patients(self) -> None:
        """The insurees by kind: HIV beneficiaries and FAM members with their covering windows
        within the demo's months, and people with no active policy."""
        rows = list(
            Insuree.objects.current()
            .filter(family__retired_at__isnull=True)
            .values("pk", "family__village__parent__parent_id")
            .order_by("pk")
        )
        self.insurees = {r["pk"]: r for r in rows}
        windows: dict[tuple[str, int], list[tuple[date, date]]] = defaultdict(list)
        covered = set()
        for insuree, product, start, end in (
            InsureePolicy.objects.filter(
                retired_at__isnull=True,
                policy__retired_at__isnull=True,
                policy__status__in=COVERING,
                effective_date__isnull=False,
            )
            .values_list("insuree_id", "policy__product__code", "effective_date", "expiry_date")
            .order_by("insuree_id", "effective_date")
        ):
            if insuree not in self.insurees:
                continue
            covered.add(insuree)
            start, end = max(start, self.first_day), min(end, self.today)
            if start <= end:
                kind = "hiv" if product in HIV_PRODUCTS else "fam"
                windows[(kind, insuree)].append((start, end, product))
        self.pool: dict[str, list] = {"hiv": [], "fam": []}
        for (kind, insuree), spans in sorted(windows.items()):
            self.pool[kind].append((insuree, spans))
        self.pool["uninsured"] = [
            (pk, [(self.first_day, self.today, None)]) for pk in self.insurees if pk not in covered
        ]

    # --- one claim -----------------------------------------------------------------------

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.random.randint(0, (last - first).days))

    def _kind(self) -> str:
        shares = SETTINGS["shares"]
        draw = self.random.random()
        if draw < shares["uninsured"] and self.pool["uninsured"]:
            return "uninsured"
        if draw < shares["uninsured"] + shares["hiv"] and self.pool["hiv"]:
            return "hiv"
        return "fam"

    def _patient(self, facility: HealthFacility, kind: str):
        pool = self.pool[kind]
        local = [p for p in pool if _district_of(self.insurees[p[0]]) == facility.district_id]
        if local and self.random.random() >= SETTINGS["other_facility_share"]:
            pool = local
        return self.random.choice(pool)

    def _lines(self, product: str | None, stay: bool) -> list[claim_services.LineInput]:
        """3 to 5 lines of what the product covers, mostly of the stay's care type (a few
        out-of-place ones show the care-type check at work)."""
        services, items = self.coverage[product or "FAM"]
        if not services and not items:
            services, items = self.coverage["FAM"]
        r = self.random
        if r.random() > SETTINGS["care_type_mistakes"]:
            fits = {"B", "I"} if stay else {"B", "O"}
            services = [s for s in services if s.care_type in fits] or services
            items = [i for i in items if i.care_type in fits] or items
        n = r.choice((3, 4, 4, 5, 5))
        n_services = min(len(services), r.choice((1, 1, 2)))
        chosen = r.sample(services, n_services) if n_services else []
        chosen += r.sample(items, min(len(items), n - n_services))
        lines = []
        for medical in chosen:
            quantity = 1 if isinstance(medical, Service) else r.choice((1, 2, 3, 10, 20, 30))
            lines.append(claim_services.LineInput(medical, quantity))
        return lines

    def _code(self, facility: HealthFacility, day: date, programme: str | None) -> str:
        head = numbers.prefix(facility.code, day.year, programme)
        self.serials[head] += 1
        return f"{head}{self.serials[head]}"

    def claim(self, facility: HealthFacility, kind: str) -> entry_services.ClaimEntry:
        r = self.random
        insuree, spans = self._patient(facility, kind)
        start, end, product = r.choice(spans)
        date_from = self._day(start, end)
        date_to = None
        if facility.care_type != "O" and r.random() < SETTINGS["hospital_share"]:
            date_to = min(self.today, date_from + timedelta(days=r.randint(1, 6)))
        care_end = date_to or date_from
        date_claimed = min(self.today, care_end + timedelta(days=r.choice((0, 0, 1, 2, 5, 12))))
        codes = SETTINGS["diagnoses"]["hiv" if kind == "hiv" else "other"]
        icds = [self.diagnoses[c] for c in codes if c in self.diagnoses]
        icd = r.choice(icds)
        secondary = [r.choice(icds)] if r.random() < 0.2 else []
        visit = r.choices(list(SETTINGS["visit_types"]), list(SETTINGS["visit_types"].values()))[0]
        admin = self.admins[facility.pk]
        programme = "VIH" if kind == "hiv" else None
        return entry_services.ClaimEntry(
            health_facility=facility,
            insuree=Insuree(pk=insuree, retired_at=None),
            code=self._code(facility, date_from, programme),
            date_from=date_from,
            date_to=date_to,
            date_claimed=date_claimed,
            visit_type=VisitType(visit),
            icd=icd,
            secondary=[d for d in secondary if d != icd],
            guarantee_number=f"G{r.randint(10000, 99999)}" if visit == "R" else "",
            explanation=r.choice(SETTINGS["explanations"]),
            admin=admin,
            lines=self._lines(product, date_to is not None and date_to > date_from),
        )

    # --- the whole demo ------------------------------------------------------------------

    def run(self) -> int:
        """Enter the claims facility by facility (each by its claim administrator, in one
        set), submit them by period of `submit_days`, then return and control some."""
        r = self.random
        entered_after = self.today - timedelta(days=SETTINGS["entered_days"])
        by_facility: dict[int, list] = defaultdict(list)
        for _n in range(SETTINGS["claims"]):
            facility = r.choice(self.facilities)
            by_facility[facility.pk].append(self.claim(facility, self._kind()))
        period = SETTINGS["submit_days"]
        to_submit: dict[tuple[int, date], list[int]] = defaultdict(list)
        made = 0
        for facility in self.facilities:
            entries = by_facility[facility.pk]
            ids = entry_services.claims_create(
                actor=self.admins[facility.pk].user, entries=entries, today=self.today
            )
            made += len(ids)
            for pk, entry in zip(ids, entries, strict=True):
                claimed = entry.date_claimed
                if claimed > entered_after and r.random() < SETTINGS["entered_share"]:
                    continue  # not yet submitted
                end = self.first_day + timedelta(
                    days=((claimed - self.first_day).days // period + 1) * period - 1
                )
                to_submit[(facility.pk, min(end, self.today))].append(pk)
        for (facility_pk, day), ids in sorted(to_submit.items()):
            submission.claims_submit(
                actor=self.admins[facility_pk].user, claims=ids, now=self._at(day, 16)
            )
        self.returns()
        self.review()
        self.value()
        return made

    def _at(self, day: date, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour)))

    def _submitted(self, status=None):
        qs = Claim.objects.filter(
            health_facility__in=self.facilities,
            retired_at__isnull=True,
            submitted_at__isnull=False,
        )
        if status is not None:
            qs = qs.filter(status=status)
        return list(qs.order_by("pk").values_list("pk", flat=True))

    def returns(self) -> None:
        """Some submitted claims go back for completion; half of them come back completed."""
        r = self.random
        candidates = self._submitted()
        returned = r.sample(candidates, min(len(candidates), SETTINGS["returned"]))
        comments = SETTINGS["return_comments"]
        for pk in returned:
            claim_services.claim_return(
                actor=self.officer, claim=Claim(pk=pk), comment=r.choice(comments)
            )
        by_facility = defaultdict(list)
        for claim in Claim.objects.filter(pk__in=returned[: SETTINGS["returned_resubmitted"]]):
            by_facility[claim.health_facility_id].append(claim.pk)
        for facility_pk, ids in sorted(by_facility.items()):
            submission.claims_submit(actor=self.admins[facility_pk].user, claims=ids)

    def value(self) -> None:
        """The medical officer values the checked claims submitted more than `value_after_days`
        ago (those awaiting their review or feedback stay Checked), a week after their
        submission: the accountant then finds Valuated claims for his statements and Processed
        ones (relative prices) for his monthly batch run."""
        before = self._at(self.today - timedelta(days=SETTINGS["value_after_days"]), 0)
        by_day: dict[date, list[int]] = defaultdict(list)
        for pk, submitted in (
            Claim.objects.filter(
                health_facility__in=self.facilities,
                retired_at__isnull=True,
                status=ClaimStatus.CHECKED,
                submitted_at__lt=before,
            )
            .order_by("pk")
            .values_list("pk", "submitted_at")
        ):
            by_day[min(submitted.date() + timedelta(days=7), self.today)].append(pk)
        for day, ids in sorted(by_day.items()):
            valuation.claims_value(ids, self.officer, now=self._at(day, 10))

    def review(self) -> None:
        """Selection for review and feedback over the checked claims; some reviews delivered,
        some lines rejected by the medical officer, some bypassed; some feedback entered."""
        r = self.random
        checked = self._submitted(ClaimStatus.CHECKED)
        chosen = review_services.claims_select(
            actor=self.officer,
            claims=checked,
            rule=Rule.RANDOM,
            share=SETTINGS["review_share"],
            seed=SEED,
            today=self.today,
        )
        selected = sorted(chosen.selected)
        r.shuffle(selected)
        delivered = selected[: SETTINGS["review_delivered"]]
        justifications = SETTINGS["review_justifications"]
        for n, pk in enumerate(delivered):
            decisions = []
            if n < SETTINGS["review_rejected_lines"]:
                line = (
                    Claim.objects.get(pk=pk)
                    .lines.filter(retired_at__isnull=True, status=LineStatus.PASSED)
                    .order_by("id")
                    .first()
                )
                if line is not None:
                    decisions = [
                        Decision(line.pk, passed=False, justification=r.choice(justifications))
                    ]
            review_services.claim_review(
                actor=self.officer, claim=Claim(pk=pk), decisions=decisions
            )
        start = SETTINGS["review_delivered"]
        review_services.claims_bypass(
            actor=self.officer, claims=selected[start : start + SETTINGS["review_bypassed"]]
        )
        chosen = review_services.claims_select(
            actor=self.officer,
            claims=self._submitted(ClaimStatus.CHECKED),
            kind=review_services.FEEDBACK,
            rule=Rule.RANDOM,
            share=SETTINGS["feedback_share"],
            seed=SEED + 1,
            today=self.today,
        )
        officers = {
            v: o
            for o in Officer.objects.current().prefetch_related("villages")
            for v in o.villages.values_list("pk", flat=True)
        }
        selected = sorted(chosen.selected)
        r.shuffle(selected)
        for claim in Claim.objects.filter(
            pk__in=selected[: SETTINGS["feedback_delivered"]]
        ).select_related("insuree__family"):
            review_services.feedback_deliver(
                actor=self.officer,
                claim=claim,
                officer=officers.get(claim.insuree.family.village_id),
                feedback_date=min(self.today, claim.date_claimed + timedelta(days=14)),
                care_rendered=True,
                payment_asked=r.random() < 0.1,
                drug_prescribed=True,
                drug_received=r.random() < 0.9,
                assessment=r.randint(3, 5),
                today=self.today,
            )


def load(actor) -> int:
    """Enter, submit and control the demo claims unless a demo facility has claims; returns
    how many claims were made."""
    if Claim.objects.filter(
        Q(health_facility__code__in=[row["code"] for row in data.rows("facilities.csv")])
    ).exists():
        return 0
    return _Demo(actor, date.today()).run()
