"""Demo property data: resident1's compound under trust-based property with two months of entries and a
published statement, its common resources and contracts, a star-rating scheme with one assessment,
and the year's funding."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.core import clock
from linli.orgs.models import PartyOrg, PropertyCompany, PropertyService
from linli.people.models import Resident
from linli.property import services
from linli.property.models import FundKind, SurveyResponse, month_start
from linli.stations.models import Station

PDF = b"%PDF-1.4\n% demo invoice scan\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _at(day: dt.date, hour: int = 10):
    return clock.frozen(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))))


def _scan(n: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"invoice-{n}.pdf", PDF + str(n).encode())


def populate(context) -> None:
    users = context.users
    home = context.homes.get("resident1")
    if home is None or "branch1" not in users:
        return
    rng = context.rng
    anchor = getattr(context, "anchor", None) or clock.today()
    october = month_start(month_start(anchor) - dt.timedelta(days=1))
    september = month_start(october - dt.timedelta(days=1))
    opened = month_start(september - dt.timedelta(days=1))
    booker, street, district = users["branch1"], users["street1"], users["district1"]

    # The home compound moved to trust-based property when the account was opened.
    company = PropertyCompany.objects.order_by("id").first()
    PropertyService.objects.filter(compound=home, end__isnull=True, start__lt=opened).update(
        end=opened - dt.timedelta(days=1))
    PropertyService.objects.filter(compound=home, start__gte=opened).delete()
    PropertyService.objects.create(compound=home, mode=PropertyService.Mode.TRUST, company=company, start=opened,
                                   fee_rate=Decimal("1.10"), collection_rate=Decimal("93.50"))
    Resident.objects.filter(user=users["resident1"]).update(is_owner=True)
    owners = list(Resident.objects.filter(household__dwelling__entrance__building__compound=home,
                                          relation=Resident.Relation.HEAD).order_by("id").values_list("pk", flat=True))
    Resident.objects.filter(pk__in=owners).update(is_owner=True)

    with _at(opened):
        account = services.account_open(actor=booker, compound=home, opened_on=opened,
                                        bank_account="6222 0205 0000 1234 567")
        room = services.resource_create(actor=booker, compound=home, kind="idle_room", name="3号楼架空层活动室",
                                        size=Decimal("85"))
        parking = services.resource_create(actor=booker, compound=home, kind="parking", name="东侧地面停车场",
                                           size=Decimal("36"))
        ad = services.resource_create(actor=booker, compound=home, kind="ad_space", name="电梯轿厢广告位",
                                      size=Decimal("12"))
        services.resource_create(actor=booker, compound=home, kind="small_plot", name="北墙边角地块",
                                 size=Decimal("40"), note="拟改造为口袋公园")
        rent = services.contract_create(actor=booker, resource=room, counterparty="阳光托管班", start=opened,
                                        amount="1800.00")
        lot = services.contract_create(actor=booker, resource=parking, counterparty="捷停停车管理公司",
                                       start=opened, amount="4200.00")
        ads = services.contract_create(actor=booker, resource=ad, counterparty="城市之窗传媒", start=opened,
                                       amount="9600.00", period="year")
    context.add("公共资源", 4)
    context.add("收益合同", 3)

    scans = iter(range(1, 100))
    entries = 0
    for month in (september, october):
        fee = Decimal(rng.randint(1500000, 1900000)) / 100
        lines = [
            (2, "fee", fee, f"{month.month}月物业费", None),
            (5, "rent", Decimal("1800.00"), f"{month.month}月活动室租金", rent),
            (8, "parking", Decimal("4200.00"), f"{month.month}月停车场承包费", lot),
            (12, "staff", Decimal(rng.randint(620000, 680000)) / 100, f"{month.month}月保安、保洁人员工资", None),
            (15, "cleaning", Decimal("1200.00"), "垃圾清运", None),
            (20, "utilities", Decimal(rng.randint(60000, 90000)) / 100, "公共照明及二次供水电费", None),
            (25, "repair", Decimal(rng.randint(30000, 150000)) / 100, "单元门禁维修", None),
            (28, "management", Decimal("2000.00"), "物业酬金（按信托合同固定列支）", None),
        ]
        if month == october:
            lines.insert(3, (9, "advertising", Decimal("9600.00"), "电梯广告位年费", ads))
        for day, kind, amount, text, contract in lines:
            when = month.replace(day=day)
            with _at(when, 16):
                invoice = None if kind in ("fee", "rent", "parking", "advertising") else _scan(next(scans))
                services.entry_post(actor=booker, account=account, kind=kind, amount=amount.quantize(Decimal("0.01")),
                                    date=when, description=text, invoice=invoice, contract=contract)
            entries += 1
        with _at(month_start(month.replace(day=28) + dt.timedelta(days=4)), 2):
            services.statement_publish(month)
    context.add("共管账户", 1)
    context.add("账户分录", entries)
    context.add("月度收支公示", 2)

    # A district star-rating scheme, residents' survey answers and the street's review of the compound.
    with _at(october.replace(day=20)):
        scheme = services.scheme_create(
            actor=district, name="星级小区评定办法", year=october.year, unit=context.places.district,
            criteria=[("党建引领", 25, 100), ("环境卫生", 25, 100), ("安全秩序", 20, 100), ("设施维护", 15, 100),
                      ("收支公开", 15, 100)])
        answers = [SurveyResponse(scheme=scheme, compound=home, resident_id=pk, score=rng.choice((3, 4, 4, 5, 5)),
                                  at=clock.now()) for pk in owners[:25]]
        SurveyResponse.objects.bulk_create(answers)
        criteria = list(scheme.criteria.all())
        services.assessment_record(actor=street, scheme=scheme, compound=home,
                                   scores={c.pk: rng.randint(78, 96) for c in criteria})
    context.add("满意度测评", len(answers))
    context.add("星级评定", 1)

    # The year's funding: Party-building funds for every compound branch, one station award.
    district_unit = context.places.district
    branches = PartyOrg.objects.filter(level=PartyOrg.Level.BRANCH,
                                       community__code__startswith=district_unit.prefix).count()
    with _at(october.replace(day=10)):
        party = services.budget_create(actor=district, unit=district_unit, year=october.year,
                                       kind=FundKind.PARTY_BUILDING, amount=Decimal(branches * 6000 + 20000))
        grants = services.grants_party_building(actor=district, budget=party)
        for grant in grants[: len(grants) // 2]:
            services.disbursement_create(actor=district, grant=grant, amount=grant.amount, paid_on=clock.today())
        awards = services.budget_create(actor=district, unit=district_unit, year=october.year,
                                        kind=FundKind.STATION_AWARD, amount="300000.00")
        # The station award goes to a station the street accepted (stations/demo.py runs first).
        accepted = Station.objects.filter(compound=home, accepted_on__isnull=False).first()
        if accepted is not None:
            services.grant_station_award(actor=district, budget=awards, station=accepted)
        services.budget_create(actor=district, unit=district_unit, year=october.year, kind=FundKind.SUBSIDY,
                               amount="120000.00")
    context.add("经费预算", 3)
    context.add("经费下达", len(grants) + (accepted is not None))
