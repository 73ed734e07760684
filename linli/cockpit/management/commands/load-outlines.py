"""`linli load-outlines FILE.geojson`: load a city's own outlines of districts, streets and communities.

Each feature of the FeatureCollection is a Polygon or MultiPolygon in WGS 84 longitude/latitude,
naming its unit by `properties.code` (or `区划代码`), the unit's 12-digit code. The file is checked
whole first: one bad feature or unknown code and nothing is written. A unit loaded again is replaced.
Units without an outline are drawn as the convex hull of their compounds.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linli.cockpit import geo

MAX_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = "导入区划边界（GeoJSON FeatureCollection，properties.code 为 12 位区划代码）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON 文件路径")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB）。")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("文件不是 UTF-8 编码的文本，请另存为 UTF-8 后再导入。") from None
        try:
            count = geo.load_outlines(text, source=path.name)
        except ValidationError as exc:
            raise CommandError("边界未导入，文件有以下问题：\n" + "\n".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已导入 {count} 个区划边界。"))
