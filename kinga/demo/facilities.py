"""The demo's health facilities of the Centre region of Cameroon (data/facilities.csv), their
catchment villages (data/catchments.csv) and a few claim administrators with logins
(data/claim_admins.csv).  Idempotent: a facility or claim administrator whose code is current
is left alone; missing catchment villages are added."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from kinga.core.models import User
from kinga.facilities.models import Catchment, ClaimAdmin, HealthFacility
from kinga.facilities.services import claim_admins as claim_admin_services
from kinga.facilities.services import facilities as facility_services
from kinga.locations.models import Location
from kinga.medical.models import ItemsPriceList, ServicesPriceList

from . import data
from .data import DEMO_PASSWORD

FACILITIES = data.rows("facilities.csv")
CATCHMENTS = data.rows("catchments.csv")
CLAIM_ADMINS = data.rows("claim_admins.csv")

VALUES = ("code", "name", "legal_form", "level", "sub_level", "care_type", "address", "phone")

# Contracts (« formations sanitaires conventionnées », issue 14 item 9), counted from the day
# the demo is loaded: (days before it starts, days until it ends).  They start long before the
# demo claims (180 days back) so that none of those falls outside its facility's contract; two
# end within 30 days, for the scheme administrator's home page.
CONTRACTS = {"HCY": (730, 20), "HGY": (730, 12), "CHUY": (730, 300)}


def _national(model):
    """The first current national price list, if the medical registers hold one."""
    return model.objects.current().filter(location__isnull=True).order_by("name").first()


def load(actor) -> int:
    """Create what is missing; returns the number of records created."""
    created = 0
    districts = {
        d.code: d
        for d in Location.objects.current().filter(
            type="D", code__in={row["district"] for row in FACILITIES}
        )
    }
    villages = {v.code: v for v in Location.objects.current().filter(type="V")}
    catchments = defaultdict(list)
    for row in CATCHMENTS:
        catchments[row["health_facility"]].append((row["village"], int(row["percentage"])))
    services_pl, items_pl = _national(ServicesPriceList), _national(ItemsPriceList)
    facilities: dict[str, HealthFacility] = {}
    for row in FACILITIES:
        district = districts.get(row["district"])
        if district is None:
            continue
        values = {field: row[field] for field in VALUES} | {"district": district}
        facility = HealthFacility.objects.current().filter(code=row["code"]).first()
        if facility is None:
            if row["code"] in CONTRACTS:
                today = timezone.localdate()
                before, after = CONTRACTS[row["code"]]
                values["contract_start_date"] = today - timedelta(days=before)
                values["contract_end_date"] = today + timedelta(days=after)
            facility = facility_services.facility_create(
                actor=actor, services_price_list=services_pl, items_price_list=items_pl, **values
            )
            created += 1
        facilities[row["code"]] = facility
        present = set(
            Catchment.objects.current()
            .filter(health_facility=facility)
            .values_list("village__code", flat=True)
        )
        for village_code, percentage in catchments[row["code"]]:
            village = villages.get(village_code)
            if village is None or village_code in present:
                continue
            facility_services.catchment_add(
                actor=actor, facility=facility, village=village, percentage=percentage
            )
            created += 1
    for row in CLAIM_ADMINS:
        facility = facilities.get(row["health_facility"])
        if facility is None or ClaimAdmin.objects.current().filter(code=row["code"]).exists():
            continue
        claim_admin_services.claim_admin_create(
            actor=actor,
            code=row["code"],
            last_name=row["last_name"],
            other_names=row["other_names"],
            health_facility=facility,
            phone=row["phone"],
            with_login=not User.objects.filter(username__iexact=row["code"]).exists(),
            password=DEMO_PASSWORD,
        )
        created += 1
    return created
