"""The place registers through the import engine: compounds, buildings with dwellings, grids with micro-grids."""

from decimal import Decimal

import pytest

from linli.core.models import AuditEntry
from linli.imports.registers import get
from linli.imports.tests.helpers import check_file, commit_file, errors_of, row_of, rows_by_number, sheet
from linli.places.models import Building, Compound, Dwelling, Entrance, Grid, MicroGrid
from linli.places.tests.factories import MicroGridFactory
from linli.testing import table_counts

COMPOUNDS, DWELLINGS, GRIDS = get("compounds"), get("dwellings"), get("grids")


# --- compounds ----------------------------------------------------------------------------------

def test_a_new_compound_is_created_audited_as_import_and_reimporting_changes_nothing(world, tmp_path):
    # given
    path = sheet(tmp_path / "c.xlsx", COMPOUNDS, [
        row_of(COMPOUNDS, name="和平里", kind="老旧院落", build_year="1985", walled="否",
               responsible_department="太原市机床厂"),
        row_of(COMPOUNDS, community="140105001001", name="康宁新苑", kind="planned", latitude="", longitude=""),
    ])
    # when
    report = commit_file(world, COMPOUNDS, path)
    # then
    assert report.committed and [r.status for r in report.rows] == ["created", "created"]
    made = Compound.objects.get(name="和平里")
    assert (made.community, made.kind, made.build_year, made.walled, made.latitude) == (
        world.community1, "old_courtyard", 1985, False, Decimal("37.741200"))
    assert Compound.objects.get(name="康宁新苑").community == world.community1
    assert set(AuditEntry.objects.filter(object_type="places.compound").values_list("channel", flat=True)) == {"import"}
    # when: the same file again
    before, audited = table_counts(), AuditEntry.objects.count()
    again = commit_file(world, COMPOUNDS, path)
    # then
    assert [r.status for r in again.rows] == ["unchanged", "unchanged"]
    assert table_counts() == before and AuditEntry.objects.count() == audited


def test_a_registered_compound_is_updated_by_name_and_blank_cells_keep_what_is_registered(world, tmp_path):
    # given: 康宁小区 has no address; the row gives one and leaves the year blank
    path = sheet(tmp_path / "c.xlsx", COMPOUNDS, [
        row_of(COMPOUNDS, kind="", address="坞城路 99 号", build_year="", walled="", has_property_room="",
               latitude="", longitude="")])
    # when
    report = commit_file(world, COMPOUNDS, path)
    # then
    assert [r.status for r in report.rows] == ["updated"]
    world.compound1.refresh_from_db()
    assert (world.compound1.address, world.compound1.build_year) == ("坞城路 99 号", 2005)
    entry = AuditEntry.objects.get(object_type="places.compound", action="update")
    assert set(entry.changes) == {"address"} and entry.channel == "import"


COMPOUND_BAD = [
    ("kind", {"kind": "高档小区"}, "“类型”只能填写：建制小区、老旧院落、零散楼栋"),
    ("year not a number", {"build_year": "九八年"}, "“建成年份”应填写数字"),
    ("year out of range", {"build_year": "1800"}, "“建成年份”应在 1900 到 2100 之间"),
    ("year with decimals", {"build_year": "1998.5"}, "“建成年份”应填写整数"),
    ("yes/no", {"walled": "半封闭"}, "“封闭式”只能填写“是”或“否”"),
    ("latitude", {"latitude": "北纬37度"}, "“纬度”应填写数字"),
    ("longitude range", {"longitude": "212.5"}, "“经度”应在 -180 到 180 之间"),
    ("name missing", {"name": ""}, "“小区名称”未填写"),
    ("name too long", {"name": "院" * 101}, "“小区名称”最多 100 个字"),
    ("no community", {"community": "不存在社区"}, "找不到社区“不存在社区”（不存在或不在您的辖区内）"),
    ("out-of-area community", {"community": "南内环社区"}, "找不到社区“南内环社区”（不存在或不在您的辖区内）"),
    ("new without kind", {"name": "新小区", "kind": ""}, "新建小区须填写“类型”"),
]


@pytest.mark.parametrize(("case", "change", "reason"), COMPOUND_BAD, ids=[b[0] for b in COMPOUND_BAD])
def test_each_bad_compound_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    rows = [row_of(COMPOUNDS, name="幸福苑"), row_of(COMPOUNDS, **change)]
    report = check_file(world, COMPOUNDS, sheet(tmp_path / "bad.xlsx", COMPOUNDS, rows))
    assert errors_of(report) == {3: [reason]}
    assert not report.ok and not report.token


def test_one_compound_written_two_ways_in_a_file_is_a_duplicate(world, tmp_path):
    rows = [row_of(COMPOUNDS), row_of(COMPOUNDS, community="140105001001"), row_of(COMPOUNDS)]
    report = check_file(world, COMPOUNDS, sheet(tmp_path / "dup.xlsx", COMPOUNDS, rows))
    assert errors_of(report) == {3: ["与第 2 行是同一小区（写法不同）"], 4: ["与第 2 行的“社区、小区名称”重复"]}


# --- buildings and dwellings --------------------------------------------------------------------

def new_building_rows() -> list[list]:
    """A new 2号楼 of 康宁小区 with two entrances, in 康宁二网格."""
    return [
        row_of(DWELLINGS, building="2号楼", entrance="1单元", dwelling="101", floor="", floors="6", grid="康宁二网格"),
        row_of(DWELLINGS, building="2号楼", entrance="1单元", dwelling="302", floor="", floors="", grid=""),
        row_of(DWELLINGS, building="2栋", entrance="2", dwelling="101", floor="", registered_area="", floors="6",
               grid="140105001001002"),
    ]


def test_a_new_building_with_entrances_and_dwellings_is_created_once_and_reimport_changes_nothing(world, tmp_path):
    # given
    path = sheet(tmp_path / "d.xlsx", DWELLINGS, new_building_rows())
    # when
    report = commit_file(world, DWELLINGS, path)
    # then
    assert report.committed and [r.status for r in report.rows] == ["created"] * 3
    assert [r.label for r in report.rows] == ["康宁小区2号楼1单元101", "康宁小区2号楼1单元302", "康宁小区2栋2101"]
    building = Building.objects.get(compound=world.compound1, number="2号楼")
    assert (building.grid, building.floors) == (world.grid2, 6)
    assert sorted(Entrance.objects.filter(building=building).values_list("number", flat=True)) == ["1单元", "2"]
    room = Dwelling.objects.get(entrance__building=building, entrance__number="1单元", number="302")
    assert (room.floor, room.registered_area) == (3, Decimal("89.50"))
    assert AuditEntry.objects.filter(object_type="places.building", channel="import").count() == 1
    assert AuditEntry.objects.filter(object_type="places.dwelling", channel="import").count() == 3
    # when
    before, audited = table_counts(), AuditEntry.objects.count()
    again = commit_file(world, DWELLINGS, path)
    # then
    assert [r.status for r in again.rows] == ["unchanged"] * 3
    assert table_counts() == before and AuditEntry.objects.count() == audited


def test_a_registered_dwelling_and_its_building_are_updated(world, tmp_path):
    # given: 101 of 康宁小区 1号楼 gets a surveyed area; the building moves to 康宁二网格 and its micro-grid
    micro = MicroGridFactory(grid=world.grid2, name="南片")
    rows = [row_of(DWELLINGS, registered_area="", floor="", surveyed_area="90.2", developer_unsold="", floors="",
                   grid="康宁二网格", micro_grid="南片")]
    # when
    report = commit_file(world, DWELLINGS, sheet(tmp_path / "d.xlsx", DWELLINGS, rows))
    # then
    assert [r.status for r in report.rows] == ["updated"]
    building = Building.objects.get(compound=world.compound1, number="1号楼")
    assert (building.grid, building.micro_grid) == (world.grid2, micro)
    assert Dwelling.objects.get(entrance__building=building, number="101").surveyed_area == Decimal("90.20")


DWELLING_BAD = [
    ("area", {"registered_area": "约90"}, "“登记面积”应填写数字"),
    ("negative area", {"contract_area": "-3"}, "“合同面积”应在 0 到 99999 之间"),
    ("floor", {"floor": "三楼"}, "“楼层”应填写数字"),
    ("room missing", {"dwelling": ""}, "“房号”未填写"),
    ("out-of-area compound", {"community": "南内环社区", "compound": "南内环小区"},
     "找不到社区“南内环社区”（不存在或不在您的辖区内）"),
    ("other community's compound", {"compound": "双东院落"}, "康宁社区找不到小区“双东院落”（不存在或不在您的辖区内）"),
    ("new building without grid", {"building": "8号楼", "grid": ""}, "新建楼栋须填写“网格”"),
    ("grid of another community", {"grid": "双东一网格"}, "康宁社区找不到网格“双东一网格”（不存在或不在您的辖区内）"),
    ("unknown micro-grid", {"micro_grid": "北片"}, "康宁一网格找不到微网格“北片”"),
]


@pytest.mark.parametrize(("case", "change", "reason"), DWELLING_BAD, ids=[b[0] for b in DWELLING_BAD])
def test_each_bad_dwelling_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    rows = [row_of(DWELLINGS, dwelling="201"), row_of(DWELLINGS, **change)]
    report = check_file(world, DWELLINGS, sheet(tmp_path / "bad.xlsx", DWELLINGS, rows))
    assert errors_of(report) == {3: [reason]}


def test_a_building_described_differently_on_two_rows_and_a_room_written_twice_are_rejected(world, tmp_path):
    rows = new_building_rows()
    rows[2][DWELLINGS.columns.index(DWELLINGS.column("floors"))] = "7"
    rows.append(row_of(DWELLINGS, building="2", entrance="1单元", dwelling="302室", grid=""))
    report = check_file(world, DWELLINGS, sheet(tmp_path / "bad.xlsx", DWELLINGS, rows))
    assert errors_of(report) == {4: ["与第 2 行的“楼栋层数”不一致（同一楼栋）"], 5: ["与第 3 行是同一房屋（写法不同）"]}


def test_rows_of_a_new_building_whose_first_row_fails_are_rejected_too(world, tmp_path):
    rows = new_building_rows()
    rows[0][DWELLINGS.columns.index(DWELLINGS.column("grid"))] = "不存在网格"
    report = check_file(world, DWELLINGS, sheet(tmp_path / "bad.xlsx", DWELLINGS, rows))
    found = rows_by_number(report)
    assert found[2].errors == ["康宁社区找不到网格“不存在网格”（不存在或不在您的辖区内）"]
    assert found[3].errors == found[4].errors == ["新楼栋所在的第 2 行未通过检查"]


# --- grids and micro-grids ----------------------------------------------------------------------

def test_a_new_grid_and_micro_grid_take_over_the_buildings_they_cover(world, tmp_path):
    # given: a third grid of 康宁社区 with a micro-grid covering 幸福苑 (now in 康宁二网格)
    rows = [
        row_of(GRIDS, grid="康宁三网格", code="140105001001003", compound="", buildings=""),
        row_of(GRIDS, grid="康宁三网格", code="", micro_grid="幸福苑片", compound="幸福苑", buildings=""),
    ]
    path = sheet(tmp_path / "g.xlsx", GRIDS, rows)
    # when
    report = commit_file(world, GRIDS, path)
    # then
    assert report.committed and [r.status for r in report.rows] == ["created", "created"]
    assert [r.label for r in report.rows] == ["康宁三网格", "康宁三网格 · 幸福苑片"]
    grid = Grid.objects.get(code="140105001001003")
    micro = MicroGrid.objects.get(grid=grid, name="幸福苑片")
    building = Building.objects.get(compound=world.compound2)
    assert (building.grid, building.micro_grid) == (grid, micro)
    assert AuditEntry.objects.filter(object_type="places.building", action="update", channel="import").count() == 1
    # when
    before, audited = table_counts(), AuditEntry.objects.count()
    again = commit_file(world, GRIDS, path)
    # then
    assert [r.status for r in again.rows] == ["unchanged", "unchanged"]
    assert table_counts() == before and AuditEntry.objects.count() == audited


def test_a_grid_found_by_code_is_renamed_and_a_building_leaving_it_loses_its_micro_grid(world, tmp_path):
    # given: 幸福苑's building sits in a micro-grid of 康宁二网格, and moves to 康宁一网格 (renamed)
    building = Building.objects.get(compound=world.compound2)
    building.micro_grid = MicroGridFactory(grid=world.grid2)
    building.save()
    rows = [row_of(GRIDS, grid="康宁东网格", compound="幸福苑", buildings="1栋")]
    # when
    report = commit_file(world, GRIDS, sheet(tmp_path / "g.xlsx", GRIDS, rows))
    # then
    assert [r.status for r in report.rows] == ["updated"]
    world.grid1.refresh_from_db()
    building.refresh_from_db()
    assert world.grid1.name == "康宁东网格"
    assert (building.grid, building.micro_grid) == (world.grid1, None)


GRID_BAD = [
    ("code of another community", {"grid": "新网格", "code": "140105001002009"},
     "“网格编码”应为 15 位：所属社区的 12 位代码加 3 位序号"),
    ("code too short", {"code": "1401050010010"}, "“网格编码”应为 15 位：所属社区的 12 位代码加 3 位序号"),
    ("new grid without code", {"grid": "新网格", "code": ""}, "新建网格须填写“网格编码”"),
    ("no such building", {"buildings": "1号楼、9号楼"}, "康宁小区找不到楼栋“9号楼”（不存在或不在您的辖区内）"),
    ("buildings without compound", {"compound": ""}, "填写“楼栋”时须填写所在的“小区”"),
    ("other community's compound", {"compound": "双东院落"}, "康宁社区找不到小区“双东院落”（不存在或不在您的辖区内）"),
    ("out-of-area community", {"community": "140105002001"}, "找不到社区“140105002001”（不存在或不在您的辖区内）"),
    ("grid name missing", {"grid": ""}, "“网格名称”未填写"),
]


@pytest.mark.parametrize(("case", "change", "reason"), GRID_BAD, ids=[b[0] for b in GRID_BAD])
def test_each_bad_grid_cell_is_rejected_with_its_reason_and_row_number(world, tmp_path, case, change, reason):
    rows = [row_of(GRIDS, grid="康宁二网格", code="", compound="", buildings=""), row_of(GRIDS, **change)]
    report = check_file(world, GRIDS, sheet(tmp_path / "bad.xlsx", GRIDS, rows))
    assert errors_of(report) == {3: [reason]}


def test_a_building_given_to_two_grids_in_one_file_is_rejected(world, tmp_path):
    rows = [row_of(GRIDS), row_of(GRIDS, grid="康宁二网格", code="", buildings="1")]
    report = check_file(world, GRIDS, sheet(tmp_path / "bad.xlsx", GRIDS, rows))
    assert errors_of(report) == {3: ["楼栋“康宁小区1号楼”已在第 2 行划分"]}
