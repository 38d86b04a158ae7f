"""The one layout of the audit reports that go upward (incident report, yearly statistics, log export).

Every report has: the parent body and the office (settings.REGISTRY_PARENT_BODY / REGISTRY_BODY), a title,
the period, who generated it (full name, unit) and when, the time zone stated once, the range of the hash
chain it covers, and "Trang X/Y" on every page. Tables use Paragraph cells with the bundled DejaVu fonts and
fixed column widths (in mm) chosen so that words are not broken in the middle.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone

from registry.audit import timefmt


@dataclass
class Section:
    heading: str
    columns: list  # [(heading, width in mm), ...]
    rows: list  # [[cell text, ...], ...]
    note: str = ""
    empty: str = "Không có."
    numeric: tuple = ()  # indexes of right-aligned columns
    bold_last: bool = False
    paragraphs: list = field(default_factory=list)  # extra lines of text before the table


def period_text(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """'từ ngày dd/mm/yyyy đến hết ngày dd/mm/yyyy' for a half-open [start, end) of local midnights."""
    if start is None and end is None:
        return "toàn bộ nhật ký"
    parts = []
    if start is not None:
        parts.append(f"từ ngày {timefmt.local(start):%d/%m/%Y}")
    if end is not None:
        last = timefmt.local(end) - dt.timedelta(microseconds=1)
        parts.append(f"đến hết ngày {last:%d/%m/%Y}")
    return " ".join(parts)


def chain_range(first_seq, last_seq) -> dict:
    """What part of the hash chain a report covers, with the hashes to compare with a signed checkpoint."""
    from registry.models import AccessLogEntry, ChainHead, Checkpoint

    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, "")
    hashes = dict(AccessLogEntry.objects.filter(seq__in=[s for s in (first_seq, last_seq) if s]).values_list("seq", "hash"))
    checkpoint = Checkpoint.objects.order_by("-seq", "-id").values_list("seq", "head_hash").first()
    return {"first_seq": first_seq, "first_hash": hashes.get(first_seq, ""), "last_seq": last_seq,
            "last_hash": hashes.get(last_seq, ""), "head_seq": head[0], "head_hash": head[1],
            "checkpoint": checkpoint}


def chain_lines(chain: dict) -> list[str]:
    lines = [f"Dữ liệu lấy từ nhật ký gồm {chain['head_seq']} mục; mã băm đầu chuỗi: {chain['head_hash'] or '—'}."]
    if chain.get("first_seq"):
        lines.append(f"Các mục trong báo cáo: từ mục số {chain['first_seq']} (mã băm {chain['first_hash']}) "
                     f"đến mục số {chain['last_seq']} (mã băm {chain['last_hash']}).")
    if chain.get("checkpoint"):
        seq, head_hash = chain["checkpoint"]
        lines.append(f"Điểm kiểm tra đã ký gần nhất: đến mục số {seq} (mã băm {head_hash}).")
    else:
        lines.append("Chưa có điểm kiểm tra nào được ký.")
    return lines


def author_line(auditor) -> str:
    if auditor is None:
        return "Người lập: người vận hành tại máy chủ"
    name = (auditor.get_full_name() or auditor.username) if hasattr(auditor, "get_full_name") else str(auditor)
    unit = getattr(getattr(auditor, "unit", None), "name", "")
    return f"Người lập: {name}" + (f", {unit}" if unit else "")


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    from registry.fonts import register_reportlab_fonts

    regular, bold = register_reportlab_fonts()
    base = ParagraphStyle("n", fontName=regular, fontSize=9, leading=11.5)
    return {
        "regular": regular,
        "bold": bold,
        "normal": base,
        "small": ParagraphStyle("sm", parent=base, fontSize=8.5, leading=10.5),
        "cell": ParagraphStyle("c", parent=base, fontSize=8, leading=10, splitLongWords=1),
        "cell_num": ParagraphStyle("cn", parent=base, fontSize=8, leading=10, alignment=2),
        "head": ParagraphStyle("ch", parent=base, fontName=bold, fontSize=8, leading=10),
        "office": ParagraphStyle("o", parent=base, fontSize=10, leading=13, alignment=1),
        "office_bold": ParagraphStyle("ob", parent=base, fontName=bold, fontSize=10, leading=13, alignment=1),
        "title": ParagraphStyle("t", parent=base, fontName=bold, fontSize=14, leading=18, alignment=1,
                                spaceBefore=6, spaceAfter=2),
        "subtitle": ParagraphStyle("st", parent=base, fontSize=10, leading=13, alignment=1),
        "section": ParagraphStyle("s", parent=base, fontName=bold, fontSize=11, leading=14, spaceBefore=8,
                                  spaceAfter=4),
    }


def _p(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


def _numbered_canvas(font: str, footer: str):
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Two-pass page numbers: 'Trang X/Y' needs the total, known only at the end."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, _height = self._pagesize
                self.setFont(font, 8)
                self.drawString(12 * 2.8346, 7 * 2.8346, footer)
                self.drawRightString(width - 12 * 2.8346, 7 * 2.8346, f"Trang {self._pageNumber}/{total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def build_report(*, title: str, period: str, auditor, chain: dict, sections: list[Section],
                 summary: list[str] | None = None, closing: list[str] | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

    st = _styles()
    made = timezone.localtime()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=title.capitalize(),
                            author=settings.REGISTRY_BODY)
    header = Table(
        [[_p(settings.REGISTRY_PARENT_BODY.upper(), st["office"]),
          _p("ĐẢNG CỘNG SẢN VIỆT NAM", st["office_bold"])],
         [_p(settings.REGISTRY_BODY.upper(), st["office_bold"]),
          _p(f"Ngày {made:%d} tháng {made:%m} năm {made:%Y}", st["office"])]],
        colWidths=[120 * mm, 153 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story = [header, Spacer(1, 4 * mm), _p(title, st["title"]), _p(f"Kỳ báo cáo: {period}", st["subtitle"]),
             Spacer(1, 3 * mm)]
    meta = [f"{author_line(auditor)}. Lập lúc {timefmt.display(made)}.", str(timefmt.ZONE_NOTE),
            *chain_lines(chain), *(summary or [])]
    story.extend(_p(line, st["small"]) for line in meta)
    for section in sections:
        block = [_p(section.heading, st["section"])]
        block.extend(_p(line, st["normal"]) for line in section.paragraphs)
        if section.note:
            block.append(_p(section.note, st["small"]))
        if not section.rows:
            block.append(_p(section.empty, st["normal"]))
            story.append(KeepTogether(block))
            continue
        data = [[_p(h, st["head"]) for h, _w in section.columns]]
        for row in section.rows:
            data.append([_p(v, st["cell_num"] if i in section.numeric else st["cell"]) for i, v in enumerate(row)])
        table = Table(data, colWidths=[w * mm for _h, w in section.columns], repeatRows=1)
        style = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
        if section.bold_last:
            style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f3f3")))
        table.setStyle(TableStyle(style))
        story.append(KeepTogether(block))
        story.append(table)
    if closing:
        story.append(Spacer(1, 4 * mm))
        story.extend(_p(line, st["normal"]) for line in closing)
    footer = f"{settings.REGISTRY_BODY} — {title.capitalize()} — lập lúc {timefmt.display(made)}"
    doc.build(story, canvasmaker=_numbered_canvas(st["regular"], footer))
    return buf.getvalue()
