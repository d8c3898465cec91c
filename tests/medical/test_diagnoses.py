"""Diagnoses (ICD-10): services, pages, rights, search in both languages, the shipped list."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from kinga.core.errors import Refused
from kinga.core.models import Role
from kinga.demo import diagnoses as diagnoses_demo
from kinga.medical.models import Diagnosis
from kinga.medical.queries import diagnoses as diagnosis_queries
from kinga.medical.services import diagnoses as diagnosis_services

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def admin(world):
    return make_user("scheme.diag", roles=["scheme_admin"], districts=[world.mfoundi])


@pytest.fixture
def medical_officer(world):
    return make_user("medical.officer", roles=["medical_officer"], districts=[world.mfoundi])


@pytest.fixture
def malaria(admin):
    return diagnosis_services.diagnosis_create(
        actor=admin, code="B54", name="Unspecified malaria", name_fr="Paludisme, sans précision"
    )


def refusal(excinfo) -> tuple[str | None, str]:
    return excinfo.value.field, excinfo.value.message


# --- services -------------------------------------------------------------------------------


def test_creating_a_diagnosis_writes_a_history_row_naming_the_actor(admin, malaria):
    assert malaria.code == "B54" and malaria.name_fr == "Paludisme, sans précision"
    row = malaria.history.get()
    assert row.history_user == admin and row.history_type == "+"


def test_a_code_longer_than_six_characters_is_refused_on_the_code(admin):
    with pytest.raises(Refused) as excinfo:
        diagnosis_services.diagnosis_create(actor=admin, code="A00.001", name="Too long")
    assert refusal(excinfo) == ("code", "The code may have at most 6 characters.")


def test_a_code_used_by_a_current_diagnosis_is_refused_with_its_name(admin, malaria):
    with pytest.raises(Refused) as excinfo:
        diagnosis_services.diagnosis_create(actor=admin, code="B54", name="Malaria again")
    field, message = refusal(excinfo)
    assert field == "code" and "B54" in message and "Unspecified malaria" in message


def test_codes_are_compared_as_typed(admin, malaria):
    other = diagnosis_services.diagnosis_create(actor=admin, code="b54", name="Lower case code")
    assert other.code == "b54"


def test_the_name_is_required_and_the_french_name_is_not(admin):
    with pytest.raises(Refused) as excinfo:
        diagnosis_services.diagnosis_create(actor=admin, code="Z00", name="  ", name_fr="Examen")
    assert refusal(excinfo) == ("name", "Enter a name.")
    assert (
        diagnosis_services.diagnosis_create(actor=admin, code="Z00", name="Examination").name_fr
        == ""
    )


def test_a_retired_diagnosis_frees_its_code(admin, malaria):
    diagnosis_services.diagnosis_retire(actor=admin, diagnosis=malaria)
    again = diagnosis_services.diagnosis_create(
        actor=admin, code="B54", name="Malaria, unspecified"
    )
    assert Diagnosis.objects.filter(code="B54").count() == 2
    assert list(Diagnosis.objects.current().filter(code="B54")) == [again]


def test_updating_records_what_changed_and_who(admin, malaria):
    other = make_user("scheme.other", roles=["scheme_admin"])
    diagnosis_services.diagnosis_update(
        actor=other, diagnosis=malaria, code="B54", name="Malaria, unspecified", name_fr=""
    )
    malaria.refresh_from_db()
    assert malaria.name == "Malaria, unspecified" and malaria.name_fr == ""
    latest = malaria.history.order_by("-history_id").first()
    assert latest.history_user == other and latest.history_type == "~"


def test_an_update_that_changes_nothing_writes_no_history_row(admin, malaria):
    diagnosis_services.diagnosis_update(
        actor=admin,
        diagnosis=malaria,
        code="B54",
        name="Unspecified malaria",
        name_fr="Paludisme, sans précision",
    )
    assert malaria.history.count() == 1


def test_only_the_upload_right_changes_diagnoses(medical_officer, malaria):
    with pytest.raises(PermissionDenied):
        diagnosis_services.diagnosis_create(
            actor=medical_officer, code="B50", name="Falciparum malaria"
        )
    with pytest.raises(PermissionDenied):
        diagnosis_services.diagnosis_retire(actor=medical_officer, diagnosis=malaria)


def test_search_finds_by_code_english_name_and_french_name(admin, malaria):
    diagnosis_services.diagnosis_create(
        actor=admin, code="A00.0", name="Cholera due to Vibrio cholerae", name_fr="Choléra"
    )

    def codes(q):
        return [d.code for d in diagnosis_queries.search(admin, q=q)]

    assert codes("B5") == ["B54"]
    assert codes("malaria") == ["B54"]
    assert codes("PALUDISME") == ["B54"]
    assert codes("choléra") == ["A00.0"]
    assert codes("A000") == ["A00.0"]  # openIMIS files write the code without the dot


def test_search_hides_retired_diagnoses_unless_asked(admin, malaria):
    diagnosis_services.diagnosis_retire(actor=admin, diagnosis=malaria)
    assert list(diagnosis_queries.search(admin)) == []
    assert list(diagnosis_queries.search(admin, include_retired=True)) == [malaria]


def test_the_name_shown_follows_the_language(malaria):
    with translation.override("fr"):
        assert malaria.display_name == "Paludisme, sans précision"
    assert malaria.display_name == "Unspecified malaria"


# --- pages ----------------------------------------------------------------------------------


def test_the_list_is_open_to_claim_reviewers_without_change_buttons(
    client, medical_officer, malaria
):
    response = login(client, medical_officer).get(reverse("diagnoses:list"))
    assert response.status_code == 200
    assert "Unspecified malaria" in response.text
    assert reverse("diagnoses:create") not in response.text
    detail = client.get(reverse("diagnoses:detail", args=[malaria.uuid]))
    assert (
        detail.status_code == 200
        and reverse("diagnoses:edit", args=[malaria.uuid]) not in detail.text
    )


@pytest.mark.parametrize("name", ["list", "create"])
def test_a_user_without_a_diagnosis_or_claim_right_gets_403(client, mfoundi_clerk, name):
    assert login(client, mfoundi_clerk).get(reverse(f"diagnoses:{name}")).status_code == 403


def test_a_claim_reviewer_cannot_edit_or_retire_by_url(client, medical_officer, malaria):
    login(client, medical_officer)
    assert client.get(reverse("diagnoses:edit", args=[malaria.uuid])).status_code == 403
    assert client.post(reverse("diagnoses:retire", args=[malaria.uuid])).status_code == 403
    malaria.refresh_from_db()
    assert not malaria.is_retired


def test_an_unknown_diagnosis_is_404(client, admin):
    import uuid

    assert (
        login(client, admin).get(reverse("diagnoses:detail", args=[uuid.uuid4()])).status_code
        == 404
    )


def test_a_user_with_a_custom_claim_role_sees_the_list(client, world, malaria):
    role = Role.objects.create(name="Claim entry", rights=[111002])
    user = make_user("claims.entry", roles=[role], districts=[world.mfoundi])
    assert login(client, user).get(reverse("diagnoses:list")).status_code == 200


def test_creating_through_the_page_keeps_input_and_shows_errors_by_field(client, admin, malaria):
    login(client, admin)
    response = client.post(
        reverse("diagnoses:create"), {"code": "B54", "name": "Duplicate", "name_fr": "Doublon"}
    )
    assert response.status_code == 200
    assert "already used by the diagnosis" in response.text
    assert 'value="Duplicate"' in response.text and 'value="Doublon"' in response.text

    response = client.post(
        reverse("diagnoses:create"), {"code": "B50", "name": "Plasmodium falciparum malaria"}
    )
    created = Diagnosis.objects.get(code="B50")
    assert response.status_code == 302 and response.url == reverse(
        "diagnoses:detail", args=[created.uuid]
    )


def test_editing_through_the_page_shows_the_change_in_the_history(client, admin, malaria):
    login(client, admin)
    response = client.post(
        reverse("diagnoses:edit", args=[malaria.uuid]),
        {"code": "B54", "name": "Malaria, unspecified", "name_fr": "Paludisme"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("diagnoses:detail", args=[malaria.uuid]))
    assert "Malaria, unspecified" in detail.text and str(admin) in detail.text
    assert "History of changes" in detail.text


def test_retiring_asks_first_then_hides_the_diagnosis_from_the_list(client, admin, malaria):
    login(client, admin)
    url = reverse("diagnoses:retire", args=[malaria.uuid])
    assert "Retire the diagnosis" in client.get(url).text
    response = client.post(url, follow=True)
    assert "B54 Unspecified malaria retired." in response.text
    malaria.refresh_from_db()
    assert malaria.is_retired
    assert "Unspecified malaria" not in client.get(reverse("diagnoses:list")).text
    assert "Unspecified malaria" in client.get(reverse("diagnoses:list") + "?retired=on").text


def test_the_list_shows_french_names_to_french_users(client, admin, malaria):
    from django.conf import settings

    login(client, admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Paludisme, sans précision" in client.get(reverse("diagnoses:list")).text


# --- the shipped ICD-10 list ----------------------------------------------------------------


def test_the_shipped_icd10_list_loads_fast_and_idempotently(
    admin, client, django_assert_max_num_queries
):
    created = diagnoses_demo.load(admin)
    assert created > 1000 and Diagnosis.objects.count() == created
    cholera = Diagnosis.objects.get(code="A00")
    assert cholera.name == "Cholera" and cholera.name_fr == "Choléra"
    assert cholera.history.get().history_user == admin
    assert all(len(code) <= 6 for code in Diagnosis.objects.values_list("code", flat=True))
    assert diagnoses_demo.load(admin) == 0

    login(client, admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("diagnoses:list"), {"q": "paludisme", "page": 2})
    assert response.status_code == 200 and "B5" in response.text


def test_the_demo_load_skips_codes_already_current(admin, malaria):
    created = diagnoses_demo.load(admin)
    assert Diagnosis.objects.current().filter(code="B54").get() == malaria
    assert created == len(diagnoses_demo.read_icd10()) - 1
