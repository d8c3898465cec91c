"""The demo facilities load through the services, and a second run changes nothing."""

from io import StringIO

from django.core.management import call_command

from kinga.core.models import User
from kinga.demo import facilities as demo
from kinga.facilities.models import Catchment, ClaimAdmin, HealthFacility


def test_the_demo_loads_once_and_keeps_the_existing_codes(db):
    call_command("demo", "--quiet", stdout=StringIO())
    admin = User.objects.get(username="admin")
    assert HealthFacility.objects.current().count() == len(demo.FACILITIES)
    hcy = HealthFacility.objects.get(code="HCY")
    assert hcy.level == "H" and hcy.phone
    # The national price lists of the medical demo.
    assert hcy.services_price_list.location is None and hcy.items_price_list.location is None
    assert HealthFacility.objects.get(code="HSMP").legal_form == "C"
    assert Catchment.objects.current().filter(health_facility=hcy).count() == 2
    ca = ClaimAdmin.objects.get(code="GPHCY1")
    assert ca.user.username == "GPHCY1" and ca.user.check_password("Kinga@2026")
    assert ClaimAdmin.objects.count() == len(demo.CLAIM_ADMINS)
    history = sum(hf.history.count() for hf in HealthFacility.objects.all())
    assert demo.load(admin) == 0
    assert sum(hf.history.count() for hf in HealthFacility.objects.all()) == history
