"""A property company's services come a page at a time, and only those in the actor's sight."""

import datetime as dt

from django.urls import reverse

from linli.orgs.tests.factories import PropertyServiceFactory
from linli.places.tests.factories import CompoundFactory


def test_company_page_pages_its_services_and_leaves_out_compounds_out_of_sight(world, orgs, client_for):
    # given the company serves 35 more compounds in community1 (newest first) and one in street2
    for n in range(35):
        PropertyServiceFactory(company=orgs.company, start=dt.date(2024, 1, 1) + dt.timedelta(days=n),
                               compound=CompoundFactory(community=world.community1, name=f"服务小区{n:02d}"))
    PropertyServiceFactory(company=orgs.company, compound=world.compound4, start=dt.date(2025, 6, 1))
    client = client_for("community_secretary")
    url = reverse("orgs:propertycompany_detail", args=[orgs.company.pk])
    # when
    first, second = client.get(url).content.decode(), client.get(url, {"page": 2}).content.decode()
    # then the 30 newest are on page 1, the rest (幸福苑 since 2023 last) on page 2 only
    assert "服务小区34" in first and "服务小区05" in first and "服务小区04" not in first
    assert "服务小区04" in second and "幸福苑" in second and "服务小区34" not in second
    assert "南内环小区" not in first + second
