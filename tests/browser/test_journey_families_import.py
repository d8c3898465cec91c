"""Issue 6's families import and export, in French, in a real Chromium: the Mfoundi clerk
uploads a file with a rejected row and reads why, corrects it, tries it as a dry run, imports it
for real, then finds the family in the search and downloads the result."""

import pytest

from kinga.insurees.models import Family, Insuree

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "head_insuree_number,insurance_number,last_name,other_names,dob,gender,relationship,village"
)
BAD = "\n".join(
    [
        HEADER,
        "880000001,880000001,Ngono,Albert,1975-02-03,M,,NLK",
        "880000001,880000002,Ngono,Berthe,1980-07-09,F,,NLK",
    ]
)
GOOD = BAD.replace("1980-07-09,F,,NLK", "1980-07-09,F,8,NLK")


def _upload(page, content: str, *, dry_run: bool) -> None:
    page.goto("/tools/transfer/families/import/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "familles.csv", "mimeType": "text/csv", "buffer": content.encode()}],
    )
    page.select_option("#id_strategy", "insert")
    # The dry run is ticked by default: a first upload only checks.
    assert page.is_checked("#id_dry_run")
    page.set_checked("#id_dry_run", dry_run)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#report")


def test_a_clerk_imports_families_and_exports_a_search_result(page, mfoundi_clerk):
    page.goto("/login/")
    page.fill("input[name=username]", mfoundi_clerk.username)
    page.fill("input[name=password]", PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")

    # A member without his relationship to the head: the whole file is refused, line by line.
    _upload(page, BAD, dry_run=False)
    report = page.inner_text("#report")
    assert "Rien n'a été enregistré" in report
    assert "ligne 3" in page.inner_text("#report tr.rejected")
    assert not Family.objects.exists()

    # Corrected, first as a dry run, then for real.
    _upload(page, GOOD, dry_run=True)
    assert "Essai à blanc : rien n'a été enregistré" in page.inner_text("#report")
    assert not Insuree.objects.exists()
    _upload(page, GOOD, dry_run=False)
    assert page.locator("#report tr.rejected").count() == 0, page.inner_text("#report")
    family = Family.objects.get()
    assert family.head.insurance_number == "880000001" and family.members.count() == 2

    # The search finds them; the result downloads as a file the import reads back.
    page.goto("/families/?name=Ngono")
    page.locator("table.table tbody tr", has_text="880000002").wait_for()
    with page.expect_download() as info:
        page.click("a[href*='format=csv']")
    content = open(info.value.path(), encoding="utf-8-sig").read()
    assert content.splitlines()[0].startswith("head_insuree_number,insurance_number")
    assert "880000002" in content and "Berthe" in content
