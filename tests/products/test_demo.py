"""The demo products load through the services, once."""

from kinga.demo import products as demo
from kinga.products.models import Product


def test_the_demo_products_load_once(imis_admin, medical, world):
    assert demo.load(imis_admin) == 4
    assert demo.load(imis_admin) == 0
    test = Product.objects.get(code="VIH_Test")
    care = Product.objects.get(code="VIH_Soins")
    fam = Product.objects.get(code="FAM")
    assert test.programme.code == care.programme.code == "VIH"
    assert test.location == world.centre and test.premium_adult is None
    assert {"CONS", "DVIH"} <= set(test.services.values_list("service__code", flat=True))
    assert {"TDF", "CTX", "FLU"} == set(care.items.values_list("item__code", flat=True))
    assert fam.cycles == ["01-01", "01-07"]
    assert set(fam.items.values_list("limit_adult", flat=True)) == {80}
    surgery = fam.services.get(service__code="CHIR")
    assert surgery.waiting_period_adult == 6
