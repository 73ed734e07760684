"""The stations tests' additions to the world: Party members with logins, a station, a photo."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.accounts.models import Role
from linli.people.models import PartyMember
from linli.stations import services
from linli.testing import make_user


def photo(name="wish.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def member(world, resident=None, username="member1"):
    """A Party member living in compound1 (the neighbour), with a resident login."""
    resident = resident or world.neighbour
    user = make_user(username, Role.RESIDENT)
    resident.user = user
    resident.save()
    PartyMember.objects.create(resident=resident, category=PartyMember.Category.RESIDENT)
    return user


def far_member(world):
    """A Party member of community3 (another street)."""
    return member(world, world.far_resident, "farmember1")


def station(world, **extra):
    data = {"community": world.community1, "compound": world.compound1, "name": "康宁小区党群服务站",
            "kind": "compound", "address": "康宁小区3号楼一层"}
    data.update(extra)
    return services.station_create(actor=world.user("community_secretary"), **data)


def wish(world, title="想要一副老花镜"):
    return services.wish_post(actor=world.user("resident"), title=title, body="看药品说明书很吃力")


def partner(world, community=None, name="康宁家电维修部"):
    from linli.orgs.models import PartnerUnit

    return PartnerUnit.objects.create(name=name, kind="unit", community=community or world.community1,
                                      offer="家电维修")


def partner_login(world, username="partner1", unit=None):
    """A partner unit's staff member with a login of the narrow role, and the resource they handle."""
    unit = unit or partner(world)
    staff = services.partner_staff_add(actor=world.user("community_secretary"), partner=unit, name="王师傅",
                                       username=username, password="Linli-partner-2026")
    resource = services.resource_create(actor=world.user("community_secretary"), community=unit.community,
                                        kind="partner", name=unit.name, offer="上门维修家电", handler=staff.user,
                                        partner=unit, capacity=5)
    return staff.user, resource
