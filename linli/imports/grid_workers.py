"""网格员: the grid workers of the importer's area and the grids each looks after.

A grid worker is registered by name and phone (the register keeps no ID number for them): a row finds
the worker of that name and phone in the area, or, when the phone is blank, the only worker of that name.
"""

from linli.accounts.scope import import_scope
from linli.core.scoping import scope_for, visible
from linli.imports.engine import CREATED, UNCHANGED, UPDATED, Column, Register, Row
from linli.imports.lookups import Places, differences, given, split_list
from linli.people import services as people_services
from linli.people.models import GridWorker

DETAILS = ("phone", "kind", "duties", "started_on")

COLUMNS = (
    Column("name", "姓名", required=True, max_length=50, rule="必填", example="刘芳"),
    Column("phone", "联系电话", kind="phone", variants=("手机", "手机号", "手机号码", "电话", "联系方式"),
           rule="选填，但同名的网格员须靠电话区分。11 位手机号，或带区号的固定电话", example="13912345678"),
    Column("kind", "类别", kind="choice", choices=tuple(GridWorker.Kind.choices), variants=("网格员类别", "类型"),
           rule="选填，新登记的不填即为专职网格员", example="专职网格员"),
    Column("grids", "负责网格", required=True, variants=("所属网格", "网格", "网格编码"), max_length=500,
           rule="必填：您辖区内的网格名称或 15 位网格编码，多个用“、”分隔；导入后即为该网格员负责的全部网格",
           example="康宁一网格"),
    Column("started_on", "上岗日期", kind="date", variants=("上岗时间", "入职日期"), rule="选填，如 2021-03-01",
           example="2021-03-01"),
    Column("duties", "职责清单", variants=("职责",), max_length=2000, rule="选填", example=""),
)

NOTES = (
    "每行一名网格员。按“姓名”和“联系电话”找到您辖区内已登记的网格员并更新，找不到则新登记。",
    "“负责网格”填写该网格员负责的全部网格：导入后，其在您辖区内负责的网格即为所填的网格（辖区外的不变）。",
    "选填的格子留空，表示不修改系统中已有的内容。",
    "先“检查”：全部行通过后才能“确认导入”，导入时全部写入或全部不写入。同一文件重复导入不会产生变化。",
)


def _find_worker(workers: list, name: str, phone: str):
    """(worker or None, the reason when a blank phone leaves several of that name)."""
    same = [w for w in workers if w.name == name]
    if phone:
        return next((w for w in same if w.phone == phone), None), None
    if len(same) > 1:
        return None, f"辖区内有 {len(same)} 位名为“{name}”的网格员，请填写“联系电话”以区分"
    return (same[0] if same else None), None


def plan(actor, rows: list[Row]) -> None:
    area = import_scope(actor)
    places = Places(area)
    workers = list(visible(GridWorker.objects.prefetch_related("grids"), area))
    seen: dict = {}
    for row in rows:
        if row.errors:
            continue
        v = row.values
        grids = []
        for text in split_list(v["grids"]):
            grid, reason = places.any_grid(text)
            if reason:
                row.reject(reason)
            elif grid not in grids:
                grids.append(grid)
        if row.errors:
            continue
        worker, reason = _find_worker(workers, v["name"], v["phone"])
        if reason:
            row.reject(reason)
            continue
        earlier = _earlier(seen, worker, v)
        if earlier:
            row.reject(f"与第 {earlier} 行是同一位网格员（同名的请填写“联系电话”以区分）")
            continue
        seen[worker.pk if worker else (v["name"], v["phone"])] = row.number
        _decide(actor, row, worker, area, grids)


def _earlier(seen: dict, worker, values: dict) -> int | None:
    """The row that already names this worker; two new workers of one name need two different phones."""
    if worker is not None:
        return seen.get(worker.pk)
    for key, number in seen.items():
        if isinstance(key, tuple) and key[0] == values["name"] and (
                not key[1] or not values["phone"] or key[1] == values["phone"]):
            return number
    return None


def _decide(actor, row: Row, worker, area, grids: list) -> None:
    wanted = given(row.values, DETAILS)
    row.plan.update(worker=worker, grids=grids)
    if worker is None:
        row.status = CREATED
        row.plan["data"] = {"name": row.values["name"], **wanted}
        return
    in_sight = {g.pk for g in visible(worker.grids.all(), area)}
    # The service replaces every grid the actor sees; those seen through another role stay as they are.
    others = visible(worker.grids.exclude(pk__in=in_sight), scope_for(actor).work_area())
    row.plan["grids"] = grids + list(others)
    row.plan["data"] = differences(worker, wanted)
    row.plan["grids_change"] = in_sight != {g.pk for g in grids}
    row.status = UPDATED if row.plan["data"] or row.plan["grids_change"] else UNCHANGED


def write(actor, row: Row, shared: dict) -> None:
    if row.status == CREATED:
        people_services.gridworker_create(actor=actor, grids=row.plan["grids"], **row.plan["data"])
    else:
        people_services.gridworker_update(actor=actor, worker=row.plan["worker"], data=row.plan["data"],
                                          grids=row.plan["grids"] if row.plan["grids_change"] else None)


REGISTER = Register(
    name="grid_workers",
    title="网格员",
    columns=COLUMNS,
    key=("name", "phone"),
    label="name",
    plan=plan,
    write=write,
    notes=NOTES,
)
