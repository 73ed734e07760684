import pytest

from linli.places.models import Entrance
from linli.places.tests.factories import DwellingFactory


@pytest.fixture
def rooms(world):
    """An empty dwelling 102 beside the world's 101/201, in compound1 (community1) and compound4 (community3)."""
    made = {}
    for compound in (world.compound1, world.compound4):
        entrance = Entrance.objects.get(building__compound=compound, number="1单元")
        made[compound.name] = DwellingFactory(entrance=entrance, number="102")
    return made
