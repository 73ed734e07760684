"""The map's data: compound points, unit outlines, Party organisations and open cases as GeoJSON.

Outlines come from `places.UnitOutline` (a city's own GeoJSON, `linli load-outlines`); a unit without
one is drawn as the convex hull of its compounds' locations, padded a little so a unit of one or two
compounds is still an area. Everything is read within the actor's sight: compounds through
`visible`, units through `visible`, open cases through `visible`, so a row of another street never
reaches the map.
"""

import json
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from linli.cases.models import OPEN_STATUSES, Case
from linli.core import clock, services
from linli.core.scoping import scope_for, visible
from linli.orgs.models import PartyOrg
from linli.places.models import AdminUnit, Compound, UnitOutline
from linli.stations.models import Station

PAD = 0.0015  # degrees (about 150 m) around a hull


def _cross(o, a, b) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; the hull counter-clockwise, without repeating the first point."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def hull_polygon(points: list[tuple[float, float]]) -> dict | None:
    """A GeoJSON Polygon around the points (lng, lat): their padded hull, or a box around one or two."""
    if not points:
        return None
    hull = convex_hull(points)
    if len(hull) < 3:
        xs, ys = [p[0] for p in hull], [p[1] for p in hull]
        hull = [(min(xs) - PAD, min(ys) - PAD), (max(xs) + PAD, min(ys) - PAD),
                (max(xs) + PAD, max(ys) + PAD), (min(xs) - PAD, max(ys) + PAD)]
    else:
        cx, cy = sum(p[0] for p in hull) / len(hull), sum(p[1] for p in hull) / len(hull)
        hull = [(x + PAD * _sign(x - cx), y + PAD * _sign(y - cy)) for x, y in hull]
    ring = [[round(x, 6), round(y, 6)] for x, y in hull]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _point(compound) -> tuple[float, float] | None:
    if compound["latitude"] is None or compound["longitude"] is None:
        return None
    return float(compound["longitude"]), float(compound["latitude"])


def node_geojson(actor, *, unit: AdminUnit | None = None, compound: Compound | None = None) -> dict:
    """FeatureCollection of the node: outlines of its child units, compounds, Party organisations, open cases, stations.

    The caller has checked that the node is in sight; every row below is filtered by sight again.
    """
    scope = scope_for(actor).work_area()
    compounds = visible(Compound.objects.all(), scope)
    if compound is not None:
        compounds = compounds.filter(pk=compound.pk)
    else:
        compounds = compounds.filter(community__code__startswith=unit.prefix)
    rows = list(compounds.values("id", "name", "latitude", "longitude", "community__code"))
    located = {r["id"]: _point(r) for r in rows}
    features = []

    # Outlines of the child units (or of the unit itself when it is a community).
    if unit is not None:
        if unit.level == AdminUnit.Level.COMMUNITY:
            outlined = [unit]
        else:
            outlined = list(visible(AdminUnit.objects.filter(parent=unit), scope))
        loaded = {o.unit_id: o.geometry for o in UnitOutline.objects.filter(unit__in=outlined)}
        for child in outlined:
            geometry = loaded.get(child.pk)
            source = "loaded"
            if geometry is None:
                source = "hull"
                geometry = hull_polygon([located[r["id"]] for r in rows
                                         if r["community__code"].startswith(child.prefix) and located[r["id"]]])
            if geometry is not None:
                features.append({"type": "Feature", "geometry": geometry, "properties": {
                    "layer": "outline", "kind": "unit", "id": child.pk, "name": child.name, "source": source}})

    open_by_compound = dict(visible(Case.objects.filter(status__in=OPEN_STATUSES), scope)
                            .filter(compound_id__in=[r["id"] for r in rows]).order_by()
                            .values_list("compound_id").annotate(n=Count("pk")))
    for r in rows:
        point = located[r["id"]]
        if point is None:
            continue
        geometry = {"type": "Point", "coordinates": [round(point[0], 6), round(point[1], 6)]}
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "layer": "compound", "kind": "compound", "id": r["id"], "name": r["name"]}})
        if open_by_compound.get(r["id"]):
            features.append({"type": "Feature", "geometry": geometry, "properties": {
                "layer": "cases", "kind": "compound", "id": r["id"], "name": r["name"],
                "open_cases": open_by_compound[r["id"]]}})

    # Party organisations at the mean location of the compounds they cover (the seeds' 分布图).
    covered = defaultdict(list)
    orgs = visible(PartyOrg.objects.all(), scope).filter(compounds__in=[r["id"] for r in rows])
    for org_id, name, compound_id in orgs.values_list("id", "name", "compounds").distinct():
        if located.get(compound_id):
            covered[org_id, name].append(located[compound_id])
    for (org_id, name), points in covered.items():
        lng, lat = sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
                         "properties": {"layer": "party", "kind": "partyorg", "id": org_id, "name": name,
                                        "compounds": len(points)}})
    features += _station_features(scope, unit, compound, located)
    return {"type": "FeatureCollection", "features": features}


def _station_features(scope, unit, compound, located: dict) -> list[dict]:
    """Party-and-people service stations in sight under the node: at their own location, or at their
    compound's when they have none; a station with neither is left off the map."""
    stations = visible(Station.objects.all(), scope)
    if compound is not None:
        stations = stations.filter(compound_id=compound.pk)
    else:
        stations = stations.filter(community__code__startswith=unit.prefix)
    out = []
    for row in stations.order_by("pk").values("id", "name", "kind", "latitude", "longitude", "compound_id"):
        point = _point(row) or located.get(row["compound_id"])
        if point is None:
            continue
        out.append({"type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(point[0], 6), round(point[1], 6)]},
                    "properties": {"layer": "station", "kind": row["kind"], "id": row["id"], "name": row["name"],
                                   "kind_label": Station.Kind(row["kind"]).label}})
    return out


# ---------------------------------------------------------------- loading a city's outlines


def _ring_ok(ring) -> bool:
    if not isinstance(ring, list) or len(ring) < 4:
        return False
    for position in ring:
        if not (isinstance(position, list) and len(position) >= 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])):
            return False
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            return False
    return ring[0][:2] == ring[-1][:2]


def _geometry_ok(geometry) -> bool:
    if not isinstance(geometry, dict):
        return False
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return isinstance(coordinates, list) and bool(coordinates) and all(_ring_ok(r) for r in coordinates)
    if kind == "MultiPolygon":
        return (isinstance(coordinates, list) and bool(coordinates)
                and all(isinstance(p, list) and p and all(_ring_ok(r) for r in p) for p in coordinates))
    return False


def _feature_code(feature) -> str:
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        return ""
    value = props.get("code", props.get("区划代码", ""))
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def parse_outlines(text: str) -> list[tuple[str, dict]]:
    """(unit code, geometry) per feature of a GeoJSON FeatureCollection; every fault a Chinese sentence.

    Each feature names its unit by `properties.code` (or `区划代码`): the unit's 12-digit code.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"文件不是有效的 JSON：{exc}。") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise ValidationError("文件应为 GeoJSON 的 FeatureCollection（含 features 列表）。")
    if not data["features"]:
        raise ValidationError("文件中没有任何边界（features 为空）。")
    errors, found = [], []
    for number, feature in enumerate(data["features"], start=1):
        code = _feature_code(feature)
        if not code:
            errors.append(f"第 {number} 个要素缺少 properties.code（区划代码）。")
            continue
        if not _geometry_ok(feature.get("geometry")):
            errors.append(f"第 {number} 个要素（{code}）的几何不是有效的 Polygon 或 MultiPolygon（经纬度、首尾闭合）。")
            continue
        found.append((code, feature["geometry"]))
    codes = [code for code, _ in found]
    units = {u.code: u for u in AdminUnit.objects.filter(code__in=codes)}
    errors += [f"区划代码 {code} 在系统中不存在。" for code in dict.fromkeys(codes) if code not in units]
    errors += [f"区划代码 {code} 在文件中出现了多次。" for code in dict.fromkeys(codes) if codes.count(code) > 1]
    if errors:
        raise ValidationError(errors)
    return found


def load_outlines(text: str, *, source: str) -> int:
    """Store every outline of the file, or none: a fault anywhere writes nothing. Returns how many."""
    found = parse_outlines(text)
    units = {u.code: u for u in AdminUnit.objects.filter(code__in=[code for code, _ in found])}
    now = clock.now()
    existing = {o.unit_id: o for o in UnitOutline.objects.filter(unit__in=units.values())}
    with transaction.atomic():
        # Through the audited writes: each outline created or replaced is in the audit log (by the system).
        for code, geometry in found:
            data = {"geometry": geometry, "source": source[:200], "loaded_at": now}
            outline = existing.get(units[code].pk)
            if outline is None:
                services.create(actor=None, model=UnitOutline, data={"unit": units[code], **data})
            else:
                services.update(actor=None, instance=outline, data=data)
    return len(found)
