"""`kinga demo`: load the demo scheme (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand
from django.db import transaction

from kinga.core.history import set_actor
from kinga.core.models import Role, User
from kinga.core.rights import IMIS_ADMIN_BIT
from kinga.core.services import users as user_services
from kinga.demo import data
from kinga.facilities.models import HealthFacility
from kinga.locations import services as location_services
from kinga.locations.models import Location


class Command(BaseCommand):
    help = "Load the demo scheme (Centre region of Cameroon) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet=False, **options):
        with transaction.atomic():
            admin = self._admin()
            created = self._locations(admin) + self._facilities(admin) + self._users(admin)
            created += self._registers(admin)
        if not quiet:
            self._print_logins(created)

    def _admin(self) -> User:
        """The first administrator is the only record made without an acting user."""
        login, last, other, _bit, _d, lang, _hf = data.USERS[0]
        admin = User.objects.filter(username=login).first()
        if admin is None:
            admin = User(username=login, last_name=last, other_names=other, language=lang)
            admin.set_password(data.DEMO_PASSWORD)
            set_actor(admin, None, "demo")
            admin.save()
            admin.roles.set([Role.objects.get(is_system=IMIS_ADMIN_BIT, retired_at__isnull=True)])
        return admin

    def _location(self, admin, type_, code, name, parent, **counts) -> tuple[Location, int]:
        existing = Location.objects.filter(code=code, retired_at__isnull=True).first()
        if existing:
            return existing, 0
        loc = location_services.location_create(
            actor=admin, type=type_, code=code, name=name, parent=parent, **counts
        )
        return loc, 1

    def _locations(self, admin) -> int:
        count = 0
        code, name, districts = data.CENTRE
        region, n = self._location(admin, "R", code, name, None)
        count += n
        for d_code, d_name, municipalities in districts:
            district, n = self._location(admin, "D", d_code, d_name, region)
            count += n
            for m_code, m_name, villages in municipalities:
                municipality, n = self._location(admin, "W", m_code, m_name, district)
                count += n
                for v_code, v_name, male, female, families in villages:
                    _v, n = self._location(
                        admin,
                        "V",
                        v_code,
                        v_name,
                        municipality,
                        male_population=male,
                        female_population=female,
                        families=families,
                    )
                    count += n
        return count

    def _facilities(self, admin) -> int:
        count = 0
        for code, name, district_code in data.FACILITIES:
            if HealthFacility.objects.filter(code=code, retired_at__isnull=True).exists():
                continue
            hf = HealthFacility(code=code, name=name, district=_district(district_code))
            set_actor(hf, admin, "demo")
            hf.save()
            count += 1
        return count

    def _users(self, admin) -> int:
        count = 0
        roles = {
            r.is_system: r for r in Role.objects.filter(retired_at__isnull=True, is_system__gt=0)
        }
        for login, last, other, bit, district_codes, lang, hf_code in data.USERS[1:]:
            if User.objects.filter(username=login).exists():
                continue
            user_services.user_create(
                actor=admin,
                username=login,
                last_name=last,
                other_names=other,
                roles=[roles[bit]],
                districts=[_district(c) for c in district_codes],
                language=lang,
                health_facility=(
                    HealthFacility.objects.get(code=hf_code, retired_at__isnull=True)
                    if hf_code
                    else None
                ),
                password=data.DEMO_PASSWORD,
            )
            count += 1
        return count

    def _registers(self, admin) -> int:
        """The registers of the scheme, each app loading its own demo through its services."""
        from importlib import import_module

        count = 0
        for module in DEMO_MODULES:
            count += import_module(module).load(admin)
        return count

    def _print_logins(self, created: int) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Kinga demo ready ({created} records created). Open http://127.0.0.1:8000"
            )
        )
        out.write(f"Demo logins (password for all: {data.DEMO_PASSWORD}):")
        roles = {r.is_system: r.name for r in Role.objects.filter(is_system__gt=0)}
        for login, last, other, bit, districts, _lang, _hf in data.USERS:
            where = ", ".join(districts) if districts else "all districts"
            out.write(f"  {login:<18} {roles.get(bit, bit):<22} {other} {last} ({where})")


# In dependency order: price lists before the facilities that use them, services and items
# before the products that cover them.
DEMO_MODULES = [
    "kinga.medical.demo",
    "kinga.medical.diagnoses_demo",
    "kinga.facilities.demo",
    "kinga.insurees.demo",
    "kinga.policies.demo",
    "kinga.products.demo",
    "kinga.policies.demo_enrolment",
]


def _district(code: str) -> Location:
    return Location.objects.get(code=code, type="D", retired_at__isnull=True)
