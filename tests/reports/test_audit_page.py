"""Issue 15, item 3: « Audit de la saisie » — per user and day what was created, changed and
retired; a user's changes with their old and new values; who read a person's record.  Scoped:
the manager of Mfoundi audits the users of Mfoundi, never those of Wouri."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from kinga.core.models import User
from kinga.insurees.services import families as services

from ..factories import login, make_user
from ..insurees.test_families_services import add_member, edit_values, new_family
from ..policies.test_policies import attach
from ..querycount import assert_flat
from .conftest import read

pytestmark = pytest.mark.django_db

AUDIT = "/reports/audit/"
EXPORT = "/reports/audit/export/"


def _rows(response) -> list:
    return list(response.context["page_obj"])


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.content[:500]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def work(mfoundi_clerk, other_district_clerk, world):
    """The clerk of Mfoundi creates the Ebene family (the head, then a child), changes the
    child's phone and retires her; the clerk of Wouri creates the Ndoumbe family."""
    family = new_family(mfoundi_clerk, world.nlongkak, last_name="Ebene", other_names="Therese")
    child = add_member(mfoundi_clerk, family, last_name="Ebene", other_names="Alice")
    child = services.insuree_update(
        actor=mfoundi_clerk, insuree=child, **edit_values(child, phone="699001122")
    )
    services.insuree_retire(actor=mfoundi_clerk, insuree=child)
    wouri = new_family(other_district_clerk, world.akwa, last_name="Ndoumbe", other_names="Paul")
    return family, child, wouri


# --- who may open it ------------------------------------------------------------------------


def test_without_the_right_the_page_and_its_export_are_refused(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    assert client.get(AUDIT).status_code == 403
    assert client.get(EXPORT, {"format": "csv"}).status_code == 403
    assert "Audit de la saisie" not in client.get("/").content.decode()


def test_the_manager_reaches_it_from_the_tools_menu_in_french(client, manager):
    login(client, manager)
    home = client.get("/").content.decode()
    assert 'href="/reports/audit/">Audit de la saisie</a>' in home
    page = client.get(AUDIT).content.decode()
    assert "<h1>Audit de la saisie</h1>" in page
    for tab in (
        "Saisies par utilisateur et par jour",
        "Activité d&#x27;un utilisateur",
        "Qui a consulté",
    ):
        assert tab in page


def test_english(client, manager, english):
    login(client, manager)
    page = client.get(AUDIT).content.decode()
    assert "<h1>Data entry audit</h1>" in page and "Who viewed a record" in page


# --- (a) per user and day -------------------------------------------------------------------


def test_entries_per_user_and_day_count_what_each_clerk_created_changed_and_retired(
    client, manager, work, mfoundi_clerk
):
    login(client, manager)
    rows = {
        (r["user"].username, r["kind"]): (r["created"], r["changed"], r["retired"])
        for r in _rows(client.get(AUDIT, {"tab": "entries"}))
    }
    # Two insurees created (the head, the child); the head joined his family (a change), the
    # child's phone changed; the child retired.  The family: created, then its head set.
    assert rows[("clerk.mfoundi", "insurees.insuree")] == (2, 2, 1)
    assert rows[("clerk.mfoundi", "insurees.family")][0] == 1
    # The manager of Mfoundi sees neither the clerk of Wouri nor the system's own work.
    assert {user for user, _kind in rows} == {"clerk.mfoundi"}


def test_the_imis_administrator_sees_every_district(client, imis_admin, work):
    login(client, imis_admin)
    users = {r["user"].username for r in _rows(client.get(AUDIT)) if r["user"]}
    assert {"clerk.mfoundi", "clerk.wouri"} <= users


def test_another_district_s_user_is_not_a_choice_and_is_refused_as_a_filter(
    client, manager, work, other_district_clerk
):
    login(client, manager)
    response = client.get(AUDIT, {"tab": "entries", "user": other_district_clerk.pk})
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert "clerk.wouri" not in response.content.decode()
    assert response.context["filters"].errors["user"]
    export = client.get(
        EXPORT, {"tab": "entries", "user": other_district_clerk.pk, "format": "csv"}
    )
    assert export.status_code == 400


def test_the_filters_narrow_the_rows_by_kind_period_and_user(
    client, imis_admin, work, mfoundi_clerk
):
    login(client, imis_admin)
    only = _rows(client.get(AUDIT, {"kind": "insurees.family", "user": mfoundi_clerk.pk}))
    assert [(r["user"].username, r["kind"]) for r in only] == [("clerk.mfoundi", "insurees.family")]
    tomorrow = timezone.localdate() + timedelta(days=1)
    later = {"since": tomorrow.strftime("%d/%m/%Y"), "until": tomorrow.strftime("%d/%m/%Y")}
    response = client.get(AUDIT, later)
    assert _rows(response) == []
    assert f"Période du {later['since']} au {later['until']}" in response.content.decode()


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"since": "31/02/2026"}, "since", "Saisissez une date valide."),
        ({"until": "tomorrow"}, "until", "Saisissez une date valide."),
        ({"since": "10/12/2026", "until": "01/12/2026"}, "until", "La fin de la période"),
        ({"since": "01/01/2020", "until": "31/12/2026"}, "since", "au plus 366 jours"),
        ({"kind": "nothing.such"}, "kind", "Sélectionnez un choix valide"),
        ({"user": "x'; drop"}, "user", "Sélectionnez un choix valide"),
        ({"user": "99999999999999999999999"}, "user", "Sélectionnez un choix valide"),
        ({"since": "31/12/9999", "until": "31/12/9999"}, "since", "La date doit être comprise"),
        ({"since": "01/01/0001"}, "since", "La date doit être comprise"),
    ],
)
def test_a_wrong_filter_is_said_under_its_field(client, manager, params, field, message):
    login(client, manager)
    for tab in ("entries", "activity", "readers"):
        response = client.get(AUDIT, {"tab": tab, "user": "", "number": "1", **params})
        assert response.status_code == 200
        errors = response.context["filters"].errors
        assert message in " ".join(errors.get(field, [])), (tab, errors)
        assert client.get(EXPORT, {"tab": tab, "format": "csv", **params}).status_code in (200, 400)


def test_odd_tabs_pages_and_formats_are_no_error(client, manager, work):
    login(client, manager)
    assert client.get(AUDIT, {"tab": "../etc", "page": "x9"}).status_code == 200
    assert client.get(AUDIT, {"page": "99999"}).status_code == 200
    assert client.get(EXPORT, {"format": "pdf"}).status_code == 400
    assert client.get(AUDIT, {"tab": "readers", "number": "1\x00"}).status_code == 400


def test_the_entries_export_holds_the_page_s_rows(client, manager, work):
    login(client, manager)
    rows = _csv(client.get(EXPORT, {"tab": "entries", "format": "csv", "kind": "insurees.insuree"}))
    assert rows[0] == [
        "Jour",
        "Compte de connexion",
        "Utilisateur",
        "Type de fiche",
        "Créés",
        "Modifiés",
        "Retirés",
    ]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert rows[1:] == [[today, "clerk.mfoundi", "Test Clerk.Mfoundi", "Assurés", "2", "2", "1"]]
    sheet = _xlsx(
        client.get(EXPORT, {"tab": "entries", "format": "xlsx", "kind": "insurees.insuree"})
    )
    assert sheet[1] == [today, "clerk.mfoundi", "Test Clerk.Mfoundi", "Assurés", 2, 2, 1]


# --- (b) a user's activity ------------------------------------------------------------------


def test_a_user_s_activity_shows_each_change_with_its_old_and_new_value(
    client, manager, work, mfoundi_clerk
):
    login(client, manager)
    response = client.get(AUDIT, {"tab": "activity", "user": mfoundi_clerk.pk})
    entries = _rows(response)
    phone = [e for e in entries if any(c.field == "téléphone" for c in e.changes)]
    assert len(phone) == 1
    change = next(c for c in phone[0].changes if c.field == "téléphone")
    assert (change.old, change.new) == ("—", "699001122")
    assert phone[0].record_name == "Assuré"
    assert {e.kind for e in entries} >= {"+", "~", "retired"}
    page = response.content.decode()
    assert "<del>—</del> → <ins>699001122</ins>" in page
    rows = _csv(client.get(EXPORT, {"tab": "activity", "user": mfoundi_clerk.pk, "format": "csv"}))
    assert any(r[4:7] == ["téléphone", "—", "699001122"] for r in rows[1:])


def test_the_activity_tab_asks_for_a_user_first(client, manager):
    login(client, manager)
    response = client.get(AUDIT, {"tab": "activity"})
    assert response.context["page_obj"] is None
    assert "Choisissez un utilisateur" in response.content.decode()
    assert not response.context["filters"].errors


def test_a_confidential_beneficiary_s_changes_are_withheld_from_the_activity(
    client, manager, enrolment, mfoundi_clerk
):
    enrolment.vih.confidential = True
    enrolment.vih.save()
    attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    head = enrolment.family.head
    services.insuree_update(
        actor=mfoundi_clerk, insuree=head, **edit_values(head, phone="677112233")
    )
    login(client, manager)
    response = client.get(AUDIT, {"tab": "activity", "user": mfoundi_clerk.pk})
    page = response.content.decode()
    assert "677112233" not in page and "VIH_Soins" not in page
    assert head.other_names not in page and head.last_name not in page
    assert "Données confidentielles" in page
    # The programme's focal point (named among its users) sees it.
    focal = make_user(
        "focal.mfoundi", roles=["manager"], districts=[enrolment.family.village.parent.parent]
    )
    enrolment.vih.users.add(focal)
    login(client, focal)
    assert (
        "677112233"
        in client.get(AUDIT, {"tab": "activity", "user": mfoundi_clerk.pk}).content.decode()
    )


# --- (c) who viewed a person's record -------------------------------------------------------


def test_the_readers_of_a_person_are_every_read_of_his_page_family_enquiry_and_exports(
    client, manager, work, mfoundi_clerk, other_district_clerk
):
    family, child, wouri = work
    head = family.head
    mine = [
        read(mfoundi_clerk, "insurees.insuree", head.pk),
        read(other_district_clerk, "policies.enquiry", head.pk, outcome="denied"),
        read(mfoundi_clerk, "insurees.family", family.pk),
        read(mfoundi_clerk, "insurees.export", rows=[child.pk, head.pk], action="export"),
    ]
    read(mfoundi_clerk, "insurees.insuree", child.pk)  # another person
    read(mfoundi_clerk, "insurees.export", rows=[child.pk], action="export")
    read(mfoundi_clerk, "insurees.family", wouri.pk)
    login(client, manager)
    response = client.get(AUDIT, {"tab": "readers", "number": head.insurance_number})
    assert [e.pk for e in _rows(response)] == [e.pk for e in reversed(mine)]
    page = response.content.decode()
    assert "Therese Ebene" in page
    assert '<span class="badge bad">refusé</span>' in page
    denied = client.get(
        AUDIT, {"tab": "readers", "number": head.insurance_number, "user": mfoundi_clerk.pk}
    )
    assert len(_rows(denied)) == 3
    enquiry = client.get(
        AUDIT, {"tab": "readers", "number": head.insurance_number, "kind": "policies.enquiry"}
    )
    assert [e.login for e in _rows(enquiry)] == ["clerk.wouri"]
    rows = _csv(
        client.get(EXPORT, {"tab": "readers", "number": head.insurance_number, "format": "csv"})
    )
    assert [r[2] for r in rows[1:]] == [
        "clerk.mfoundi",
        "clerk.mfoundi",
        "clerk.wouri",
        "clerk.mfoundi",
    ]
    assert rows[3][4:7] == ["Consultation d'un assuré", "consulté", "refusé"]
    assert {r[0] for r in rows[1:]} == {head.insurance_number}


def test_a_person_of_another_district_is_not_found(client, manager, work):
    _family, _child, wouri = work
    login(client, manager)
    response = client.get(AUDIT, {"tab": "readers", "number": wouri.head.insurance_number})
    assert response.context["page_obj"] is None
    assert "Aucun assuré de vos districts" in response.content.decode()
    export = client.get(
        EXPORT, {"tab": "readers", "number": wouri.head.insurance_number, "format": "csv"}
    )
    assert export.status_code == 400


def test_a_confidential_person_is_shown_by_number_with_his_reads(
    client, manager, enrolment, mfoundi_clerk
):
    enrolment.vih.confidential = True
    enrolment.vih.save()
    attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    head = enrolment.family.head
    read(mfoundi_clerk, "insurees.insuree", head.pk)
    read(mfoundi_clerk, "policies.enquiry", head.pk, outcome="denied")
    login(client, manager)
    response = client.get(AUDIT, {"tab": "readers", "number": head.insurance_number})
    page = response.content.decode()
    assert head.insurance_number in page and "Données confidentielles" in page
    assert head.other_names not in page and head.last_name not in page
    assert len(_rows(response)) == 2


def test_the_insuree_page_links_to_its_readers_for_who_holds_the_right(
    client, imis_admin, mfoundi_clerk, work
):
    family, _child, _wouri = work
    url = f"/families/insurees/{family.head.uuid}/"
    link = "Qui a consulté ce dossier ?"
    login(client, mfoundi_clerk)
    assert link not in client.get(url).content.decode()
    login(client, imis_admin)
    page = client.get(url).content.decode()
    assert link in page
    assert f"/reports/audit/?tab=readers&amp;number={family.head.insurance_number}" in page


# --- query counts ---------------------------------------------------------------------------


def _on_postgresql(sqlite: int, postgresql: int) -> int:
    """PostgreSQL runs each query over the history tables in a transaction with
    `SET LOCAL jit = off` (a savepoint in a test): three more queries each."""
    return postgresql if connection.vendor == "postgresql" else sqlite


@pytest.fixture
def big_pages(settings):
    settings.KINGA_PAGE_SIZE = 100


def test_the_entries_tab_reads_as_many_queries_for_30_or_60_rows(
    client, imis_admin, world, big_pages
):
    clerks = [make_user(f"c{i}", roles=["clerk"], districts=[world.mfoundi]) for i in range(60)]
    for clerk in clerks[:32]:
        new_family(clerk, world.nlongkak)

    def grow():
        for clerk in clerks[32:]:
            new_family(clerk, world.nlongkak)

    login(client, imis_admin)
    assert_flat(
        client,
        AUDIT,
        grow,
        at_most=_on_postgresql(4, 7),
        params={"kind": "insurees.family"},
        shown=lambda r: len(r.context["page_obj"]),
    )


def test_the_activity_tab_reads_as_many_queries_for_30_or_60_changes(
    client, imis_admin, mfoundi_clerk, world, big_pages
):
    family = new_family(mfoundi_clerk, world.nlongkak)
    head = family.head

    def change(n):
        nonlocal head
        for i in range(n):
            head = services.insuree_update(
                actor=mfoundi_clerk,
                insuree=head,
                **edit_values(head, phone=f"6990{len(str(i))}{i}"),
            )

    change(30)
    login(client, imis_admin)
    assert_flat(
        client,
        AUDIT,
        lambda: change(30),
        at_most=_on_postgresql(10, 16),
        params={"tab": "activity", "user": mfoundi_clerk.pk},
        shown=lambda r: len(r.context["page_obj"]),
    )


def test_the_readers_tab_reads_as_many_queries_for_30_or_60_reads(
    client, imis_admin, mfoundi_clerk, work, big_pages
):
    head = work[0].head
    users = [make_user(f"r{i}", roles=["clerk"]) for i in range(60)]
    for user in users[:30]:
        read(user, "insurees.insuree", head.pk)
    login(client, imis_admin)
    assert_flat(
        client,
        AUDIT,
        lambda: [read(u, "policies.enquiry", head.pk) for u in users[30:]],
        at_most=8,
        params={"tab": "readers", "number": head.insurance_number},
        shown=lambda r: len(r.context["page_obj"]),
    )
    assert User.objects.count() > 60


def test_the_reads_of_his_claims_and_of_claim_exports_that_held_them_are_his_too(
    client, manager, work, mfoundi_clerk, claim_admin, hcy
):
    from datetime import date

    from kinga.claims.models import Claim
    from kinga.medical.models import Diagnosis

    head = work[0].head
    icd = Diagnosis.objects.create(code="B20", name="HIV disease")

    def claim(insuree, code):
        return Claim.objects.create(
            code=code,
            health_facility=hcy,
            insuree=insuree,
            date_from=date(2026, 3, 1),
            date_claimed=date(2026, 3, 2),
            icd=icd,
        )

    his, other = claim(head, "HCY.1"), claim(work[1], "HCY.2")
    mine = [
        read(claim_admin, "claims.claim", his.pk),
        read(claim_admin, "claims.export", rows=[other.pk, his.pk], action="export"),
        read(claim_admin, "claims.claim", his.pk, action="print"),
    ]
    read(claim_admin, "claims.claim", other.pk)
    read(claim_admin, "claims.export", rows=[other.pk], action="export")
    login(client, manager)
    response = client.get(AUDIT, {"tab": "readers", "number": head.insurance_number})
    assert [e.pk for e in _rows(response)] == [e.pk for e in reversed(mine)]
    exports = client.get(
        AUDIT, {"tab": "readers", "number": head.insurance_number, "kind": "claims.export"}
    )
    assert [e.pk for e in _rows(exports)] == [mine[1].pk]


def test_a_search_result_that_showed_him_is_a_read_of_his_record(
    client, manager, work, mfoundi_clerk
):
    """The clerk's search for « Ebene » showed the head: the manager finds that read among the
    head's readers, named as a search result (kinga.core.audit.listed)."""
    head = work[0].head
    login(client, mfoundi_clerk)
    assert client.get("/families/", {"name": "ebene"}).status_code == 200
    client.get("/families/", {"name": "Ndoumbe"})  # another person's search: not his
    login(client, manager)
    response = client.get(AUDIT, {"tab": "readers", "number": head.insurance_number})
    (entry,) = _rows(response)
    assert (entry.kind, entry.login) == ("insurees.search", "clerk.mfoundi")
    assert "Résultat de recherche d&#x27;assurés" in response.content.decode()
