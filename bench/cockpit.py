"""The cockpit's pages on the database at hand: p50/p95 per page and the queries each one runs.

Times, with Django's test client in this process (no HTTP), the cockpit of the district, a street,
a community and a compound as `district1`, and the district's map data and monthly xlsx:

    DATABASE_URL=… LINLI_DEMO=1 .venv/bin/python bench/cockpit.py [--requests 20]

Run it on a demo (`linli demo`) or on a generated city (`linli generate-city`, rollups current).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--user", default="district1")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from linli.accounts.models import User
    from linli.places.models import AdminUnit, Compound

    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    district = AdminUnit.objects.filter(level="district").order_by("code").first()
    street = AdminUnit.objects.filter(parent=district).order_by("code").first()
    community = AdminUnit.objects.filter(parent=street).order_by("code").first()
    compound = Compound.objects.filter(community=community).order_by("pk").first()
    pages = [("区县驾驶舱", f"/cockpit/units/{district.pk}/"), ("街道驾驶舱", f"/cockpit/units/{street.pk}/"),
             ("社区驾驶舱", f"/cockpit/units/{community.pk}/"), ("小区驾驶舱", f"/cockpit/compounds/{compound.pk}/"),
             ("区县地图数据", f"/cockpit/units/{district.pk}/map.json"),
             ("区县月报 xlsx", f"/cockpit/units/{district.pk}/report.xlsx")]
    print(f"{connection.vendor}，用户 {user.username}，每页 {args.requests} 次（另有 2 次预热）")
    for label, url in pages:
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{label:<10} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   查询 {len(queries)} 次")


if __name__ == "__main__":
    main()
