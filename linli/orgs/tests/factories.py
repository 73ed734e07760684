import datetime as dt

import factory

from linli.orgs.models import PartnerUnit, PartyOrg, Position, PropertyCompany, PropertyService, SelfOrg
from linli.people.tests.factories import ResidentFactory
from linli.places.tests.factories import CommunityFactory, CompoundFactory


class PartyOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrg
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"第{n + 1}党支部")
    level = PartyOrg.Level.BRANCH
    formation = PartyOrg.Formation.STANDALONE
    community = factory.SubFactory(CommunityFactory)

    @factory.post_generation
    def compounds(self, create, extracted, **kwargs):
        if create and extracted:
            self.compounds.set(extracted)


class SelfOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfOrg

    kind = SelfOrg.Kind.OWNERS_COMMITTEE
    compound = factory.SubFactory(CompoundFactory)
    name = factory.LazyAttribute(lambda o: f"{o.compound.name}业主委员会")
    term_start = dt.date(2024, 1, 1)


class PropertyCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyCompany

    name = factory.Sequence(lambda n: f"安居物业服务有限公司{n + 1}")


class PropertyServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyService

    compound = factory.SubFactory(CompoundFactory)
    mode = PropertyService.Mode.MARKET
    company = factory.SubFactory(PropertyCompanyFactory)
    start = dt.date(2023, 1, 1)


class PartnerUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerUnit

    name = factory.Sequence(lambda n: f"共建单位{n + 1}")
    kind = PartnerUnit.Kind.UNIT
    community = factory.SubFactory(CommunityFactory)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    resident = factory.SubFactory(ResidentFactory)
    role = "委员"
    start = dt.date(2024, 1, 1)
