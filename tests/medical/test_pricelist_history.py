"""A price list's page shows the history of its members with its own: who added which service
(item), changed its price override (old → new) or removed it; saving the members' table
unchanged adds no history row."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from kinga.medical.models import ItemsPriceListEntry, ServicesPriceListEntry
from kinga.medical.services import pricelists as pricelist_services
from kinga.medical.services.pricelists import ITEMS

from ..factories import login
from ..querycount import page_queries
from .test_pricelists import catalogue, itm, pl, svc  # noqa: F401 (fixture)


def history_of(client, url) -> str:
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="history"') :].replace("\xa0", " ")


def test_members_added_repriced_and_removed_show_with_who(
    client,
    world,
    imis_admin,
    scheme_admin,
    catalogue,  # noqa: F811
):
    mfoundi = pl(scheme_admin, "Mfoundi", world.mfoundi)
    pricelist_services.pricelist_add_members(
        actor=imis_admin, price_list=mfoundi, members=catalogue
    )
    cg, cs = (mfoundi.entries.get(service__code=c) for c in ("CG", "CS"))
    login(client, scheme_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    url = reverse("pricelists:services_detail", args=[mfoundi.uuid])
    data = {f"override-{cg.uuid}": "1 750", f"override-{cs.uuid}": "", "remove": [str(cs.uuid)]}
    assert client.post(url, data).status_code == 302
    history = history_of(client, url)
    assert "Élément CG Acte CG</strong>: Modification" in history
    assert "<strong>prix spécifique</strong>: <del>—</del> → <ins>1 750</ins>" in history
    assert "Élément CS Acte CS</strong>: Retrait" in history
    assert "Élément CES Acte CES</strong>: Ajout" in history
    assert str(scheme_admin) in history and str(imis_admin) in history
    assert history.index("CG Acte CG</strong>: Modification") < history.index(
        "CG Acte CG</strong>: Ajout"
    )
    # The price list's own history is on the same page, in the same table.
    assert "<td>Créé" in history


def test_the_members_table_saved_unchanged_adds_no_history_row(
    client,
    world,
    scheme_admin,
    catalogue,  # noqa: F811
):
    mfoundi = pl(scheme_admin, "Mfoundi", world.mfoundi)
    pricelist_services.pricelist_add_members(
        actor=scheme_admin, price_list=mfoundi, members=catalogue
    )
    cg = mfoundi.entries.get(service__code="CG")
    pricelist_services.pricelist_set_overrides(
        actor=scheme_admin, price_list=mfoundi, overrides={cg: Decimal(1500)}
    )
    before = ServicesPriceListEntry.history.count()
    login(client, scheme_admin)
    url = reverse("pricelists:services_detail", args=[mfoundi.uuid])
    data = {f"override-{e.uuid}": "" for e in mfoundi.entries.all()}
    data[f"override-{cg.uuid}"] = "1500"
    assert client.post(url, data).status_code == 302
    assert ServicesPriceListEntry.history.count() == before


def test_an_items_list_with_35_members_shows_their_history_in_as_many_queries_as_with_3(
    client, imis_admin
):
    national = pl(imis_admin, kind=ITEMS)

    def add(codes):
        members = [itm(imis_admin, code, "1000") for code in codes]
        pricelist_services.pricelist_add_members(
            actor=imis_admin, price_list=national, members=members
        )
        entries = list(national.entries.filter(item__in=members))
        pricelist_services.pricelist_set_overrides(
            actor=imis_admin, price_list=national, overrides={e: "900" for e in entries}
        )

    add(["P01", "P02", "P03"])
    login(client, imis_admin)
    url = reverse("pricelists:items_detail", args=[national.uuid])
    client.get(url)
    few, _sqls, _page = page_queries(client, url)
    add([f"Q{i:02}" for i in range(35)])
    assert ItemsPriceListEntry.history.count() == 76
    many, sqls, page = page_queries(client, url)
    assert many == few, "\n".join(sqls)
    text = page.content.decode()
    assert text.count("Élément Q") == 50
    assert "Élément P01 Produit P01</strong>: Ajout" in client.get(url, {"history": 2}).text


def test_a_district_admin_sees_no_other_districts_list(client, world, imis_admin, scheme_admin):
    wouri = pl(imis_admin, "Wouri", world.wouri)
    login(client, scheme_admin)
    url = reverse("pricelists:services_detail", args=[wouri.uuid])
    assert client.get(url).status_code in (403, 404)
