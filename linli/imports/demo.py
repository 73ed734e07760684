"""Demo data for trying an import: 示范家园, a compound of community1's community with buildings and dwellings
but nobody living there and no organisation of its own yet. The 数据导入 page hands out filled example
files about it (`linli.imports.examples`)."""

from decimal import Decimal

from linli.imports.examples import DEMO_COMPOUND
from linli.places.models import Building, Compound, Dwelling, Entrance, Grid


def populate(context) -> None:
    community = context.homes.get("community1")
    grid = Grid.objects.filter(community=community).order_by("code").first() if community else None
    if grid is None:
        return
    compound = Compound.objects.create(community=community, name=DEMO_COMPOUND, kind=Compound.Kind.PLANNED,
                                       walled=True)
    for number in ("1号楼", "2号楼"):
        building = Building.objects.create(compound=compound, number=number, floors=3, grid=grid)
        entrance = Entrance.objects.create(building=building, number="1单元")
        Dwelling.objects.bulk_create(
            Dwelling(entrance=entrance, number=f"{floor}{pos:02d}", floor=floor,
                     contract_area=Decimal("88.00") if pos == 1 else Decimal("72.00"))
            for floor in (1, 2, 3) for pos in (1, 2))
    context.add("小区/院落", 1)
    context.add("楼栋", 2)
    context.add("单元", 2)
    context.add("房屋", 12)
