import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English messages; one test checks the French ones."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
