"""`linli generate-city`: a reproducible city (registry and cases) at street, district or city scale."""

import argparse
import dataclasses
import json
import time

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import User
from linli.cases import rollups
from linli.core import audit
from linli.core.models import AuditEntry
from linli.demo import city
from linli.demo.generator import (
    CITY_SHAPES,
    DEFAULT_SEED,
    LOGINS,
    Geometry,
    Shape,
)
from linli.people import rollups as registry_rollups
from linli.places.models import AdminUnit, Compound

ADD_CASES_ACTION = "generate_city_cases"


def shape_from_json(text: str) -> Shape:
    """A Shape from JSON: the `street` shape with the given fields replaced (geometries as objects)."""
    try:
        values = json.loads(text)
    except json.JSONDecodeError as e:
        raise CommandError(f"--shape-json 不是合法的 JSON：{e}") from e
    names = {f.name for f in dataclasses.fields(Shape)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise CommandError(f"--shape-json 含有未知字段：{'、'.join(unknown)}")
    for key in ("planned", "old_courtyard", "scattered"):
        if key in values:
            values[key] = Geometry(**{k: tuple(v) if isinstance(v, list) else v for k, v in values[key].items()})
    for key, value in list(values.items()):
        if isinstance(value, list):
            values[key] = tuple(value)
    return dataclasses.replace(CITY_SHAPES["street"], **{"name": "custom", **values})


class Command(BaseCommand):
    help = ("生成一座可复现的城市（区划、网格、小区、房屋、居民、党员、诉求），用于规模测试。"
            "PostgreSQL 上用 COPY 流式载入，其他数据库用 bulk_create。只能载入空数据库；"
            "--add-cases N 则向已有城市追加 N 件诉求（不改动区划与人口）。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(CITY_SHAPES), default=None,
                            help="规模（默认 street）：street（约 1/60 城市）、district（约 1/6）、"
                                 "city（6 个区、约 490 万居民、1000 万诉求）。city 的区划与人口约 1040 万行，"
                                 "在 2 核 PostgreSQL 机器上空闲时约 10 分钟、繁忙时约 40 分钟；诉求每 100 万件"
                                 "约 2–3 分钟。建议先 --scale city --cases 0，再用 --add-cases 追加诉求")
        parser.add_argument("--seed", type=int, default=None,
                            help=f"随机种子（默认 {DEFAULT_SEED}；追加诉求时默认沿用生成城市时的种子）")
        parser.add_argument("--cases", type=int, default=None, help="诉求数量（默认按规模）")
        parser.add_argument("--add-cases", type=int, default=None, metavar="N",
                            help="向已生成的城市追加 N 件诉求：同一两年时间窗，另取一段随机序列，不与已有诉求重复")
        parser.add_argument("--part", type=int, default=None,
                            help="追加诉求的部分编号（默认为此前追加次数加 1；同一种子的同一部分只能载入一次）")
        parser.add_argument("--keep-indexes", action="store_true",
                            help=f"追加诉求时保留索引逐行更新（默认在 PostgreSQL 上追加 {city.REBUILD_INDEXES_FROM:,} 件及以上时"
                                 "先删除诉求表的索引、载入后重建，其间诉求表不可读）")
        parser.add_argument("--batch-rows", type=int, default=city.BATCH_ROWS, help="每批写入的行数")
        parser.add_argument("--bulk-create", action="store_true", help="在 PostgreSQL 上也用 bulk_create（对比用）")
        parser.add_argument("--no-rollups", action="store_true",
                            help="载入后不重建诉求统计日汇总（之后请运行 linli case-rollups --rebuild --jobs 2）")
        # For tests: any shape, as JSON fields of Shape over the street shape.
        parser.add_argument("--shape-json", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, scale, seed, cases, add_cases, part, keep_indexes, batch_rows, bulk_create, shape_json,
               no_rollups=False, **options):
        copy = False if bulk_create else None
        if add_cases is not None:
            if scale or cases is not None or shape_json:
                raise CommandError("--add-cases 只向已有城市追加诉求，不能与 --scale、--cases、--shape-json 同时使用。")
            self._add_cases(add_cases, seed, part, batch_rows, copy, keep_indexes)
            self._rollups(no_rollups)
            return
        if part is not None:
            raise CommandError("--part 只用于 --add-cases。")
        seed = DEFAULT_SEED if seed is None else seed
        if AdminUnit.objects.exists():
            raise CommandError("数据库中已有区划数据：城市数据只能生成到空数据库。")
        taken = sorted(User.objects.filter(username__in=LOGINS).values_list("username", flat=True))
        if taken:
            raise CommandError(f"以下演示账号的用户名已被占用：{'、'.join(taken)}。请使用空数据库。")
        shape = shape_from_json(shape_json) if shape_json else CITY_SHAPES[scale or "street"]
        n_cases = shape.cases if cases is None else cases
        if n_cases < 0:
            raise CommandError("--cases 不能为负数。")
        report = city.generate_city(shape, seed, n_cases, batch_rows=batch_rows, copy=copy, out=self.stdout.write)
        audit.record(actor=None, action="generate_city", object_type="demo",
                     object_repr=f"城市数据（规模 {shape.name}，种子 {seed}）",
                     changes={"seed": seed, "scale": shape.name, "cases": n_cases, "counts": report["counts"]},
                     channel="command")
        # The registry was marked compound by compound batch after batch: one recount is cheaper.
        started = time.perf_counter()
        rows = registry_rollups.rebuild()
        self.stdout.write(f"户籍人口汇总：{rows:,} 行，用时 {time.perf_counter() - started:,.1f} 秒")
        self._rollups(no_rollups)

    def _rollups(self, skip: bool):
        # The loaded cases were all marked for the figures' rollups; a rebuild day by day is far cheaper
        # than leaving millions of marks to the first reader of the figures.
        if skip:
            self.stdout.write("未重建诉求统计日汇总：读取统计前请运行 linli case-rollups --rebuild --jobs 2")
            return
        started = time.perf_counter()
        days = rollups.rebuild(out=self.stdout.write)
        self.stdout.write(f"诉求统计日汇总：重建 {days:,} 天，用时 {time.perf_counter() - started:,.1f} 秒")

    def _add_cases(self, n, seed, part, batch_rows, copy, keep_indexes):
        if n <= 0:
            raise CommandError("--add-cases 须为正整数。")
        if not Compound.objects.exists():
            raise CommandError("数据库中还没有城市数据（没有小区）：请先用 generate-city 生成城市，再追加诉求。")
        # The city's own seed and the parts already added are read back from the audit log.
        made = AuditEntry.objects.filter(action="generate_city", object_type="demo").order_by("-at", "-id").first()
        if seed is None:
            seed = (made.changes.get("seed") if made else None) or DEFAULT_SEED
        added = AuditEntry.objects.filter(action=ADD_CASES_ACTION, object_type="demo")
        if part is None:
            part = 1 + max((e.changes.get("part", 0) for e in added), default=0)
        if part < 1:
            raise CommandError("--part 须为正整数（第 0 部分是生成城市时的诉求）。")
        if any(e.changes.get("seed") == seed and e.changes.get("part") == part for e in added):
            raise CommandError(f"种子 {seed} 的第 {part} 部分诉求已经追加过，再次载入会重复：请换一个 --part。")
        try:
            report = city.add_cases(n, seed, part, batch_rows=batch_rows, copy=copy,
                                    rebuild_indexes=False if keep_indexes else None, out=self.stdout.write)
        except ValueError as e:
            raise CommandError("没有可用的小区或启用的诉求类别，无法生成诉求。") from e
        audit.record(actor=None, action=ADD_CASES_ACTION, object_type="demo",
                     object_repr=f"追加诉求（种子 {seed}，第 {part} 部分，{n:,} 件）",
                     changes={"seed": seed, "part": part, "cases": report["cases"]}, channel="command")
