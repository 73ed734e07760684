from decimal import Decimal

import factory

from linli.places.models import AdminUnit, Building, Compound, Dwelling, Entrance, Grid, MicroGrid


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminUnit
        django_get_or_create = ("code",)

    code = "140105000000"
    name = "小店区"
    level = AdminUnit.Level.DISTRICT


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminUnit

    parent = factory.SubFactory(DistrictFactory)
    level = AdminUnit.Level.STREET
    code = factory.Sequence(lambda n: f"140105{n + 1:03d}000")
    name = factory.Sequence(lambda n: f"第{n + 1}街道")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminUnit

    parent = factory.SubFactory(StreetFactory)
    level = AdminUnit.Level.COMMUNITY
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:9]}{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"第{n + 1}社区")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.community.code}{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"第{n + 1}网格")


class MicroGridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MicroGrid

    grid = factory.SubFactory(GridFactory)
    name = factory.Sequence(lambda n: f"微网格{n + 1}")


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"幸福里{n + 1}号院")
    kind = Compound.Kind.PLANNED
    build_year = 2005


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    number = factory.Sequence(lambda n: f"{n + 1}号楼")
    grid = factory.LazyAttribute(lambda o: GridFactory(community=o.compound.community))


class EntranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrance

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: f"{n + 1}单元")


class DwellingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dwelling

    entrance = factory.SubFactory(EntranceFactory)
    number = factory.Sequence(lambda n: f"{n + 101}")
    registered_area = factory.Sequence(lambda n: Decimal(60 + n % 80) + Decimal("0.50"))
