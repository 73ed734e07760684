"""`linli generate-city`: a reproducible city (registry and cases) at street, district or city scale."""

import argparse
import dataclasses
import json

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import User
from linli.core import audit
from linli.demo import city
from linli.demo.generator import (
    CITY_SHAPES,
    DEFAULT_SEED,
    LOGINS,
    Geometry,
    Shape,
)
from linli.places.models import AdminUnit


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
            "PostgreSQL 上用 COPY 流式载入，其他数据库用 bulk_create。只能载入空数据库。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(CITY_SHAPES), default="street",
                            help="规模：street（约 1/60 城市）、district（约 1/6）、city（6 个区、500 万居民、1000 万诉求）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
        parser.add_argument("--cases", type=int, default=None, help="诉求数量（默认按规模）")
        parser.add_argument("--batch-rows", type=int, default=city.BATCH_ROWS, help="每批写入的行数")
        parser.add_argument("--bulk-create", action="store_true", help="在 PostgreSQL 上也用 bulk_create（对比用）")
        # For tests: any shape, as JSON fields of Shape over the street shape.
        parser.add_argument("--shape-json", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, scale, seed, cases, batch_rows, bulk_create, shape_json, **options):
        if AdminUnit.objects.exists():
            raise CommandError("数据库中已有区划数据：城市数据只能生成到空数据库。")
        taken = sorted(User.objects.filter(username__in=LOGINS).values_list("username", flat=True))
        if taken:
            raise CommandError(f"以下演示账号的用户名已被占用：{'、'.join(taken)}。请使用空数据库。")
        shape = shape_from_json(shape_json) if shape_json else CITY_SHAPES[scale]
        n_cases = shape.cases if cases is None else cases
        if n_cases < 0:
            raise CommandError("--cases 不能为负数。")
        report = city.generate_city(shape, seed, n_cases, batch_rows=batch_rows, copy=False if bulk_create else None,
                               out=self.stdout.write)
        audit.record(actor=None, action="generate_city", object_type="demo",
                     object_repr=f"城市数据（规模 {shape.name}，种子 {seed}）",
                     changes={"seed": seed, "scale": shape.name, "cases": n_cases, "counts": report["counts"]},
                     channel="command")
