"""Issue 14, item 9: contracted facilities (« formations sanitaires conventionnées »).  The list
filters by contract state and shows each contract period; the scheme administrator's home page
lists the contracts ending within 30 days."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..factories import login, make_facility
from ..querycount import assert_flat

TODAY = timezone.localdate()


def _d(days: int):
    return TODAY + timedelta(days=days)


def _short(d) -> str:
    return d.strftime("%d/%m/%Y")  # dd/mm/yyyy in English too (kinga/core/formats/en)


@pytest.fixture
def contracted(imis_admin, world):
    """Five facilities of Mfoundi: in contract for long, ending in 10 days, ending in 45 days,
    ended, and without a contract; one of Wouri ending in 5 days (out of the admin's sight)."""

    def hf(code, start, end, district=world.mfoundi):
        return make_facility(
            imis_admin,
            district,
            code=code,
            name=f"Centre {code}",
            contract_start_date=start,
            contract_end_date=end,
        )

    return {
        "long": hf("LONG", _d(-100), _d(300)),
        "soon": hf("SOON", _d(-300), _d(10)),
        "later": hf("LATER", _d(-300), _d(45)),
        "ended": hf("ENDED", _d(-400), _d(-1)),
        "none": hf("NONE", None, None),
        "wouri": hf("WOU", _d(-300), _d(5), world.wouri),
    }


def _codes(client, **params) -> set[str]:
    response = client.get(reverse("facilities:list"), params)
    assert response.status_code == 200
    return {hf.code for hf in response.context["page_obj"]}


def test_the_list_filters_by_contract_state(client, scheme_admin, contracted):
    login(client, scheme_admin)
    assert _codes(client, contract="current") == {"LONG", "SOON", "LATER"}
    assert _codes(client, contract="ending") == {"SOON"}  # within 30 days by default
    assert _codes(client, contract="ending", days=60) == {"SOON", "LATER"}
    assert _codes(client, contract="ended") == {"ENDED"}
    assert _codes(client, contract="none") == {"NONE"}
    assert _codes(client) == {"LONG", "SOON", "LATER", "ENDED", "NONE"}


def test_the_list_shows_each_contract_period_and_state(client, scheme_admin, contracted):
    login(client, scheme_admin)
    page = client.get(reverse("facilities:list")).content.decode()
    soon = contracted["soon"]
    assert f"{_short(soon.contract_start_date)} – {_short(soon.contract_end_date)}" in page
    for text in ("ending soon", "in contract", "ended", "no contract"):
        assert text in page
    # The "ending soon" badge follows the number of days asked for.
    page = client.get(reverse("facilities:list"), {"days": 60}).content.decode()
    assert page.count("ending soon") == 2


def test_a_bad_number_of_days_is_an_error_not_a_500(client, scheme_admin, contracted):
    login(client, scheme_admin)
    response = client.get(reverse("facilities:list"), {"contract": "ending", "days": "-3"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()


def test_the_french_list_shows_dates_as_dd_mm_yyyy(client, scheme_admin, contracted):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    login(client, scheme_admin)
    page = client.get(reverse("facilities:list"), {"contract": "ending"}).content.decode()
    soon = contracted["soon"]
    assert soon.contract_end_date.strftime("%d/%m/%Y") in page
    assert "Contrat se terminant" in page or "fin proche" in page


def test_the_scheme_admins_home_lists_the_contracts_ending_within_30_days(
    client, scheme_admin, contracted
):
    login(client, scheme_admin)
    page = client.get("/").content.decode()
    assert "Facility contracts ending within 30 days" in page
    assert "SOON Centre SOON" in page
    assert f"Contract ends on {_short(_d(10))}, in 10 days" in page
    assert reverse("facilities:detail", args=[contracted["soon"].uuid]) in page
    assert "LATER" not in page and "ENDED" not in page and "LONG Centre" not in page
    assert "WOU" not in page  # another district's facility
    assert "?contract=ending&amp;days=30" in page


def test_no_card_without_the_right_or_without_contracts_ending(
    client, scheme_admin, mfoundi_clerk, contracted
):
    login(client, mfoundi_clerk)
    assert "Facility contracts ending" not in client.get("/").content.decode()
    assert client.get(reverse("facilities:list"), {"contract": "ending"}).status_code == 403
    contracted["soon"].contract_end_date = _d(40)
    contracted["soon"].save()
    login(client, scheme_admin)
    assert "Facility contracts ending" not in client.get("/").content.decode()


def test_the_home_card_costs_the_same_with_many_contracts(client, imis_admin, world):
    seq = iter(range(1000))

    def add(n=30):
        for _ in range(n):
            i = next(seq)
            make_facility(
                imis_admin,
                world.mfoundi,
                code=f"C{i:03}",
                name=f"Centre {i}",
                contract_start_date=_d(-10),
                contract_end_date=_d(1 + i % 29),
            )

    add()
    login(client, imis_admin)
    assert_flat(client, "/", add, at_most=30)
    page = client.get("/").content.decode()
    assert "All contracts ending within 30 days" in page
    assert page.count("Contract ends on") == 10
    assert_flat(
        client,
        reverse("facilities:list"),
        add,
        at_most=10,
        params={"contract": "ending"},
        shown=lambda r: r.context["page_obj"].paginator.count,
    )
