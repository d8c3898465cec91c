"""`kinga demo`: load the demo scheme (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand
from django.db import transaction

from kinga.core.history import set_actor
from kinga.core.models import Role
from kinga.demo import (
    diagnoses,
    enrolment,
    facilities,
    locations,
    medical,
    officers,
    payers,
    products,
    users,
)
from kinga.demo.data import DEMO_PASSWORD, words
from kinga.facilities.models import HealthFacility
from kinga.locations.models import Location

# In dependency order: price lists before the facilities that use them, services and items
# before the products that cover them.
REGISTERS = [medical, diagnoses, facilities, officers, payers, products, enrolment]


class Command(BaseCommand):
    help = "Load the demo scheme (Centre region of Cameroon) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet=False, **options):
        with transaction.atomic():
            admin = users.admin()
            created = locations.load(admin) + self._facilities(admin) + users.load(admin)
            created += sum(loader.load(admin) for loader in REGISTERS)
        if not quiet:
            self._print_logins(created)

    def _facilities(self, admin) -> int:
        """The facilities the demo users work at, before the users; the facilities demo
        completes them."""
        count = 0
        at = {row["health_facility"] for row in users.USERS if row["health_facility"]}
        for row in facilities.FACILITIES:
            if row["code"] not in at:
                continue
            if HealthFacility.objects.filter(code=row["code"], retired_at__isnull=True).exists():
                continue
            district = Location.objects.get(code=row["district"], type="D", retired_at__isnull=True)
            hf = HealthFacility(code=row["code"], name=row["name"], district=district)
            set_actor(hf, admin, "demo")
            hf.save()
            count += 1
        return count

    def _print_logins(self, created: int) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Kinga demo ready ({created} records created). Open http://127.0.0.1:8000"
            )
        )
        out.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        roles = {r.is_system: r.name for r in Role.objects.filter(is_system__gt=0)}
        for row in users.USERS:
            bit, districts = int(row["role"]), words(row["districts"])
            where = ", ".join(districts) if districts else "all districts"
            out.write(
                f"  {row['login']:<18} {roles.get(bit, bit):<22} "
                f"{row['other_names']} {row['last_name']} ({where})"
            )
