"""The yearly state-secret statistics per level (domain.md §7).

The reporting year ``Y`` runs from 15/12 of ``Y-1`` 00:00 to 14/12 of ``Y`` 23:59:59.999999 local time
(Asia/Ho_Chi_Minh), i.e. the half-open interval [15/12/Y-1, 15/12/Y). Every figure is counted from the
access log, under the document's level *at the time of the event* (``entry.document_level``), so a document
declassified during the year is counted under the level it had:

- registered_in / registered_out: REGISTER entries, by the document's direction;
- copies: copies made (sum of the quantity of COPY entries that record one; 1 for a marked digital copy);
- handed_over, declassified, destroyed: HAND_OVER, DECLASSIFY, DESTROY entries;
- reads: READ_ACTIONS entries with outcome ok; refused_reads: READ_ACTIONS entries refused.
The counts are aggregated in SQL (one grouped query per figure).
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from registry.constants import READ_ACTIONS, Action, Direction, Level, Outcome
from registry.models import AccessLogEntry, Document

METRICS = (
    ("registered_in", "Đăng ký đến"),
    ("registered_out", "Đăng ký đi"),
    ("copies", "Số bản sao, chụp"),
    ("handed_over", "Chuyển giao"),
    ("declassified", "Giải mật"),
    ("destroyed", "Tiêu hủy"),
    ("reads", "Lượt đọc, khai thác"),
    ("refused_reads", "Lượt bị từ chối"),
)
SECRET_LEVEL_ORDER = (Level.MAT, Level.TOI_MAT, Level.TUYET_MAT)
LEVEL_ORDER = (Level.THUONG, *SECRET_LEVEL_ORDER)


def reporting_period(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[15/12/(year-1) 00:00, 15/12/year 00:00) in the office's time zone."""
    tz = timezone.get_current_timezone()
    return (dt.datetime(year - 1, 12, 15, tzinfo=tz), dt.datetime(year, 12, 15, tzinfo=tz))


@dataclass
class YearlyStatistics:
    year: int
    start: dt.datetime
    end: dt.datetime
    levels: dict  # level -> metric -> int

    @property
    def secret_totals(self) -> dict:
        return {m: sum(self.levels[lv][m] for lv in SECRET_LEVEL_ORDER) for m, _l in METRICS}

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "from": self.start.isoformat(),
            "to": (self.end - dt.timedelta(microseconds=1)).isoformat(),
            "levels": self.levels,
            "secret_total": self.secret_totals,
        }


def _by_level(qs, aggregate=None) -> dict:
    aggregate = aggregate or Count("id")
    return {row["document_level"]: row["n"] or 0 for row in qs.values("document_level").annotate(n=aggregate).order_by()}


def yearly_statistics(year: int) -> YearlyStatistics:
    start, end = reporting_period(year)
    log = AccessLogEntry.objects.filter(at__gte=start, at__lt=end)
    ok = log.filter(outcome=Outcome.OK)
    registered = ok.filter(action=Action.REGISTER)
    incoming = Document.objects.filter(direction=Direction.INCOMING).values("pk")
    outgoing = Document.objects.filter(direction=Direction.OUTGOING).values("pk")
    figures = {
        "registered_in": _by_level(registered.filter(document_id__in=incoming)),
        "registered_out": _by_level(registered.filter(document_id__in=outgoing)),
        "copies": _by_level(
            ok.filter(action=Action.COPY),
            Sum(Coalesce(Cast(KT("extra__quantity"), IntegerField()), Value(1))),
        ),
        "handed_over": _by_level(ok.filter(action=Action.HAND_OVER)),
        "declassified": _by_level(ok.filter(action=Action.DECLASSIFY)),
        "destroyed": _by_level(ok.filter(action=Action.DESTROY)),
        "reads": _by_level(ok.filter(action__in=READ_ACTIONS, document_id__isnull=False)),
        "refused_reads": _by_level(log.filter(action__in=READ_ACTIONS, outcome=Outcome.REFUSED)),
    }
    levels = {lv: {m: int(figures[m].get(lv, 0)) for m, _l in METRICS} for lv in LEVEL_ORDER}
    return YearlyStatistics(year, start, end, levels)


def level_label(level: str) -> str:
    return str(Level(level).label)


def statistics_csv(stats: YearlyStatistics) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Độ mật", *[label for _m, label in METRICS]])
    for lv in LEVEL_ORDER:
        writer.writerow([level_label(lv), *[stats.levels[lv][m] for m, _l in METRICS]])
    totals = stats.secret_totals
    writer.writerow(["Tổng số (tài liệu mật)", *[totals[m] for m, _l in METRICS]])
    return out.getvalue()


def statistics_pdf(stats: YearlyStatistics, *, auditor=None) -> bytes:
    from django.conf import settings
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from registry.fonts import register_reportlab_fonts

    regular, bold = register_reportlab_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=f"Thống kê bí mật nhà nước năm {stats.year}")
    normal = ParagraphStyle("n", fontName=regular, fontSize=10, leading=13)
    heading = ParagraphStyle("h", fontName=bold, fontSize=14, leading=18, alignment=1)
    cell = ParagraphStyle("c", fontName=bold, fontSize=9, leading=11, alignment=1)
    story = [
        Paragraph(settings.REGISTRY_PARENT_BODY.upper(), normal),
        Paragraph(settings.REGISTRY_BODY.upper(), ParagraphStyle("b", parent=normal, fontName=bold)),
        Spacer(1, 6 * mm),
        Paragraph(f"BÁO CÁO THỐNG KÊ TÀI LIỆU BÍ MẬT NHÀ NƯỚC NĂM {stats.year}", heading),
        Paragraph(
            f"Kỳ báo cáo: từ ngày {stats.start:%d/%m/%Y} đến ngày "
            f"{(stats.end - dt.timedelta(days=1)):%d/%m/%Y}", ParagraphStyle("s", parent=normal, alignment=1)),
        Spacer(1, 6 * mm),
    ]
    header = [Paragraph("Độ mật", cell), *[Paragraph(label, cell) for _m, label in METRICS]]
    rows = [header]
    for lv in LEVEL_ORDER:
        rows.append([level_label(lv), *[str(stats.levels[lv][m]) for m, _l in METRICS]])
    totals = stats.secret_totals
    rows.append(["Tổng số tài liệu mật", *[str(totals[m]) for m, _l in METRICS]])
    table = Table(rows, repeatRows=1, colWidths=[45 * mm] + [27 * mm] * len(METRICS))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("FONTNAME", (0, -1), (-1, -1), bold),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    made = timezone.localtime()
    who = f" — người lập: {auditor.get_full_name() or auditor.username}" if auditor is not None else ""
    story.append(Paragraph(f"Lập lúc {made:%H:%M ngày %d/%m/%Y}{who}. Số liệu tính theo độ mật tại thời điểm "
                           "phát sinh, từ nhật ký sử dụng tài liệu.", normal))
    doc.build(story)
    return buf.getvalue()
