"""The families import's policy and contribution columns: an extension of the insurees'
families kind (kinga.insurees.hooks), registered from PoliciesConfig.ready().

Optional columns:
- policy (head's row): product (code), enroll_date, start_date (products without cycles
  only), officer (code);
- contribution (any row of the family): amount, receipt, pay_date, pay_type (C/B/M/F), payer
  (name; empty: the family pays), photo_fee, action (wait / suspend / enforce: the answer to a
  partial, late or last-instalment payment; wait by default).

Policies and contributions are only imported with new families (an existing family's are taken
on its pages).  Each family is checked by the policy services' bulk verbs, with the pages' own
rules and without a query per family: `policy_plan_new` (the enrolment date, the product on
sale in the village, the officer of the district still working, dates and value, the member
cap), `contribution_plan_new` (amount, receipt unique per product, pay date and type, payer)
and `contributions_plan_payments` (the one payment loop: the policy's status after its
payments in pay-date order).  Once the families are written, `policies_create_bulk` and
`contributions_add_bulk` write everything in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.insurees.hooks import ImportedFamily, ImportFile, Planned, RowsRefused
from kinga.insurees.models import InsureeStatus, Officer
from kinga.products.models import Product

from .. import rules
from ..models import Contribution, Payer, PayType
from ..queries.payers import pays_for
from ..services import contributions as contribution_services
from ..services import policies as policy_services
from ..services._common import NewPolicy

POLICY_COLUMNS = ["product", "enroll_date", "start_date", "officer"]
CONTRIBUTION_COLUMNS = ["amount", "receipt", "pay_date", "pay_type", "payer", "photo_fee", "action"]
PAY_TYPE_CHOICES = PayType.choices  # once, not once per row (an enum rebuilds its choices)


@dataclass
class State:
    """What `prepare` loads for the whole file."""

    file: ImportFile
    labels: dict[str, str]
    products: dict[str, Product] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    payers: list[Payer] = field(default_factory=list)
    receipts: set[tuple[int, str]] = field(default_factory=set)  # (product id, receipt)
    terms: dict[int, rules.ProductTerms] = field(default_factory=dict)

    def terms_of(self, product: Product) -> rules.ProductTerms:
        if product.pk not in self.terms:
            self.terms[product.pk] = rules.ProductTerms.of(product)
        return self.terms[product.pk]


def _in_chunks(values, size: int = 5000):
    values = sorted(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


class FamilyPolicies:
    key = "policies"
    columns = POLICY_COLUMNS + CONTRIBUTION_COLUMNS
    date_columns = ("enroll_date", "start_date", "pay_date")

    def prepare(self, actor, rows: list[transfer.Row], file: ImportFile) -> State:
        state = State(
            file=file,
            labels={
                "enroll_date": _("Enrolment date"),
                "start_date": _("Start date"),
                "amount": _("Amount"),
                "pay_date": _("Payment date"),
                "pay_type": _("Payment type"),
                "photo_fee": _("Photo fee"),
            },
        )
        codes = {row.get("product") for row in rows} - {""}
        if codes:
            state.products = {
                p.code: p
                for p in Product.objects.current()
                .filter(code__in=codes)
                .select_related("programme")
            }
            state.officers = {
                o.code: o
                for o in Officer.objects.current().filter(
                    code__in={row.get("officer") for row in rows} - {""}
                )
            }
        if any(row.get("amount") for row in rows):
            state.payers = list(Payer.objects.current().select_related("location"))
            receipts = {row.get("receipt") for row in rows} - {""}
            for chunk in _in_chunks(receipts):
                state.receipts.update(
                    Contribution.objects.current()
                    .filter(receipt__in=chunk)
                    .values_list("product_id", "receipt")
                )
        return state

    # -- one family
    def plan(self, actor, family: ImportedFamily, state: State) -> Planned:
        people = family.people
        if family.existing is not None:
            if any(p.row.get(c) for p in people for c in POLICY_COLUMNS + ["amount"]):
                return Planned(
                    refusals={
                        0: _(
                            "Policies and contributions are imported with new families only; "
                            "take them on the family's page."
                        )
                    }
                )
            return Planned()
        try:
            policy = self._policy(actor, family, state)
        except Refused as refused:
            return Planned(refusals={0: refused.message})
        planned = Planned(plan=policy)
        for index, person in enumerate(people):
            try:
                contribution = self._contribution(actor, person.row, policy, family, state)
                if contribution is not None:
                    policy.contributions.append(contribution)
            except Refused as refused:
                planned.refusals[index] = refused.message
        if policy is None:
            return planned
        try:
            contribution_services.contributions_plan_payments(policy, state.file.today)
        except Refused as refused:
            planned.refusals.setdefault(0, refused.message)
        for index in policy.not_covered:
            # The page's warning, on the member's own line of the report.
            planned.notes[index] = _(
                "Not covered by %(code)s: the product covers at most %(n)d members."
            ) % {"code": policy.product.code, "n": state.terms_of(policy.product).max_members}
        return planned

    def _policy(self, actor, family: ImportedFamily, state: State) -> NewPolicy | None:
        people = family.people
        head = people[0].row
        code = head.get("product")
        if not code:
            if any(p.row.get(c) for p in people for c in POLICY_COLUMNS):
                raise Refused(_("Give the product of the policy."), "product")
            return None
        read_date = state.file.read_date
        enroll = read_date(head, "enroll_date", state.labels["enroll_date"])
        policy_services.check_enroll_date(enroll, state.file.today)
        product = state.products.get(code)
        if product is None:
            raise Refused(
                policy_services.not_on_sale_message(code, family.village, enroll), "product"
            )
        officer_code = head.get("officer")
        if not officer_code:
            raise Refused(_("Choose the enrolment officer."), "officer")
        officer = state.officers.get(officer_code)
        if officer is None:
            raise Refused(
                policy_services.officer_refusal_message(officer_code, family.village, enroll),
                "officer",
            )
        members = [
            rules.Member(dob=p.values["dob"], relationship=p.values["relationship"], ref=i)
            for i, p in enumerate(people)
            if p.values["status"] == InsureeStatus.ACTIVE
        ]
        return policy_services.policy_plan_new(
            actor=actor,
            village=family.village,
            members=members,
            product=product,
            officer=officer,
            enroll_date=enroll,
            start_date=read_date(head, "start_date", state.labels["start_date"]),
            today=state.file.today,
            terms=state.terms_of(product),
        )

    def _contribution(
        self, actor, row: transfer.Row, policy: NewPolicy | None, family, state: State
    ):
        if not row.get("amount"):
            if any(row.get(c) for c in ("receipt", "pay_date", "pay_type", "payer")):
                raise Refused(_("Enter an amount."), "amount")
            return None
        if policy is None:
            raise Refused(_("A contribution needs the family's policy (product column)."), "amount")
        labels = state.labels
        pay_type = transfer.choice_value(
            row, "pay_type", label=labels["pay_type"], choices=PAY_TYPE_CHOICES
        )
        action = row.get("action").lower() or None
        if action is not None and action not in rules.Action._value2member_map_:
            raise Refused(
                _("Action: “%(value)s” is not one of %(valid)s.")
                % {"value": action, "valid": ", ".join(a.value for a in rules.Action)},
                "action",
            )
        return contribution_services.contribution_plan_new(
            actor=actor,
            policy=policy,
            payer=self._payer(row.get("payer"), family, state),
            amount=row.get("amount"),
            receipt=row.get("receipt"),
            pay_date=state.file.read_date(row, "pay_date", labels["pay_date"]),
            pay_type=pay_type,
            is_photo_fee=state.file.read_flag(row, "photo_fee", labels["photo_fee"]),
            action=action,
            taken=state.receipts,
            today=state.file.today,
            ref=row.where,
        )

    def _payer(self, name: str, family: ImportedFamily, state: State) -> Payer | None:
        """The payer a file names (payers have no code), among those paying for the village."""
        if not name:
            return None
        village = family.village
        found = [p for p in state.payers if p.name.lower() == name.lower() and pays_for(p, village)]
        if len(found) != 1:
            raise Refused(
                _("The payer %(name)s does not pay for families of %(village)s.")
                % {"name": name, "village": village.name}
                if not found
                else _("Several payers are named %(name)s.") % {"name": name},
                "payer",
            )
        return found[0]

    # -- writing, once the families are written
    def write(self, actor, families: list[tuple[ImportedFamily, int, Any]], state: State) -> None:
        reason = _("Imported")
        policies = [
            (family_id, plan, [family.people[i].pk for i in plan.covered])
            for family, family_id, plan in families
        ]
        ids = policy_services.policies_create_bulk(actor=actor, policies=policies, reason=reason)
        contributions = [
            (policy_id, plan.product, c)
            for policy_id, (_f, plan, _i) in zip(ids, policies, strict=True)
            for c in plan.contributions
        ]
        try:
            contribution_services.contributions_add_bulk(
                actor=actor, contributions=contributions, reason=reason
            )
        except contribution_services.ReceiptsTaken as taken:
            raise RowsRefused(taken.refs) from None


FAMILY_POLICIES = FamilyPolicies()
