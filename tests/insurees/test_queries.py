from datetime import date

from kinga.insurees.models import Officer
from kinga.insurees.queries import officers as queries
from kinga.insurees.services import officers as services

from ..conftest import make_user
from .conftest import new_officer, update_officer


def codes(qs) -> list[str]:
    return [o.code for o in qs]


def test_officers_for_enrolment_are_the_current_officers_of_the_district_still_working(
    scheme_admin, places
):
    on = date(2026, 6, 15)
    new_officer(scheme_admin, "EO1", places.mfoundi)
    sub = new_officer(scheme_admin, "EO2", places.mfoundi)
    new_officer(scheme_admin, "EO3", places.mfoundi, substitute=sub, works_to=on)
    new_officer(scheme_admin, "EO4", places.mfoundi, substitute=sub, works_to=date(2026, 6, 14))
    gone = new_officer(scheme_admin, "EO5", places.mfoundi)
    services.officer_retire(actor=scheme_admin, officer=gone)
    new_officer(scheme_admin, "EOL", places.lekie)
    assert codes(queries.officers_for_enrolment(scheme_admin, places.mfoundi, on)) == [
        "EO1",
        "EO2",
        "EO3",
    ]


def test_officers_for_enrolment_are_empty_outside_the_users_districts(
    imis_admin, scheme_admin, places
):
    new_officer(imis_admin, "EOW", places.wouri)
    assert codes(queries.officers_for_enrolment(imis_admin, places.wouri, date(2026, 1, 1))) == [
        "EOW"
    ]
    assert not queries.officers_for_enrolment(scheme_admin, places.wouri, date(2026, 1, 1))


def test_the_renewal_officer_is_the_officer_while_he_still_works(scheme_admin, places):
    sub = new_officer(scheme_admin, "EO2", places.mfoundi)
    officer = new_officer(
        scheme_admin, "EO1", places.mfoundi, substitute=sub, works_to=date(2026, 6, 30)
    )
    assert queries.renewal_officer(officer, date(2026, 6, 30)) == officer
    assert queries.renewal_officer(sub, date(2030, 1, 1)) == sub


def test_the_renewal_officer_follows_the_substitution_chain(scheme_admin, places):
    c = new_officer(scheme_admin, "EOC", places.mfoundi)
    b = new_officer(scheme_admin, "EOB", places.mfoundi, substitute=c, works_to=date(2026, 3, 31))
    a = new_officer(scheme_admin, "EOA", places.mfoundi, substitute=b, works_to=date(2026, 1, 31))
    assert queries.renewal_officer(a, date(2026, 2, 1)) == b
    assert queries.renewal_officer(a, date(2026, 4, 1)) == c


def test_the_renewal_chain_stops_after_twenty_hops(
    scheme_admin, places, django_assert_max_num_queries
):
    a = new_officer(scheme_admin, "EOA", places.mfoundi)
    b = new_officer(scheme_admin, "EOB", places.mfoundi, substitute=a, works_to=date(2020, 1, 1))
    # A circle the services refuse, written behind their back (e.g. by an old import).
    Officer.objects.filter(pk=a.pk).update(substitute=b, works_to=date(2020, 1, 1))
    a.refresh_from_db()
    with django_assert_max_num_queries(20):
        found = queries.renewal_officer(a, date(2026, 1, 1))
    assert found in (a, b)


def test_the_search_finds_code_names_and_phone_within_the_users_districts(
    imis_admin, scheme_admin, places
):
    new_officer(scheme_admin, "EO1", places.mfoundi, last_name="Ndzana", phone="677123")
    new_officer(imis_admin, "EOW", places.wouri, last_name="Ndzana")
    assert codes(queries.search(scheme_admin, q="ndzana")) == ["EO1"]
    assert codes(queries.search(scheme_admin, q="677123")) == ["EO1"]
    assert codes(queries.search(imis_admin, q="ndzana")) == ["EO1", "EOW"]
    clerk = make_user(roles=["scheme_admin"], districts=[places.wouri])
    assert codes(queries.search(clerk)) == ["EOW"]


def test_edits_keep_the_renewal_chain_readable(scheme_admin, places):
    sub = new_officer(scheme_admin, "EO2", places.mfoundi)
    officer = new_officer(scheme_admin, "EO1", places.mfoundi)
    officer = update_officer(scheme_admin, officer, substitute=sub, works_to=date(2026, 1, 1))
    assert queries.renewal_officer(officer, date(2026, 1, 2)) == sub
