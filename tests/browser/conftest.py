"""Browser journeys: the `browser` and `page` fixtures are in tests/conftest.py.

Every module here sets `pytestmark = pytest.mark.browser` so that `-m browser` selects it."""
