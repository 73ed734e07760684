"""The printable notice (公示) for the notice board: A4, Chinese text in reportlab's built-in CID font
STSong-Light (no font files to ship), and a QR code that opens the notice page on a phone."""

import io

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
_registered = False


def _font():
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break Chinese text by width (it has no spaces to break at)."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for char in paragraph:
            if pdfmetrics.stringWidth(current + char, FONT, size) > width:
                lines.append(current)
                current = ""
            current += char
        lines.append(current)
    return lines


def _qr(url: str) -> ImageReader:
    image = qrcode.make(url, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def notice_pdf(notice, *, url: str, result: dict | None, satisfaction: dict | None) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(notice.title)
    pdf.setAuthor(notice.compound.name)
    width, height = A4
    margin = 20 * mm
    text_width = width - 2 * margin
    y = height - margin

    def line(text, size=11, gap=1.6, indent=0):
        nonlocal y
        for part in _wrap(text, size, text_width - indent):
            if y < margin + 10 * mm:
                pdf.showPage()
                y = height - margin
            pdf.setFont(font, size)
            pdf.drawString(margin + indent, y, part)
            y -= size * gap

    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, y, "公  示")
    y -= 30
    line(notice.title, size=15)
    line(f"{notice.compound.name} · 公示期 {notice.starts_on:%Y年%m月%d日} 至 {notice.ends_on:%Y年%m月%d日}", size=10)
    y -= 6
    line(notice.body)
    if result:
        y -= 6
        line(f"表决规则：{result['rule_name']}", size=12)
        counts = result["counts"]
        line(f"应参加 {counts['electorate']}，实际参加 {counts['voted']}：同意 {counts['agree']}，"
             f"不同意 {counts['disagree']}，弃权 {counts['abstain']}。", size=10)
        for c in result["conditions"]:
            mark = "满足" if c["holds"] else "不满足"
            line(f"· {c['name']}：{c['numerator']} / {c['denominator']}，占 {c['percent']}，"
                 f"要求{c['requirement']}，{mark}", size=10, indent=4 * mm)
        line(f"结果：{'通过' if result['passed'] else '未通过'}", size=13)
    if satisfaction and satisfaction["total"]:
        counts, labels = satisfaction["counts"], satisfaction["labels"]
        line("居民评价：" + "，".join(f"{labels[k]} {v}" for k, v in counts.items())
             + f"（满意率 {satisfaction['rate']}）", size=10)
    size = 38 * mm
    if y - size < margin:
        pdf.showPage()
        y = height - margin
    pdf.drawImage(_qr(url), width - margin - size, margin, size, size)
    pdf.setFont(font, 9)
    pdf.drawRightString(width - margin, margin - 5 * mm, "扫码查看公示详情并参与评价")
    pdf.drawString(margin, margin, f"发布：{notice.published_at:%Y年%m月%d日}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
