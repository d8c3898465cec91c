"""Services and items price lists: scope, members, effective price, duplicate, history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core.errors import Refused
from kinga.medical.models import ItemsPriceList, ServicesPriceListEntry
from kinga.medical.queries import pricelists as pricelist_queries
from kinga.medical.services import catalogue as catalogue_services
from kinga.medical.services import pricelists as pricelist_services
from kinga.medical.services.pricelists import ITEMS, SERVICES

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")

DAY = datetime.date(2026, 1, 15)


def svc(actor, code, price, **fields):
    values = {
        "name": f"Acte {code}",
        "type": "C",
        "level": "S",
        "care_type": "O",
        "category": "C",
        **fields,
    }
    return catalogue_services.service_create(actor=actor, code=code, price=Decimal(price), **values)


def itm(actor, code, price, **fields):
    values = {"name": f"Produit {code}", "type": "D", "care_type": "B", **fields}
    return catalogue_services.item_create(actor=actor, code=code, price=Decimal(price), **values)


@pytest.fixture
def wouri_admin(world):
    return make_user("scheme.wouri", roles=["scheme_admin"], districts=[world.wouri])


@pytest.fixture
def catalogue(imis_admin):
    return [
        svc(imis_admin, "CG", "2000"),
        svc(imis_admin, "CS", "5000"),
        svc(imis_admin, "CES", "150000", category="S", level="H", care_type="I"),
    ]


def pl(actor, name="Liste nationale", location=None, kind=SERVICES):
    return pricelist_services.pricelist_create(
        actor=actor, kind=kind, name=name, date=DAY, location=location
    )


# --- scope --------------------------------------------------------------------------------------


def test_only_a_user_who_sees_everything_makes_a_national_list(imis_admin, scheme_admin):
    assert pl(imis_admin).location is None
    with pytest.raises(Refused) as refused:
        pl(scheme_admin, name="Autre")
    assert refused.value.field == "location"


def test_a_district_scheme_admin_makes_a_list_for_his_district_not_another(world, scheme_admin):
    assert pl(scheme_admin, "Mfoundi", world.mfoundi).location == world.mfoundi
    with pytest.raises(Refused) as refused:
        pl(scheme_admin, "Wouri", world.wouri)
    assert refused.value.field == "location"


def test_a_region_list_needs_the_region_among_the_users_regions(world, scheme_admin):
    assert pl(scheme_admin, "Centre", world.centre).location == world.centre
    with pytest.raises(Refused):
        pl(scheme_admin, "Littoral", world.littoral)


def test_a_list_is_of_a_region_or_a_district(world, imis_admin):
    with pytest.raises(Refused) as refused:
        pl(imis_admin, "Village", world.nlongkak)
    assert refused.value.field == "location"


def test_the_list_page_shows_national_lists_and_those_of_the_users_locations(
    client, world, imis_admin, wouri_admin
):
    pl(imis_admin, "Nationale")
    pl(imis_admin, "Liste Mfoundi", world.mfoundi)
    pl(imis_admin, "Liste Littoral", world.littoral)
    pl(imis_admin, "Liste Wouri", world.wouri)
    login(client, wouri_admin)
    page = client.get(reverse("pricelists:services")).content.decode()
    assert "Nationale" in page and "Liste Wouri" in page and "Liste Littoral" in page
    assert "Liste Mfoundi" not in page


def test_a_wouri_scheme_admin_cannot_see_or_change_a_mfoundi_list_by_url(
    client, world, imis_admin, wouri_admin, catalogue
):
    mfoundi = pl(imis_admin, "Liste Mfoundi", world.mfoundi)
    login(client, wouri_admin)
    for action in ("detail", "edit", "add", "duplicate", "retire"):
        url = reverse(f"pricelists:services_{action}", args=[mfoundi.uuid])
        assert client.get(url).status_code == 403, action
        assert client.post(url, {"name": "x"}).status_code == 403, action
    with pytest.raises(PermissionDenied):
        pricelist_services.pricelist_add_members(
            actor=wouri_admin, price_list=mfoundi, members=catalogue
        )


def test_a_district_admin_sees_but_cannot_change_a_national_list_and_may_copy_it_home(
    client, world, imis_admin, scheme_admin, catalogue
):
    national = pl(imis_admin)
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=national, members=catalogue
    )
    login(client, scheme_admin)
    page = client.get(reverse("pricelists:services_detail", args=[national.uuid]))
    assert page.status_code == 200 and "CES" in page.content.decode()
    assert reverse("pricelists:services_edit", args=[national.uuid]) not in page.content.decode()
    assert client.get(reverse("pricelists:services_edit", args=[national.uuid])).status_code == 403
    entry = national.entries.first()
    response = client.post(
        reverse("pricelists:services_detail", args=[national.uuid]),
        {f"override-{entry.uuid}": "1"},
    )
    assert response.status_code == 403
    # but he may copy it into his district (duplicate right + his district)
    copy = pricelist_services.pricelist_duplicate(
        actor=scheme_admin, price_list=national, name="Copie Mfoundi", location=world.mfoundi
    )
    assert copy.entries.count() == 3
    with pytest.raises(Refused):
        pricelist_services.pricelist_duplicate(
            actor=scheme_admin, price_list=national, name="Copie"
        )


@pytest.mark.parametrize("url_name", ["pricelists:services", "pricelists:items"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("scheme_admin", 200), ("imis_admin", 200), ("mfoundi_clerk", 403), ("accountant", 403)],
)
def test_who_may_open_the_price_list_pages(client, world, request, url_name, who, status):
    if who == "accountant":
        user = make_user(roles=["accountant"], districts=[world.mfoundi])
    else:
        user = request.getfixturevalue(who)
    assert login(client, user).get(reverse(url_name)).status_code == status


# --- members and prices --------------------------------------------------------------------------


def test_members_are_added_once_and_retired_ones_are_skipped(imis_admin, catalogue):
    national = pl(imis_admin)
    old = svc(imis_admin, "OLD", "100")
    catalogue_services.service_retire(actor=imis_admin, service=old)
    assert (
        pricelist_services.pricelist_add_members(
            actor=imis_admin, price_list=national, members=[*catalogue, old]
        )
        == 3
    )
    assert (
        pricelist_services.pricelist_add_members(
            actor=imis_admin, price_list=national, members=catalogue
        )
        == 0
    )
    assert national.entries.current().count() == 3


def test_the_effective_price_is_the_override_else_the_register_price(imis_admin, catalogue):
    national = pl(imis_admin)
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=national, members=catalogue
    )
    cg = national.entries.get(service__code="CG")
    changed = pricelist_services.pricelist_set_overrides(
        actor=imis_admin, price_list=national, overrides={cg: "1500"}
    )
    assert changed == 1
    prices = {e.service.code: e.effective_price for e in pricelist_queries.members(national)}
    assert prices == {"CG": Decimal("1500"), "CS": Decimal("5000"), "CES": Decimal("150000")}
    pricelist_services.pricelist_set_overrides(
        actor=imis_admin, price_list=national, overrides={cg: None}
    )
    cg.refresh_from_db()
    assert cg.price_override is None and cg.effective_price == Decimal("2000")


def test_a_negative_override_is_refused(imis_admin, catalogue):
    national = pl(imis_admin)
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=national, members=catalogue
    )
    entry = national.entries.first()
    with pytest.raises(Refused):
        pricelist_services.pricelist_set_overrides(
            actor=imis_admin, price_list=national, overrides={entry: Decimal("-1")}
        )


def test_a_removed_member_is_retired_and_may_come_back(imis_admin, catalogue):
    national = pl(imis_admin)
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=national, members=catalogue
    )
    cg = national.entries.get(service__code="CG")
    assert pricelist_services.pricelist_remove_members(
        actor=imis_admin, price_list=national, entries=[cg]
    )
    cg.refresh_from_db()
    assert cg.retired_at is not None
    assert [e.service.code for e in pricelist_queries.members(national)] == ["CES", "CS"]
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=national, members=catalogue[:1]
    )
    assert national.entries.filter(service__code="CG").count() == 2
    assert national.entries.current().count() == 3


def test_the_detail_page_saves_overrides_and_removals(client, world, scheme_admin, catalogue):
    mfoundi = pl(scheme_admin, "Mfoundi", world.mfoundi)
    pricelist_services.pricelist_add_members(
        actor=scheme_admin, price_list=mfoundi, members=catalogue
    )
    cg, cs = (mfoundi.entries.get(service__code=c) for c in ("CG", "CS"))
    login(client, scheme_admin)
    url = reverse("pricelists:services_detail", args=[mfoundi.uuid])
    response = client.post(
        url, {f"override-{cg.uuid}": "1 750", f"override-{cs.uuid}": "", "remove": [str(cs.uuid)]}
    )
    assert response.status_code == 302
    cg.refresh_from_db()
    cs.refresh_from_db()
    assert cg.price_override == Decimal("1750") and cs.retired_at is not None
    page = client.get(url).content.decode()
    assert "1\xa0750\xa0FCFA" in page and "Price override" in page and "Removed" in page


def test_a_bad_override_on_the_page_names_the_member_and_writes_nothing(
    client, world, scheme_admin, catalogue
):
    mfoundi = pl(scheme_admin, "Mfoundi", world.mfoundi)
    pricelist_services.pricelist_add_members(
        actor=scheme_admin, price_list=mfoundi, members=catalogue
    )
    cg, cs = (mfoundi.entries.get(service__code=c) for c in ("CG", "CS"))
    login(client, scheme_admin)
    url = reverse("pricelists:services_detail", args=[mfoundi.uuid])
    response = client.post(url, {f"override-{cg.uuid}": "100", f"override-{cs.uuid}": "-5"})
    page = response.content.decode()
    assert response.status_code == 200 and "CS Acte CS" in page and "0 or more" in page
    cg.refresh_from_db()
    assert cg.price_override is None


def test_the_add_page_adds_ticked_members_or_all_that_match(client, imis_admin, catalogue):
    national = pl(imis_admin)
    login(client, imis_admin)
    url = reverse("pricelists:services_add", args=[national.uuid])
    page = client.get(url, {"category": "C"}).content.decode()
    assert "CG" in page and "CES" not in page
    client.post(url, {"member": [str(catalogue[0].uuid)]})
    assert [e.service.code for e in pricelist_queries.members(national)] == ["CG"]
    client.post(url + "?category=C", {"all": "1"})
    assert [e.service.code for e in pricelist_queries.members(national)] == ["CG", "CS"]
    assert "CG" not in client.get(url).content.decode().split("<tbody>")[1].split("CES")[0]


def test_the_detail_page_makes_a_bounded_number_of_queries(
    client, imis_admin, django_assert_max_num_queries
):
    national = pl(imis_admin)
    members = [svc(imis_admin, f"S{i}", "1000") for i in range(40)]
    pricelist_services.pricelist_add_members(actor=imis_admin, price_list=national, members=members)
    pricelist_services.pricelist_set_overrides(
        actor=imis_admin,
        price_list=national,
        overrides={e: "900" for e in national.entries.all()[:10]},
    )
    login(client, imis_admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("pricelists:services_detail", args=[national.uuid]))
    assert response.status_code == 200


# --- duplicate, edit, retire, history -------------------------------------------------------------


def test_duplicate_copies_current_members_and_overrides_under_a_new_name(
    world, imis_admin, catalogue
):
    national = pl(imis_admin)
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=national, members=catalogue
    )
    entries = {e.service.code: e for e in national.entries.all()}
    pricelist_services.pricelist_set_overrides(
        actor=imis_admin, price_list=national, overrides={entries["CS"]: "4000"}
    )
    pricelist_services.pricelist_remove_members(
        actor=imis_admin, price_list=national, entries=[entries["CES"]]
    )
    with pytest.raises(Refused) as refused:
        pricelist_services.pricelist_duplicate(
            actor=imis_admin, price_list=national, name="Liste nationale"
        )
    assert refused.value.field == "name"
    copy = pricelist_services.pricelist_duplicate(
        actor=imis_admin, price_list=national, name="Liste 2027", location=world.mfoundi
    )
    assert copy.location == world.mfoundi and copy.pk != national.pk
    assert {e.service.code: e.price_override for e in copy.entries.current()} == {
        "CG": None,
        "CS": Decimal("4000.00"),
    }
    assert national.entries.current().count() == 2  # the source is untouched
    assert copy.history.get().history_user == imis_admin


def test_duplicate_by_the_page_keeps_the_source_location_by_default(
    client, world, scheme_admin, catalogue
):
    mfoundi = pl(scheme_admin, "Mfoundi 2026", world.mfoundi)
    pricelist_services.pricelist_add_members(
        actor=scheme_admin, price_list=mfoundi, members=catalogue
    )
    login(client, scheme_admin)
    url = reverse("pricelists:services_duplicate", args=[mfoundi.uuid])
    assert "Copy of Mfoundi 2026" in client.get(url).content.decode()
    response = client.post(
        url, {"name": "Mfoundi 2027", "date": "2027-01-01", "location": str(world.mfoundi.uuid)}
    )
    assert response.status_code == 302
    copy = SERVICES.model.objects.get(name="Mfoundi 2027")
    assert copy.entries.count() == 3 and copy.location == world.mfoundi


def test_a_list_name_is_unique_among_current_lists_of_its_kind(imis_admin):
    first = pl(imis_admin)
    with pytest.raises(Refused):
        pl(imis_admin)
    assert pl(imis_admin, kind=ITEMS).pk  # the items lists are another register
    pricelist_services.pricelist_retire(actor=imis_admin, price_list=first)
    assert pl(imis_admin).pk != first.pk


def test_creating_a_list_by_the_form_and_editing_it_leaves_history(client, world, scheme_admin):
    login(client, scheme_admin)
    response = client.post(
        reverse("pricelists:items_create"),
        {"name": "Produits Mfoundi", "date": "2026-02-01", "location": str(world.mfoundi.uuid)},
    )
    assert response.status_code == 302
    items_pl = ItemsPriceList.objects.get(name="Produits Mfoundi")
    response = client.post(
        reverse("pricelists:items_edit", args=[items_pl.uuid]),
        {"name": "Produits Mfoundi 2026", "date": "2026-02-01", "location": str(world.lekie.uuid)},
    )
    assert response.status_code == 302
    items_pl.refresh_from_db()
    assert items_pl.location == world.lekie
    page = client.get(reverse("pricelists:items_detail", args=[items_pl.uuid])).content.decode()
    assert "History of changes" in page and "Produits Mfoundi 2026" in page
    assert items_pl.history.count() == 2


def test_the_create_form_of_a_district_admin_offers_no_national_choice(client, scheme_admin):
    login(client, scheme_admin)
    page = client.get(reverse("pricelists:services_create")).content.decode()
    assert "(national)" not in page and "Mfoundi" in page and "Wouri" not in page


def test_retiring_a_list_hides_it_by_default(client, world, scheme_admin):
    mfoundi = pl(scheme_admin, "Mfoundi", world.mfoundi)
    login(client, scheme_admin)
    assert (
        client.post(reverse("pricelists:services_retire", args=[mfoundi.uuid])).status_code == 302
    )
    mfoundi.refresh_from_db()
    assert mfoundi.is_retired
    detail = reverse("pricelists:services_detail", args=[mfoundi.uuid])
    assert detail not in client.get(reverse("pricelists:services")).content.decode()
    assert detail in client.get(reverse("pricelists:services"), {"retired": "on"}).content.decode()


def test_member_history_names_who_added_changed_and_removed(imis_admin, catalogue):
    national = pl(imis_admin)
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=national, members=catalogue[:1]
    )
    entry = national.entries.get()
    pricelist_services.pricelist_set_overrides(
        actor=imis_admin, price_list=national, overrides={entry: 1}
    )
    pricelist_services.pricelist_remove_members(
        actor=imis_admin, price_list=national, entries=[entry]
    )
    history = pricelist_queries.member_history(national)
    assert [(h.what, h.user) for h in history] == [
        ("Removed", imis_admin),
        ("Price override", imis_admin),
        ("Added", imis_admin),
    ]
    assert history[1].old is None and history[1].new == Decimal("1")
    assert ServicesPriceListEntry.history.count() == 3


def test_items_lists_work_the_same_way(imis_admin):
    items_pl = pl(imis_admin, "Produits", kind=ITEMS)
    para = itm(imis_admin, "PARA", "250")
    pricelist_services.pricelist_add_members(actor=imis_admin, price_list=items_pl, members=[para])
    entry = items_pl.entries.get()
    pricelist_services.pricelist_set_overrides(
        actor=imis_admin, price_list=items_pl, overrides={entry: 200}
    )
    entry.refresh_from_db()
    assert entry.effective_price == Decimal("200")


def test_the_price_lists_page_makes_a_bounded_number_of_queries(
    client, world, imis_admin, scheme_admin, django_assert_max_num_queries
):
    for i in range(15):
        pl(imis_admin, f"Liste {i}", [None, world.mfoundi, world.centre][i % 3])
    login(client, scheme_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("pricelists:services"))
    assert response.status_code == 200 and "Liste 14" in response.content.decode()
