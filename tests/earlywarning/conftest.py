import pytest

from earlywarning.models.evaluations import IndicatorSet
from tests.earlywarning.factories import make_set


@pytest.fixture
def catalogue(world, frozen) -> IndicatorSet:
    """The city's set for 2026, which every world village is scored with."""
    return make_set(world.city)
