"""The lifecycle registers (domain.md §4): copies (Sổ quản lý sao, chụp), hand-overs (Sổ chuyển giao) and use
of the archived copy (Sổ sử dụng bản lưu), as PDF and CSV with the columns of the rules in force for the
year; and the level-history note that the secret register books print next to the original level.

History is never overwritten: a register shows the level a document was registered with, and notes each
change (new level, date, decision), the declassification and the destruction.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import translation

from registry.access import visible_documents
from registry.audit.context import RequestContext
from registry.constants import LEVEL_LETTER, Level
from registry.csv_safe import safe_writer
from registry.models import Copy, CopyRecord, Document, HandOver, LevelChange, Loan
from registry.rules import rules_on

BOOKS = ("copies", "handovers", "use")
BOOK_TITLES = {"copies": "Sổ quản lý sao, chụp", "handovers": "Sổ chuyển giao", "use": "Sổ sử dụng bản lưu"}


def _date(value) -> str:
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y") if value else ""


def _level_label(level) -> str:
    return str(Level(level).label) if level in Level.values else str(level)


def original_level(document: Document) -> str:
    """The level the document was registered with (before any change)."""
    changes = sorted(document.level_changes.all(), key=lambda c: c.pk)  # uses a prefetch when there is one
    return changes[0].from_level if changes else document.level


def level_history_note(document: Document) -> str:
    """Each level change, extension, declassification and the destruction, in order, for a register's notes."""
    parts = []
    for change in sorted(document.level_changes.all(), key=lambda c: c.pk):
        ref = f" ({change.decision_ref})" if change.decision_ref else ""
        if change.kind == LevelChange.Kind.ADJUST:
            parts.append(f"Điều chỉnh độ mật thành {_level_label(change.to_level)} ngày {_date(change.decided_on)}{ref}")
        elif change.kind == LevelChange.Kind.EXTEND:
            parts.append(f"Gia hạn bảo vệ đến {_date(change.to_expiry)}, quyết định ngày {_date(change.decided_on)}{ref}")
        else:
            parts.append(f"Giải mật ngày {_date(change.decided_on)}{ref}")
    if document.destroyed_on:
        destruction = getattr(document, "destruction", None)
        ref = f" theo {destruction.decision_ref}" if destruction and destruction.decision_ref else ""
        parts.append(f"Đã tiêu hủy ngày {_date(document.destroyed_on)}{ref}")
    return "; ".join(parts)


def _source(doc: Document) -> str:
    summary = f". {doc.summary}" if doc.summary and doc.summary != doc.title else ""
    return f"{doc.type_label} số {doc.number_raw or '—'} ngày {_date(doc.issue_date)}, {doc.issuer}: {doc.title}{summary}"


def _copy_rows(year, docs):
    rows = []
    records = CopyRecord.objects.filter(made_on__year=year, document__in=docs).select_related(
        "document", "copied_by").order_by("made_on", "pk")
    for i, rec in enumerate(records, 1):
        copies = list(rec.copies.order_by("number"))
        states = ", ".join(f"bản {c.number}: {c.get_state_display().lower()}" for c in copies
                           if c.state != Copy.State.HELD)
        numbers = f"bản số {copies[0].number}–{copies[-1].number}" if copies else ""
        notes = "; ".join(x for x in (numbers, states, rec.notes, level_history_note(rec.document)) if x)
        rows.append([str(i), _date(rec.made_on), _source(rec.document), _level_label(original_level(rec.document)),
                     rec.get_form_display(), str(rec.quantity), rec.authorised_by,
                     rec.copied_by.display_name if rec.copied_by_id else "", rec.recipients, notes])
    marked = Copy.objects.filter(kind=Copy.Kind.MARKED, made_on__year=year, document__in=docs) \
        .select_related("document", "holder").order_by("made_on", "pk")
    for c in marked:
        rows.append([str(len(rows) + 1), _date(c.made_on), _source(c.document),
                     _level_label(original_level(c.document)), "Bản điện tử có dấu", "1", "",
                     c.holder.display_name if c.holder_id else "", c.holder.display_name if c.holder_id else "",
                     f"bản số {c.number}, mã {c.copy_id}; {c.get_state_display().lower()}"])
    return rows


def _handover_rows(year, docs):
    rows = []
    for h in HandOver.objects.filter(handed_on__year=year, document__in=docs).select_related(
            "document", "approval__approver", "copy").order_by("handed_on", "pk"):
        ack = f"Đã ký nhận {_date(h.acknowledged_at)}" if h.acknowledged else "Chưa ký nhận"
        approver = f"Phê duyệt: {h.approval.approver.display_name}" if h.approval_id else ""
        copy = f"bản số {h.copy.number}" if h.copy_id else ""
        notes = "; ".join(x for x in (copy, approver, h.notes, level_history_note(h.document)) if x)
        rows.append([_date(h.handed_on), h.document.number_raw, LEVEL_LETTER.get(original_level(h.document), ""),
                     h.recipient, ack, notes])
    return rows


def _use_rows(year, docs):
    rows = []
    for loan in Loan.objects.filter(out_at__year=year, document__in=docs).select_related(
            "document", "document__dossier", "borrower", "approval__approver").order_by("out_at", "pk"):
        doc = loan.document
        notes = "; ".join(x for x in (
            f"Cuộc họp #{loan.meeting_id}" if loan.meeting_id else "",
            f"hạn trả {_date(loan.due_at)}",
            "trả trễ hạn" if loan.returned_at and loan.returned_at > loan.due_at else "",
            "chưa nộp lại" if loan.missing_on and not loan.returned_at else "",
            level_history_note(doc)) if x)
        rows.append([_date(loan.out_at), loan.borrower.display_name, f"{doc.number_raw} ngày {_date(doc.issue_date)}",
                     f"{doc.type_label}: {doc.title}", doc.dossier.code if doc.dossier_id else "",
                     f"{loan.borrower.display_name} (đã ký)", _date(loan.returned_at),
                     loan.approval.approver.display_name if loan.approval_id else "", notes])
    return rows


_ROWS = {"copies": _copy_rows, "handovers": _handover_rows, "use": _use_rows}


@dataclass(frozen=True)
class PrintedRegister:
    content: bytes
    content_type: str
    filename: str
    rows: int
    entry_id: int


def register_rows(book: str, year: int, user) -> tuple[list[str], list[list[str]]]:
    from registry.registers.books import LOCAL_OPERATOR

    docs = Document.objects.all() if user is LOCAL_OPERATOR else visible_documents(user)
    columns = rules_on(dt.date(year, 12, 31)).registers[book]
    return list(columns), _ROWS[book](year, docs)


def render_csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = safe_writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def render_pdf(title, form, year, columns, rows, body="") -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from registry.fonts import register_reportlab_fonts

    regular, bold = register_reportlab_fonts()
    out = io.BytesIO()
    page_w, _page_h = landscape(A4)
    margin = 12 * mm
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin, title=title, author=body, creator="congress-registry")
    head = ParagraphStyle("h", fontName=bold, fontSize=14, leading=18, alignment=TA_CENTER)
    small = ParagraphStyle("s", fontName=regular, fontSize=9, leading=11, alignment=TA_CENTER)
    th = ParagraphStyle("th", fontName=bold, fontSize=7.5, leading=9, alignment=TA_CENTER)
    td = ParagraphStyle("td", fontName=regular, fontSize=7.5, leading=9.2)
    story = [Paragraph(escape(body.upper()), small), Paragraph(escape(f"{title.upper()} — NĂM {year}"), head),
             Paragraph(escape(form), small), Spacer(1, 5 * mm)]
    data = [[Paragraph(escape(c), th) for c in columns]]
    data += [[Paragraph(escape(str(v)), td) for v in row] for row in rows]
    width = (page_w - 2 * margin) / len(columns)
    table = Table(data, colWidths=[width] * len(columns), repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    story.append(table)
    doc.build(story)
    return out.getvalue()


def print_register(book: str, year: int, user, *, fmt: str = "pdf", ctx: RequestContext | None = None):
    """Render a lifecycle register for ``user`` (or the local operator) and write its BOOK_PRINT entry."""
    from django.conf import settings

    from registry.actions.copies import do_log_register_print
    from registry.registers.books import LOCAL_OPERATOR

    if book not in BOOKS or fmt not in ("pdf", "csv"):
        raise ValueError(f"unknown register {book}/{fmt}")
    columns, rows = register_rows(book, year, user)
    with translation.override("vi"):
        if fmt == "csv":
            content, content_type = render_csv(columns, rows), "text/csv; charset=utf-8"
        else:
            form = rules_on(dt.date(year, 12, 31)).forms.get(book, "")
            content, content_type = render_pdf(BOOK_TITLES[book], form, year, columns, rows,
                                               body=getattr(settings, "REGISTRY_BODY", "")), "application/pdf"
    operator = user is LOCAL_OPERATOR
    entry = do_log_register_print(book, year, actor=None if operator else user, ctx=ctx, rows=len(rows), fmt=fmt,
                                  full_book=operator)
    return PrintedRegister(content, content_type, f"so-{book}-{year}.{fmt}", len(rows), entry.pk)


__all__ = ["BOOKS", "level_history_note", "original_level", "print_register", "register_rows"]
