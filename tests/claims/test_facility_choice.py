"""The claim form's facility select (issue 14, item 4): a facility of the user's reach that the
form does not offer is kept selected and refused with the reason, not « Sélectionnez un choix
valide »."""

from django.urls import reverse

from kinga.claims.models import Claim

from ..factories import login, make_facility
from .conftest import enter
from .test_entry_pages import NEW, form_data


def selected(page: str, facility) -> bool:
    return f'<option value="{facility.pk}" selected>' in page


def test_a_facility_user_choosing_another_facility_is_told_which_one_he_enters(
    client, claim_admin, care, imis_admin, world
):
    csi = make_facility(imis_admin, world.mfoundi, code="CSI", name="CSI Nlongkak")
    login(client, claim_admin)
    page = client.post(NEW, form_data(care, health_facility=csi.pk)).content.decode()
    assert "Sélectionnez un choix valide" not in page
    assert "Vous ne saisissez que les prestations de HCY Hôpital Central." in page
    assert selected(page, csi) and 'value="HCY.2026.VIH.1"' in page
    assert not Claim.objects.exists()


def test_a_saved_claim_keeps_its_facility_with_the_reason(
    client, claim_admin, care, imis_admin, world
):
    claim = enter(claim_admin, care)
    csi = make_facility(imis_admin, world.mfoundi, code="CSI", name="CSI Nlongkak")
    login(client, imis_admin)
    url = reverse("claims_entry:edit", args=[claim.uuid])
    page = client.post(url, form_data(care, health_facility=csi.pk, code=claim.code))
    text = page.content.decode()
    assert "Une prestation enregistrée reste à sa formation sanitaire (HCY Hôpital Central)." in (
        text
    )
    assert selected(text, csi)
    claim.refresh_from_db()
    assert claim.health_facility == care.hcy


def test_a_facility_out_of_reach_gets_the_plain_refusal(client, claim_admin, care):
    login(client, claim_admin)
    page = client.post(NEW, form_data(care, health_facility=care.dla.pk)).content.decode()
    assert "Sélectionnez un choix valide" in page and not selected(page, care.dla)
