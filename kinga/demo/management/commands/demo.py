"""`kinga demo`: load the demo scheme (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand
from django.db import transaction

from kinga.core.models import Role
from kinga.demo import (
    claims,
    confidential,
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

# In dependency order: locations first; price lists before the facilities that use them;
# facilities before the users who work at them; services and items before the products that
# cover them; the enrolment, then the claims of the enrolled; last, the HIV programme made
# confidential, with its users (issue 15).
LOADERS = [
    locations,
    medical,
    diagnoses,
    facilities,
    users,
    officers,
    payers,
    products,
    enrolment,
    claims,
    confidential,
]


class Command(BaseCommand):
    help = "Load the demo scheme (Centre region of Cameroon) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet=False, **options):
        with transaction.atomic():
            admin = users.admin()
            created = sum(loader.load(admin) for loader in LOADERS)
        if not quiet:
            self._print_logins(created)

    def _print_logins(self, created: int) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Kinga demo ready ({created} records created). Open http://127.0.0.1:8000"
            )
        )
        out.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        roles = {str(r.is_system): r.name for r in Role.objects.filter(is_system__gt=0)}
        for row in users.USERS:
            role, districts = row["role"], words(row["districts"])
            where = ", ".join(districts) if districts else "all districts"
            if row["health_facility"]:
                where += f", {row['health_facility']}"
            out.write(
                f"  {row['login']:<18} {roles.get(role, role):<22} "
                f"{row['other_names']} {row['last_name']} ({where})"
            )
        out.write("Claim administrators (one per health facility, same password):")
        for row in facilities.CLAIM_ADMINS:
            out.write(
                f"  {row['code']:<18} {row['health_facility']:<22} "
                f"{row['other_names']} {row['last_name']}"
            )
