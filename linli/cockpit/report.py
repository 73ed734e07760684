"""The monthly report of a node: an .xlsx with a sheet per domain and an A4 PDF with charts.

Both are built from the cockpit's own reading (`selectors.cockpit`), so the report says what the page
says. The PDF's Chinese font: the TrueType file named by LINLI_PDF_FONT if set (embedded, subset), else
the first TrueType CJK font found in the usual font directories (`FONT_CANDIDATES`), else reportlab's
built-in CID font STSong-Light (not embedded: PDF readers substitute their own Song face, as for
the council's notices). reportlab cannot embed OpenType/CFF fonts, so Debian's fonts-noto-cjk
(.ttc with PostScript outlines) is tried and skipped; fonts-wqy-zenhei or fonts-arphic-uming are
TrueType and are used when installed.
"""

import io
from pathlib import Path

from django.conf import settings
from openpyxl import Workbook
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from linli.core import spreadsheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
CID_FONT = "STSong-Light"
_font_name: str | None = None
SERIES_COLOURS = [colors.HexColor(c) for c in ("#b4232a", "#2f6f9f", "#d98e04", "#3d8b5a", "#6b4c9a", "#8c564b",
                                               "#7f7f7f")]


def _try_truetype(path: str) -> str | None:
    if not path or not Path(path).is_file():
        return None
    try:
        pdfmetrics.registerFont(TTFont("LinliCJK", path, subfontIndex=0))
    except (TTFError, OSError, ValueError):
        return None
    return "LinliCJK"


def font() -> str:
    """The name of the registered Chinese font (see the module's docstring for the order)."""
    global _font_name
    if _font_name is None:
        configured = getattr(settings, "LINLI_PDF_FONT", "")
        for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
            _font_name = _try_truetype(path)
            if _font_name:
                break
        else:
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
            _font_name = CID_FONT
    return _font_name


def _show(value, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value}{unit if unit == '%' else ''}"


def filename(page: dict, ext: str) -> str:
    return f"{page['node'].label}-{page['month']:%Y-%m}-月报.{ext}"


# ---------------------------------------------------------------- xlsx


def _sheet(book, title: str, headers: list, rows) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(spreadsheet.row(sheet, headers, bold=True))
    for row in rows:
        sheet.append(spreadsheet.row(sheet, list(row)))


def xlsx(page: dict) -> bytes:
    """Sheets: 概况, 登记, 诉求, 物业, 积分, 议事, 站点, 网格, 诉求趋势, 分类趋势, 下级 (one per domain, then the
    trends and children); a figure of today or of this period only leaves the other periods empty."""
    book = Workbook(write_only=True)
    node, periods = page["node"], page["periods"]
    _sheet(book, "概况", ["项目", "内容"], [
        ("节点", f"{node.label}（{node.level_label}）"), ("月份", f"{page['month']:%Y-%m}"),
        *((p.label, p.text) for p in periods), ("说明", "登记类指标为生成之日的数；诉求、物业按期间统计。")])
    by_group: dict = {}
    for f in page["figures"]:
        by_group.setdefault(f.group, []).append(f)
    _sheet(book, "登记", ["指标", "数值", "单位"], [(f.label, f.value, f.unit) for f in by_group.get("登记", [])])
    compare = ["指标", "本期", "上期", "去年同期", "单位"]
    _sheet(book, "诉求", compare, [(f.label, *f.values, f.unit) for f in by_group.get("诉求", [])])
    _sheet(book, "物业", compare, [(f.label, *f.values, f.unit) for f in by_group.get("物业", [])])
    for group in ("积分", "议事", "站点", "网格"):
        if group in by_group:
            _sheet(book, group, compare, [(f.label, *f.values, *[None] * (3 - len(f.values)), f.unit)
                                          for f in by_group[group]])
    trend = page["trend"]
    tiers = list(trend[0].by_tier) if trend else []
    _sheet(book, "诉求趋势", ["月份", "受理", *tiers, "按时响应率%", "按时办结率%", "满意率%"], [
        (f"{m.month:%Y-%m}", m.cases, *(m.by_tier.get(t, 0) for t in tiers), m.arrive_pct, m.solve_pct,
         m.satisfaction_pct) for m in trend])
    categories = list(trend[0].by_category) if trend else []
    _sheet(book, "分类趋势", ["月份", *categories],
           [(f"{m.month:%Y-%m}", *(m.by_category.get(c, 0) for c in categories)) for m in trend])
    keys = [f.key for f in page["figures"]]
    _sheet(book, "下级", ["名称", *(f.label for f in page["figures"])],
           [(c.node.label, *(c.values.get(k) for k in keys)) for c in page["children"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- pdf


def _bars(trend, name: str) -> Drawing:
    """Cases per month stacked by category."""
    drawing = Drawing(170 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, 120 * mm, 50 * mm
    categories = list(trend[0].by_category) if trend and trend[0].by_category else []
    if categories:
        chart.data = [[m.by_category.get(c, 0) for m in trend] for c in categories]
        chart.categoryAxis.style = "stacked"
    else:
        chart.data = [[m.cases for m in trend] or [0]]
        categories = ["受理"]
    chart.categoryAxis.categoryNames = [f"{m.month:%m}" for m in trend] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = name
    chart.valueAxis.valueMin = 0
    for i in range(len(chart.data)):
        chart.bars[i].fillColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 138 * mm, 60 * mm, name, 7
    legend.columnMaximum = 8
    legend.colorNamePairs = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], c) for i, c in enumerate(categories)]
    drawing.add(legend)
    drawing.add(String(12 * mm, 66 * mm, "每月受理诉求（件，按类别）", fontName=name, fontSize=9))
    return drawing


def _rates(trend, name: str) -> Drawing:
    drawing = Drawing(170 * mm, 62 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 120 * mm, 44 * mm
    series = [("按时响应率", "arrive_pct"), ("按时办结率", "solve_pct"), ("满意率", "satisfaction_pct")]
    # A month without a rate is drawn at 0 and shows as "—" in the table below.
    chart.data = [[getattr(m, attr) or 0 for m in trend] or [0] for _label, attr in series]
    chart.categoryAxis.categoryNames = [f"{m.month:%m}" for m in trend] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = name
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    for i in range(len(series)):
        chart.lines[i].strokeColor = SERIES_COLOURS[i]
        chart.lines[i].strokeWidth = 1.5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 138 * mm, 52 * mm, name, 7
    legend.columnMaximum = 8
    legend.colorNamePairs = [(SERIES_COLOURS[i], label) for i, (label, _attr) in enumerate(series)]
    drawing.add(legend)
    drawing.add(String(12 * mm, 58 * mm, "按时率与满意率（%）", fontName=name, fontSize=9))
    return drawing


def _table(rows, name: str, widths=None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), name), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e9e0")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def pdf(page: dict) -> bytes:
    name = font()
    node, periods = page["node"], page["periods"]
    title = ParagraphStyle("title", fontName=name, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=name, fontSize=9.5, leading=14)
    heading = ParagraphStyle("heading", fontName=name, fontSize=12, leading=18, spaceBefore=6)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"{node.label} {page['month']:%Y-%m} 月报", author="邻里 Linli")
    story = [Paragraph(f"{node.label}（{node.level_label}）{page['month']:%Y 年 %m 月}月报", title),
             Paragraph("；".join(f"{p.label}：{p.text}" for p in periods) + "。登记类指标为生成之日的数。", body),
             Paragraph("指标", heading)]
    rows = [["指标", "类别", "本期", "上期", "去年同期", "单位"]]
    for f in page["figures"]:
        values = [_show(v) for v in f.values] + ["", ""]
        rows.append([f.label, f.group, *values[:3], f.unit])
    story += [_table(rows, name, [44 * mm, 16 * mm, 26 * mm, 26 * mm, 26 * mm, 16 * mm]), Spacer(1, 4 * mm)]
    trend = page["trend"]
    story += [Paragraph("诉求趋势（近 12 个月）", heading), _bars(trend, name), _rates(trend, name)]
    rows = [["月份", "受理", "按时响应率%", "按时办结率%", "满意率%"]] + [
        [f"{m.month:%Y-%m}", m.cases, _show(m.arrive_pct), _show(m.solve_pct), _show(m.satisfaction_pct)]
        for m in trend]
    story.append(_table(rows, name))
    if page["children"]:
        story.append(Paragraph(f"下辖{page['child_label']}", heading))
        rows = [["名称", "居民", "党组织覆盖率%", "物业覆盖率%", "受理诉求", "按时办结率%", "满意率%"]] + [
            [c.node.label, c.values.get("residents"), _show(c.values.get("party_coverage")),
             _show(c.values.get("property_coverage")), _show(c.values.get("cases")), _show(c.values.get("solve_pct")),
             _show(c.values.get("satisfaction_pct"))] for c in page["children"]]
        story.append(_table(rows, name))
    doc.build(story)
    return buffer.getvalue()
