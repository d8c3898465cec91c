"""The IMIS administrator's first journey, in French, in a real Chromium."""

import re

import pytest

from ..conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click(".login button[type=submit]")


def test_the_administrator_logs_in_in_french_switches_to_english_and_logs_out(page, world):
    make_user("admin.fr", roles=["imis_admin"], language="fr")
    log_in(page, "admin.fr")
    page.wait_for_url(re.compile(r"^[^?]*//[^/]+/$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("form.lang button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("text=Log out")
    page.wait_for_url(re.compile(r"/login/"))
    page.goto("/")
    assert "/login/" in page.url


def test_the_home_page_with_its_assets_weighs_under_100_kb(page, world):
    make_user("admin.weight", roles=["imis_admin"])
    log_in(page, "admin.weight")
    page.wait_for_url(re.compile(r"^[^?]*//[^/]+/$"))
    sizes: dict[str, int] = {}

    def on_response(response):
        sizes[response.url] = len(response.body())

    page.on("response", on_response)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert sizes, "no response seen"
    assert all(
        url.startswith(page.url.split("/")[0] + "//" + page.url.split("/")[2]) for url in sizes
    )
    assert sum(sizes.values()) < 100_000, sizes
