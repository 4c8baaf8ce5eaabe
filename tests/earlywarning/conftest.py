import pytest

from tests.earlywarning.ratings_helpers import NOW


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def english():
    """Domain messages are asserted in their English source text."""
    from django.utils import translation

    with translation.override("en"):
        yield
