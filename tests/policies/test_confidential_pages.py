"""Issue 15: a VIH_Soins beneficiary on the enrolment pages.  A clerk without the programme's
right sees his insurance number, sex and year of birth with « Confidential data », and the
response holds none of his names nor the VIH_Soins policy; the programme's user sees it all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kinga.insurees.models import Insuree

from ..conftest import login, make_user
from .test_policies import attach

pytestmark = pytest.mark.usefixtures("english")

# The family's surname, and its members' first names (officers Paul Ateba and Marie Owona are
# named on some pages: the first names are looked for beside the surname).
NAMES = ("Mballa", "Jean M", "Marie M", "Paul M", "Luc M", ">Jean<", ">Luc<")


@pytest.fixture
def soins(enrolment, mfoundi_clerk):
    enrolment.vih.confidential = True
    enrolment.vih.save()
    enrolment.policy = attach(mfoundi_clerk, enrolment, enrolment.vih_soins).policy
    enrolment.head = enrolment.family.head
    return enrolment


@pytest.fixture
def clerk(world):
    """A district clerk, not among the programme's users: the beneficiaries are hidden."""
    return make_user("clerk2", roles=["clerk"], districts=[world.mfoundi])


@pytest.fixture
def focal(world, soins):
    """The programme's focal point: named among its users."""
    user = make_user("focal", roles=["clerk"], districts=[world.mfoundi])
    soins.vih.users.add(user)
    return user


def hidden(body: str) -> None:
    for name in NAMES:
        assert name not in body
    assert "VIH_Soins" not in body and "VIH Soins" not in body
    assert "Confidential data" in body


def shown(body: str) -> None:
    for name in ("Mballa", "Jean"):
        assert name in body
    assert "Confidential data" not in body


def get(client, user, url, **params):
    login(client, user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_a_number_search_masked_and_a_name_search_finds_nobody(client, soins, clerk):
    body = get(client, clerk, reverse("families:list"), number=soins.head.insurance_number)
    hidden(body)
    assert soins.head.insurance_number in body and ">1980<" in body.replace(" ", "")
    for criteria in ({"name": "Mballa"}, {"name": "Jean"}, {"dob": "01/05/1980"}):
        body = get(client, clerk, reverse("families:list"), **criteria)
        assert "No insuree matches." in body and soins.head.insurance_number not in body


def test_a_list_by_place_or_of_everyone_leaves_the_masked_rows_out(client, soins, clerk, world):
    """Listed among others in name order, a masked row's place would tell the first letters of
    the name it hides: only a search by its number shows it."""
    for params in ({}, {"village": world.nlongkak.pk}, {"district": world.mfoundi.pk}):
        body = get(client, clerk, reverse("families:list"), **params)
        for name in NAMES:
            assert name not in body
        assert "Confidential data" not in body and soins.head.insurance_number not in body
    body = get(client, clerk, reverse("families:list"), number=soins.head.insurance_number)
    hidden(body)
    assert body.count("Confidential data") == 1


def test_the_programme_user_sees_the_names_in_the_list(client, soins, focal):
    shown(get(client, focal, reverse("families:list"), name="Mballa"))


def test_the_family_page_masks_the_members_and_has_no_vih_policy(client, soins, clerk):
    url = reverse("families:detail", kwargs={"uuid": soins.family.uuid})
    body = get(client, clerk, url)
    hidden(body)
    assert "Family: confidential data" in body
    block = get(client, clerk, reverse("policies:family_block", args=[soins.family.uuid]))
    assert "VIH_Soins" not in block and "VIH Soins" not in block
    for name in NAMES:
        assert name not in block


def test_the_focal_point_sees_the_family_and_its_policy(client, soins, focal):
    shown(get(client, focal, reverse("families:detail", kwargs={"uuid": soins.family.uuid})))
    block = get(client, focal, reverse("policies:family_block", args=[soins.family.uuid]))
    assert "VIH Soins" in block or "VIH_Soins" in block


def test_the_insuree_page_is_masked(client, soins, clerk, focal):
    url = reverse("families:insuree", kwargs={"uuid": soins.head.uuid})
    body = get(client, clerk, url)
    hidden(body)
    assert soins.head.insurance_number in body and "1980" in body and "01/05/1980" not in body
    shown(get(client, focal, url))


@pytest.mark.parametrize(
    "name", ["insuree_edit", "insuree_move", "insuree_detach", "insuree_retire"]
)
def test_changing_a_masked_insuree_is_refused_with_the_reason(client, soins, clerk, name):
    login(client, clerk)
    response = client.get(reverse(f"families:{name}", kwargs={"uuid": soins.head.uuid}))
    assert response.status_code == 403
    body = response.content.decode()
    assert "confidential health programme" in body
    for n in NAMES:
        assert n not in body


@pytest.mark.parametrize("name", ["edit", "location", "head", "member_add", "retire"])
def test_changing_a_masked_family_is_refused(client, soins, clerk, name):
    login(client, clerk)
    response = client.post(reverse(f"families:{name}", kwargs={"uuid": soins.family.uuid}))
    assert response.status_code == 403
    assert "confidential health programme" in response.content.decode()
    assert Insuree.objects.get(pk=soins.head.pk).last_name == "Mballa"


def test_the_focal_point_may_edit(client, soins, focal):
    login(client, focal)
    url = reverse("families:insuree_edit", kwargs={"uuid": soins.head.uuid})
    assert client.get(url).status_code == 200


def test_the_policy_and_its_contribution_pages_are_absent(client, soins, clerk, focal):
    url = reverse("policies:detail", kwargs={"uuid": soins.policy.uuid})
    login(client, clerk)
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("policies:contribution_add", args=[soins.policy.uuid])).status_code
        == 404
    )
    shown(get(client, focal, url))


def test_the_enquiry_masks_the_insuree_and_leaves_out_the_vih_policy(client, soins, clerk, focal):
    attach(focal, soins, soins.mut)  # a policy the clerk may see
    url = reverse("policies:enquiry")
    body = get(client, clerk, url, number=soins.head.insurance_number)
    hidden(body)
    assert "MUT" in body and "Year of birth" in body and "1980" in body
    body = get(client, focal, url, number=soins.head.insurance_number)
    shown(body)
    assert "VIH_Soins" in body and "01/05/1980" in body


def test_the_enquiry_of_a_person_the_programme_does_not_cover_is_whole(client, soins, clerk, world):
    from ..factories import make_family

    other = make_family(world.nlongkak, ("Alain", date(1970, 1, 2), None))
    body = get(client, clerk, reverse("policies:enquiry"), number=other.head.insurance_number)
    assert "Alain Mballa" in body and "02/01/1970" in body and "Confidential data" not in body


def test_the_renewal_reminders_mask_the_head_and_leave_out_the_vih_policy(client, enrolment, world):
    from django.utils import timezone

    from kinga.products.models import Product

    from .test_renewal_pages import make_policy

    enrolment.vih.confidential = True
    enrolment.vih.save()
    Product.objects.update(date_from=date(2020, 1, 1), date_to=date(2040, 12, 31))
    soon = timezone.localdate() + timedelta(days=5)
    make_policy(enrolment, enrolment.vih_soins, soon)
    make_policy(enrolment, enrolment.mut, soon + timedelta(days=1))
    clerk = make_user("clerk2", roles=["clerk"], districts=[world.mfoundi])
    focal = make_user("focal", roles=["clerk"], districts=[world.mfoundi])
    enrolment.vih.users.add(focal)
    body = get(client, clerk, reverse("policies:renewals"))
    hidden(body)
    assert "MUT" in body
    body = get(client, focal, reverse("policies:renewals"))
    shown(body)
    assert "VIH_Soins" in body and "MUT" in body


def test_the_export_masks_the_rows_and_the_focal_point_exports_them_whole(
    client, soins, clerk, focal
):
    import csv
    import io

    login(client, clerk)
    # The list's export takes its criteria: the whole list leaves the masked rows out, a search
    # by number exports the masked row.
    response = client.get(reverse("families:export"), {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert soins.head.insurance_number not in text
    for name in NAMES:
        assert name not in text
    number = {"number": soins.head.insurance_number}
    response = client.get(reverse("families:export"), {"format": "csv", **number})
    text = response.content.decode("utf-8-sig")
    (head,) = list(csv.DictReader(io.StringIO(text)))
    for name in NAMES:
        assert name not in text
    assert head["insurance_number"] == soins.head.insurance_number
    assert head["last_name"] == head["other_names"] == "" and head["dob"].startswith("1980-01-01")
    response = client.get(reverse("families:export"), {"format": "xlsx", **number})
    assert response.status_code == 200 and b"Mballa" not in response.content
    login(client, focal)
    text = client.get(reverse("families:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "Mballa" in text and "Jean" in text


def test_in_french_the_clerk_reads_donnees_confidentielles_and_why_he_may_not_edit(
    client, soins, clerk
):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = get(client, clerk, reverse("families:list"), number=soins.head.insurance_number)
    assert "Données confidentielles" in body and "Mballa" not in body
    body = get(client, clerk, reverse("families:insuree", kwargs={"uuid": soins.head.uuid}))
    assert "Année de naissance" in body and "Mballa" not in body
    response = client.get(reverse("families:insuree_edit", kwargs={"uuid": soins.head.uuid}))
    assert response.status_code == 403
    assert "programme de santé confidentiel" in response.content.decode()


# --- the programme's minimal beneficiary form -------------------------------------------------


def test_the_focal_point_registers_a_minimal_beneficiary_then_attaches_vih_soins(
    client, soins, focal, clerk, world
):
    from django.utils import timezone

    from kinga.products.models import Product

    login(client, focal)
    listing = client.get(reverse("families:list")).content.decode()
    new = reverse("families:beneficiary_create")
    assert new in listing  # reached from the families list
    form = client.get(new).content.decode()
    for field in ("insurance_number", "dob", "gender", "last_name", "other_names", "village"):
        assert f'name="{field}"' in form
    assert 'name="phone"' not in form and 'name="address"' not in form
    response = client.post(
        new,
        {
            "insurance_number": "700000001",
            "dob": "1990-04-03",
            "gender": "F",
            "village": world.nlongkak.pk,
        },
    )
    assert response.status_code == 302
    person = Insuree.objects.get(insurance_number="700000001")
    assert (person.last_name, person.other_names, person.is_head) == ("", "", True)
    assert person.family.head == person and person.family.village == world.nlongkak
    # The package, as usual, from the family page's policy form.
    today = timezone.localdate()
    Product.objects.update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    response = client.post(
        reverse("policies:create", args=[person.family.uuid]),
        {
            "enroll_date": today.isoformat(),
            "product": str(soins.vih_soins.uuid),
            "start_date": "",
            "officer": str(soins.officer.uuid),
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert person.family.policies.filter(product=soins.vih_soins).exists()
    body = get(client, clerk, reverse("families:list"), number="700000001")
    assert "Confidential data" in body and "1990" in body and "03/04/1990" not in body


def test_the_minimal_form_with_names_and_a_taken_number(client, soins, focal, world):
    login(client, focal)
    data = {"insurance_number": soins.head.insurance_number, "dob": "1990-04-03", "gender": "M"}
    data["village"] = world.nlongkak.pk
    data["last_name"] = "Essomba"
    response = client.post(reverse("families:beneficiary_create"), data)
    assert response.status_code == 200  # the form again, with the refusal under the number
    assert not Insuree.objects.filter(last_name="Essomba").exists()
    data["insurance_number"] = "700000002"
    assert client.post(reverse("families:beneficiary_create"), data).status_code == 302
    assert Insuree.objects.get(insurance_number="700000002").last_name == "Essomba"


def test_the_minimal_form_is_the_programme_users_only(client, soins, clerk):
    login(client, clerk)
    assert reverse("families:beneficiary_create") not in client.get(reverse("families:list")).text
    assert client.get(reverse("families:beneficiary_create")).status_code == 403
    response = client.post(
        reverse("families:beneficiary_create"),
        {"insurance_number": "700000003", "dob": "1990-04-03", "gender": "M"},
    )
    assert response.status_code == 403
    assert not Insuree.objects.filter(insurance_number="700000003").exists()


def test_a_visible_policy_of_a_masked_family_masks_its_members(client, soins, clerk, focal):
    mut = attach(focal, soins, soins.mut).policy
    url = reverse("policies:detail", kwargs={"uuid": mut.uuid})
    body = get(client, clerk, url)
    hidden(body)
    assert "MUT" in body
    # ... and refuses its changes: the programme's staff manage the family.
    login(client, clerk)
    response = client.get(reverse("policies:contribution_add", args=[mut.uuid]))
    assert response.status_code == 403
    assert "confidential health programme" in response.text
    shown(get(client, focal, url))


def test_nobody_is_moved_into_a_masked_family_by_a_members_number(client, soins, clerk, world):
    from ..factories import make_family

    other = make_family(
        world.nlongkak, ("Alain", date(1970, 1, 2), None), ("Eric", date(2000, 1, 2), 4)
    )
    member = other.members.get(other_names="Eric")
    login(client, clerk)
    url = reverse("families:insuree_move", kwargs={"uuid": member.uuid})
    response = client.post(url, {"family_number": soins.head.insurance_number, "relationship": 4})
    assert response.status_code == 200 and "No current family of your districts" in response.text
    member.refresh_from_db()
    assert member.family_id == other.pk


# --- query counts: masking reads no row again ----------------------------------------------


def test_the_masked_list_and_family_page_make_the_same_queries_for_30_or_60_rows(
    client, soins, clerk, world, settings
):
    """Masked rows are read whole in the list's query (their deferred fields are never read
    again one by one): 8 queries for the list, like an unmasked one; 30 or 60 members alike on
    the family page."""
    from ..factories import make_family
    from ..querycount import assert_flat
    from .test_policies import attach as attach_policy

    settings.KINGA_PAGE_SIZE = 100
    counter = iter(range(10_000))

    def add(n=30):
        for _ in range(n):
            family = make_family(world.nlongkak, (f"Jean{next(counter)}", date(1980, 1, 1), None))
            soins.family = family
            attach_policy(soins.focal, soins, soins.vih_soins)

    soins.focal = make_user("focal2", roles=["clerk"], districts=[world.mfoundi])
    soins.vih.users.add(soins.focal)
    add()
    login(client, clerk)

    def masked_rows(response):
        return response.content.decode().count("Confidential data")

    # The masked rows are left out of the whole list, in its one query, however many they are.
    assert_flat(client, reverse("families:list"), add, at_most=9)
    assert masked_rows(client.get(reverse("families:list"))) == 0

    family = make_family(world.nlongkak, *((f"M{i}", date(1990, 1, 1), 4) for i in range(30)))
    soins.family = family
    attach_policy(soins.focal, soins, soins.vih_soins)
    url = reverse("families:detail", kwargs={"uuid": family.uuid})

    def more_members():
        for i in range(30):
            member = Insuree.objects.create(
                family=family,
                insurance_number=f"99{i:07}",
                last_name="Mballa",
                other_names=f"N{i}",
                dob=date(1990, 1, 1),
                gender="F",
                relationship=4,
            )
            from kinga.policies.models import InsureePolicy

            row = InsureePolicy.objects.filter(policy__family=family).first()
            InsureePolicy.objects.create(
                policy=row.policy,
                insuree=member,
                enrollment_date=row.enrollment_date,
                start_date=row.start_date,
                effective_date=row.effective_date,
                expiry_date=row.expiry_date,
            )

    assert_flat(client, url, more_members, at_most=7, shown=masked_rows)


# --- the registers' export and import ----------------------------------------------------------


def test_the_families_register_export_is_masked_and_read_back_renames_nobody(
    client, soins, clerk, world
):
    from kinga.core import transfer
    from kinga.insurees.transfer.families import FAMILIES

    login(client, clerk)
    response = client.get(reverse("transfer_export", args=["families"]), {"format": "csv"})
    assert response.status_code == 200
    data = response.content
    assert b"Mballa" not in data and soins.head.insurance_number.encode() in data
    rows = transfer.read_file(FAMILIES, "families.csv", data)
    report = transfer.run_import(actor=clerk, kind=FAMILIES, rows=rows, strategy="update")
    assert report.rejected == 4
    assert all(
        "confidential health programme" in str(line.reason) for line in report.rejected_lines
    )
    assert set(Insuree.objects.values_list("last_name", flat=True)) == {"Mballa"}


def test_a_masked_read_is_audited_like_any_other(client, soins, clerk, focal):
    """The read audit (kinga.core.audit) sees the masked family and insuree pages too: the
    clerk's masked reads and the focal point's whole ones each leave one allowed entry."""
    from kinga.core.models import AuditEntry

    family_url = reverse("families:detail", kwargs={"uuid": soins.family.uuid})
    insuree_url = reverse("families:insuree", kwargs={"uuid": soins.head.uuid})
    for user in (clerk, focal):
        get(client, user, family_url)
        get(client, user, insuree_url)
    rows = list(AuditEntry.objects.order_by("id").values_list("login", "kind", "record", "outcome"))
    assert rows == [
        (user.username, kind, str(record), "allowed")
        for user in (clerk, focal)
        for kind, record in (
            ("insurees.family", soins.family.pk),
            ("insurees.insuree", soins.head.pk),
        )
    ]


def test_the_family_s_address_and_confirmation_are_withheld_with_its_names(
    client, soins, clerk, focal
):
    """The family's own fields name or locate it: the clerk reads none of them, on the family
    page or in the export; the focal point reads them all."""
    import csv
    import io

    from kinga.insurees.models import Family

    Family.objects.filter(pk=soins.family.pk).update(
        address="Quartier Mvog-Ada, rue 1.234", confirmation_no="CONF-77", poverty=True
    )
    url = reverse("families:detail", kwargs={"uuid": soins.family.uuid})
    body = get(client, clerk, url)
    assert "Mvog-Ada" not in body and "CONF-77" not in body
    number = {"number": soins.head.insurance_number}
    response = client.get(reverse("families:export"), {"format": "csv", **number})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and "Mvog-Ada" not in text and "CONF-77" not in text
    assert {r["poverty"] for r in rows} <= {"", "0", "False", "false"}
    body = get(client, focal, url)
    assert "Mvog-Ada" in body and "CONF-77" in body
    text = client.get(reverse("families:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "Mvog-Ada" in text and "CONF-77" in text
