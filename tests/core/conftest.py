import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_services():
    """Service calls speak English in these tests (pages keep their own language, French by
    default), whatever test ran before in the same process."""
    with translation.override("en"):
        yield
