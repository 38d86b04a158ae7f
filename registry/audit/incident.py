"""The immediate incident report for a lost or leaked document (domain.md §7).

Which document; which copies exist (the copy register, and the marked digital copies: log entries with a
``copy_id``); who held it (loans, hand-overs); and the whole trail of log entries about it. The document's
title, number and summary appear only if the auditor may read it (``reports.DocumentDescriber``).
"""

import csv
import io

from django.utils import timezone

from registry.audit.reports import DocumentDescriber, entry_row
from registry.constants import Level
from registry.errors import NotFoundError
from registry.models import AccessLogEntry, Document


def incident_report(auditor, document_id) -> dict:
    try:
        document = Document.objects.select_related("handling_unit").get(pk=int(document_id))
    except (Document.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None
    describer = DocumentDescriber(auditor)
    view = describer.describe(document)
    trail = list(AccessLogEntry.objects.filter(document_id=document.pk).order_by("seq"))
    rows = [entry_row(e, describer) for e in trail]
    digital = [
        {"copy_id": e.copy_id, "at": timezone.localtime(e.at).isoformat(), "actor": e.actor_username,
         "action": e.action, "seq": e.seq}
        for e in trail if e.copy_id and e.outcome == "ok"
    ]
    from registry.audit.reports import document_lifecycle

    lifecycle = document_lifecycle(auditor, document)
    return {
        "document": {
            **view.as_dict(),
            "level": document.level,
            "handling_unit": document.handling_unit.code if document.handling_unit_id else "",
            "recall": document.recall,
            "copies_count": document.copies_count,
            "destroyed_on": document.destroyed_on.isoformat() if document.destroyed_on else None,
        },
        "copy_records": [_plain(r) for r in lifecycle["copies"]],
        "digital_copies": digital,
        "hand_overs": [_plain(r) for r in lifecycle["hand_overs"]],
        "loans": [_plain(r) for r in lifecycle["loans"]],
        "trail": rows,
        "generated_at": timezone.localtime().isoformat(),
    }


def _plain(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if hasattr(value, "isoformat"):
            value = timezone.localtime(value).isoformat() if hasattr(value, "tzinfo") and value.tzinfo else value.isoformat()
        out[key.replace("__username", "")] = value
    return out


SECTIONS = (
    ("copy_records", "Bản sao, chụp (sổ quản lý sao, chụp)"),
    ("digital_copies", "Bản sao điện tử có đánh dấu"),
    ("hand_overs", "Chuyển giao"),
    ("loans", "Mượn tài liệu"),
    ("trail", "Nhật ký sử dụng"),
)
TRAIL_COLUMNS = ("seq", "at", "actor", "actor_unit", "action", "outcome", "document_level", "ip", "copy_id",
                 "purpose")


def incident_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    doc = report["document"]
    writer.writerow(["section", "field", "value"])
    for key in ("id", "title", "number", "summary", "level", "handling_unit", "recall", "copies_count",
                "destroyed_on"):
        writer.writerow(["document", key, "" if doc.get(key) is None else doc.get(key)])
    for section, _label in SECTIONS:
        rows = report[section]
        if not rows:
            continue
        columns = TRAIL_COLUMNS if section == "trail" else tuple(rows[0].keys())
        writer.writerow([section, *columns])
        for row in rows:
            writer.writerow([section, *["" if row.get(c) is None else row.get(c) for c in columns]])
    return out.getvalue()


def incident_pdf(report: dict, *, auditor=None) -> bytes:
    from django.conf import settings
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from registry.fonts import register_reportlab_fonts

    regular, bold = register_reportlab_fonts()
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title="Báo cáo sự cố lộ, mất tài liệu mật")
    normal = ParagraphStyle("n", fontName=regular, fontSize=9, leading=11)
    strong = ParagraphStyle("b", parent=normal, fontName=bold)
    heading = ParagraphStyle("h", fontName=bold, fontSize=14, leading=18, alignment=1)
    sub = ParagraphStyle("s", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    doc = report["document"]
    story = [
        Paragraph(settings.REGISTRY_BODY.upper(), strong),
        Spacer(1, 4 * mm),
        Paragraph("BÁO CÁO SỰ CỐ LỘ, MẤT TÀI LIỆU BÍ MẬT NHÀ NƯỚC", heading),
        Spacer(1, 4 * mm),
        Paragraph(f"Tài liệu #{doc['id']}: {_esc(doc['title'])}", strong),
        Paragraph(f"Số, ký hiệu: {_esc(doc['number']) or '—'} · Độ mật: {Level(doc['level']).label} · "
                  f"Đơn vị xử lý: {doc['handling_unit'] or '—'} · Số lượng bản: {doc['copies_count']}"
                  f"{' · Tài liệu thu hồi' if doc['recall'] else ''}"
                  f"{' · Đã tiêu hủy ngày ' + doc['destroyed_on'] if doc['destroyed_on'] else ''}", normal),
    ]
    if doc.get("summary"):
        story.append(Paragraph(f"Trích yếu: {_esc(doc['summary'])}", normal))
    for section, label in SECTIONS:
        rows = report[section]
        story.append(Paragraph(f"{label} ({len(rows)})", sub))
        if not rows:
            story.append(Paragraph("Không có.", normal))
            continue
        columns = TRAIL_COLUMNS if section == "trail" else tuple(rows[0].keys())
        data = [[Paragraph(c, strong) for c in columns]]
        for row in rows:
            data.append([Paragraph(_esc("" if row.get(c) is None else str(row.get(c))), normal) for c in columns])
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    who = f", người lập: {auditor.get_full_name() or auditor.username}" if auditor is not None else ""
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"Lập lúc {report['generated_at'][:16].replace('T', ' ')}{who}.", normal))
    pdf.build(story)
    return buf.getvalue()


def _esc(text) -> str:
    from xml.sax.saxutils import escape

    return escape(str(text or ""))
