import factory

from linli.core.validators import id_check_char
from linli.people.models import GridWorker, Household, PartyMember, Resident
from linli.places.tests.factories import DwellingFactory


def make_id_number(n: int, *, born: str = "19800101", region: str = "140105", male: bool = True) -> str:
    """A valid 18-character ID number, distinct for each n (n < 500)."""
    seq = (2 * n + (1 if male else 0)) % 1000
    first17 = f"{region}{born}{seq:03d}"
    return first17 + id_check_char(first17)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    dwelling = factory.SubFactory(DwellingFactory)
    number = factory.Sequence(lambda n: f"H{n + 1:06d}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"居民{n + 1}")
    household = factory.SubFactory(HouseholdFactory)
    id_number = factory.Sequence(lambda n: make_id_number(n % 499, born=f"19{50 + n // 499 % 50:02d}0101"))
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    relation = Resident.Relation.HEAD


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    resident = factory.SubFactory(ResidentFactory)
    category = PartyMember.Category.RESIDENT


class GridWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridWorker
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"网格员{n + 1}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")

    @factory.post_generation
    def grids(self, create, extracted, **kwargs):
        if create and extracted:
            self.grids.set(extracted)
