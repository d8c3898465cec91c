"""The bounded location choices: the search endpoint (`locations:search`) and the picker fields
of kinga.locations.forms, which list their choices in a select when they are few and search
when they are many."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinga.core import access
from kinga.locations import queries
from kinga.locations.forms import LocationPickerField, LocationsPickerField
from kinga.locations.models import Location

from ..conftest import login, make_location

SEARCH = reverse("locations:search")


@pytest.fixture(autouse=True)
def english(client):
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def villages(parent, n: int, prefix: str, start: int = 0) -> list[Location]:
    return [
        make_location(f"{prefix}{i:03}", f"Village {prefix} {i}", "V", parent)
        for i in range(start, start + n)
    ]


def options(response) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', response.text)


# --- the search endpoint --------------------------------------------------------------------


def test_a_mfoundi_clerk_never_gets_a_wouri_village(client, world, mfoundi_clerk):
    villages(world.yaounde1, 3, "YV")
    villages(world.douala1, 3, "DV")
    login(client, mfoundi_clerk)
    found = client.get(SEARCH, {"name": "village", "village_search": "Village"})
    assert found.status_code == 200
    assert "YV000" in found.text and "DV" not in found.text
    for params in (
        {"q": "Akwa"},
        {"q": "AKW"},
        {"q": "", "within": str(world.wouri.uuid)},
        {"q": "", "within": str(world.wouri.pk)},
        {"q": "Village", "within_field": "district", "district": str(world.wouri.pk)},
    ):
        response = client.get(SEARCH, params)
        assert response.status_code == 200
        assert "Akwa" not in response.text and "DV" not in response.text, params


def test_the_search_matches_the_start_of_the_code_or_a_part_of_the_name(
    client, world, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    by_code = client.get(SEARCH, {"q": "nl"})
    assert options(by_code) == [str(world.nlongkak.pk)]
    assert "NLK Nlongkak (Mfoundi › Yaoundé I)" in by_code.text
    assert "selected" in by_code.text  # a single match is chosen at once
    assert options(client.get(SEARCH, {"q": "ongk"})) == [str(world.nlongkak.pk)]
    assert options(client.get(SEARCH, {"q": "LK"})) == []  # codes match from their start
    assert "No match." in client.get(SEARCH, {"q": "zzz"}).text


def test_the_search_gives_at_most_20_matches_and_says_there_are_more(client, world, mfoundi_clerk):
    villages(world.yaounde1, 30, "YV")
    login(client, mfoundi_clerk)
    response = client.get(SEARCH, {"q": "Village"})
    assert len(options(response)) == 20
    assert "More matches: type more of the code or the name." in response.text
    exact = client.get(SEARCH, {"q": "YV029"})
    assert len(options(exact)) == 1 and "More matches" not in exact.text


def test_the_search_makes_the_same_few_queries_for_30_or_3000_villages(
    client, world, mfoundi_clerk, django_assert_num_queries
):
    villages(world.yaounde1, 30, "YV")
    login(client, mfoundi_clerk)
    client.get(SEARCH, {"q": "V"})
    # The session with the user, his rights and districts; the search.
    with django_assert_num_queries(2):
        client.get(SEARCH, {"q": "Village", "within": str(world.mfoundi.uuid)})
    Location.objects.bulk_create(
        Location(code=f"B{i:04}", name=f"Village B {i}", type="V", parent=world.yaounde1)
        for i in range(3000)
    )
    with django_assert_num_queries(2):
        response = client.get(SEARCH, {"q": "Village", "within": str(world.mfoundi.uuid)})
    assert len(options(response)) == 20


def test_the_search_below_a_location_and_of_other_levels(client, world, imis_admin):
    villages(world.obala, 2, "OV")
    login(client, imis_admin)
    below = client.get(SEARCH, {"within": str(world.lekie.uuid), "key": "uuid"})
    assert sorted(options(below)) == sorted(
        str(v.uuid) for v in Location.objects.filter(parent=world.obala)
    )
    municipalities = client.get(SEARCH, {"level": ["W", "D"], "q": "a"})
    assert "DLA1" in municipalities.text and "OBA" in municipalities.text
    assert "Nlongkak" not in municipalities.text
    checkboxes = client.get(SEARCH, {"multiple": "1", "name": "villages", "villages_search": "OV"})
    assert checkboxes.text.count('type="checkbox" name="villages"') == 2


@pytest.mark.parametrize(
    "params",
    [
        {"within": "not-a-key"},
        {"within": "9" * 30},
        {"level": "X"},
        {"name": '"><script>'},
        {"q": "x" * 5000},
        {"key": "drop table"},
        {"within_field": "district", "district": "abc"},
    ],
)
def test_odd_parameters_never_give_an_error(client, world, mfoundi_clerk, params):
    login(client, mfoundi_clerk)
    response = client.get(SEARCH, params)
    assert response.status_code == 200 and "<script>" not in response.text


def test_the_search_needs_a_login(client, world):
    assert client.get(SEARCH, {"q": "N"}).status_code == 302


def test_a_retired_village_is_not_offered(client, world, imis_admin):
    (old,) = villages(world.yaounde1, 1, "RV")
    Location.objects.filter(pk=old.pk).update(retired_at="2026-01-01T00:00Z")
    login(client, imis_admin)
    assert options(client.get(SEARCH, {"q": "RV"})) == []


# --- the fields -----------------------------------------------------------------------------


class OneVillage(forms.Form):
    village = LocationPickerField(queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].offer(queries.visible(user).filter(type="V"))


class Villages(forms.Form):
    villages = LocationsPickerField(queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].offer(queries.visible(user).filter(type="V"))


@pytest.fixture
def many(world, settings):
    """More villages in Mfoundi than a select holds."""
    settings.KINGA_LOCATION_SELECT_MAX = 10
    return villages(world.yaounde1, 30, "YV")


def test_few_choices_stay_a_select_of_them_all(world, mfoundi_clerk):
    form = OneVillage(user=mfoundi_clerk)
    html = str(form["village"])
    assert not form.fields["village"].searching
    assert f'<option value="{world.nlongkak.pk}">NLK Nlongkak</option>' in html
    assert "data-picker" not in html


def test_many_choices_become_a_search_holding_only_the_chosen_one(
    world, many, mfoundi_clerk, django_assert_max_num_queries
):
    access.scope_of(mfoundi_clerk)  # the user's districts, read once per request
    with django_assert_max_num_queries(2):  # the bounded look (11 rows at most), the chosen one
        form = OneVillage(initial={"village": many[7].pk}, user=mfoundi_clerk)
        html = str(form["village"])
    assert form.fields["village"].searching
    assert options_in(html) == [str(many[7].pk)]
    assert "YV007 Village YV 7 (Mfoundi › Yaoundé I)" in html
    assert 'name="village_search"' in html and reverse("locations:search") in html
    assert "<noscript>" in html and 'name="village_code"' in html


def options_in(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', html)


def test_a_chosen_id_is_checked_against_the_scoped_choices(world, many, mfoundi_clerk):
    assert OneVillage({"village": many[3].pk}, user=mfoundi_clerk).is_valid()
    for tampered in (world.akwa.pk, "abc", "1 OR 1=1", "9" * 40, world.akwa.uuid):
        form = OneVillage({"village": tampered}, user=mfoundi_clerk)
        assert not form.is_valid() and "Select a valid choice" in str(form.errors["village"])


def test_without_javascript_the_code_box_chooses_the_village(world, many, mfoundi_clerk):
    form = OneVillage({"village": "", "village_code": " yv012 "}, user=mfoundi_clerk)
    assert form.is_valid() and form.cleaned_data["village"] == many[12]
    wrong = OneVillage({"village_code": "AKW"}, user=mfoundi_clerk)
    assert not wrong.is_valid()
    assert "No location that you may choose here has the code “AKW”." in str(wrong.errors)
    assert 'value="AKW"' in str(wrong["village"])  # the form keeps what was typed
    empty = OneVillage({}, user=mfoundi_clerk)
    assert not empty.is_valid() and "required" in str(empty.errors["village"])


def test_several_villages_by_checkbox_and_by_code(world, many, mfoundi_clerk):
    form = Villages(
        {"villages": [many[1].pk, many[2].pk], "villages_code": "YV005, nlk"},
        user=mfoundi_clerk,
    )
    assert form.is_valid()
    assert set(form.cleaned_data["villages"]) == {many[1], many[2], many[5], world.nlongkak}
    html = str(form["villages"])
    assert html.count("checked") == 4 and 'name="villages_search"' in html
    assert not Villages({"villages": [world.akwa.pk]}, user=mfoundi_clerk).is_valid()
    bad = Villages({"villages": [many[1].pk], "villages_code": "YV001 AKW"}, user=mfoundi_clerk)
    assert not bad.is_valid() and "“AKW”" in str(bad.errors)
    assert Villages({}, user=mfoundi_clerk).is_valid()


def test_the_picker_form_makes_the_same_queries_for_30_or_3000_villages(world, many, mfoundi_clerk):
    access.scope_of(mfoundi_clerk)

    def rendered():
        with CaptureQueriesContext(connection) as ctx:
            str(Villages(initial={"villages": [many[0].pk]}, user=mfoundi_clerk)["villages"])
        return len(ctx)

    before = rendered()
    Location.objects.bulk_create(
        Location(code=f"B{i:04}", name=f"B {i}", type="V", parent=world.yaounde1)
        for i in range(3000)
    )
    assert rendered() == before == 2


# --- the location forms' parent -------------------------------------------------------------


def test_the_parent_of_a_new_location_is_searched_when_there_are_many(
    client, world, imis_admin, settings
):
    settings.KINGA_LOCATION_SELECT_MAX = 10
    for i in range(15):
        make_location(f"W{i:03}", f"Commune {i}", "W", world.mfoundi)
    login(client, imis_admin)
    create = reverse("locations:create")
    page = client.get(create, {"parent": world.yaounde1.uuid}).text
    assert "Commune 12" not in page and 'name="parent_search"' in page
    assert f'<option value="{world.yaounde1.uuid}" selected>YDE1 Yaoundé I' in page
    assert "level=R&amp;level=D&amp;level=W" in page
    response = client.post(create, {"type": "V", "parent_code": "W012", "code": "EMN", "name": "E"})
    assert response.status_code == 302
    assert Location.objects.get(code="EMN").parent.code == "W012"
    tampered = client.post(create, {"type": "V", "parent": "x", "code": "EMO", "name": "E"})
    assert tampered.status_code == 200 and "Select a valid choice" in tampered.text
    move = reverse("locations:move", args=[world.nlongkak.uuid])
    preview = client.post(move, {"parent_code": "W003"})
    assert preview.status_code == 200 and "Confirm the move" in preview.text
    assert "selected>W003 Commune 3" in preview.text  # the code found, kept for the confirmation
