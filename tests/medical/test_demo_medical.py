"""The demo medical registers load through the services, once."""

from decimal import Decimal

from kinga.demo import medical as demo
from kinga.medical.models import (
    Item,
    ItemsPriceList,
    Service,
    ServicesPriceList,
)


def test_the_demo_loads_services_items_and_price_lists_and_is_idempotent(world, imis_admin):
    created = demo.load(imis_admin)
    assert Service.objects.count() == len(demo.SERVICES) >= 150
    assert Item.objects.count() == len(demo.ITEMS) >= 300
    assert Service.objects.get(code="CHI01").price == Decimal("150000")
    assert Service.objects.get(code="VIH03").name == "Charge virale VIH"
    national = ServicesPriceList.objects.get(name=demo.NATIONAL_SERVICES)
    assert national.location is None and national.entries.count() == len(demo.SERVICES)
    items = ItemsPriceList.objects.get(name=demo.NATIONAL_ITEMS)
    assert items.entries.count() == len(demo.ITEMS)
    mfoundi = ServicesPriceList.objects.get(name=demo.MFOUNDI_SERVICES)
    assert mfoundi.location == world.mfoundi
    cesarienne = mfoundi.entries.get(service__code="CHI01")
    assert cesarienne.effective_price == Decimal("175000")
    assert mfoundi.entries.get(service__code="CPN1").effective_price == Decimal("2000")
    assert Service.objects.get(code="CG01").history.get().history_user == imis_admin
    assert created == len(demo.SERVICES) + len(demo.ITEMS) + 3 + 2 * len(demo.SERVICES) + len(
        demo.ITEMS
    )
    assert demo.load(imis_admin) == 0
