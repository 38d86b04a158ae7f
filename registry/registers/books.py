"""Register books (sổ đăng ký) printed from the registry's data: rows, PDF and CSV (domain.md §4).

A printout contains only what the printing user may see (``visible_documents``). A register book is a
continuous numbered list, but a hidden document must not be revealed at all — not its data, not its
existence, not even how many there are — so rows above the user's clearance or need-to-know are simply
omitted: a low-clearance printout has gaps in its serial numbers, and its cover states the first/last
serials of the rows it shows. Only a clerk with full clearance (or the local operator at the console,
``LOCAL_OPERATOR``) prints the official book. Each print writes one BOOK_PRINT access-log entry.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registry.access import visible_documents
from registry.audit.context import RequestContext
from registry.constants import Direction, Level
from registry.csv_safe import safe_writer
from registry.models import Document, RegisterBook


class _LocalOperator:
    """The person at the machine's console (``registry books print`` without ``--as``): sees the whole book.

    Trusted by having the machine, like ``actor=None`` in ``registry.actions.people``; logged with
    ``actor=None`` and a CLI context naming the OS user.
    """

    is_authenticated = False
    username = ""

    def __repr__(self):
        return "LOCAL_OPERATOR"


LOCAL_OPERATOR = _LocalOperator()


# Column headers, exactly as domain.md §4 (public interface of the printouts).
INCOMING_SECRET_COLUMNS = [
    "STT", "Ngày đến", "Số đến", "Cơ quan ban hành", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu",
    "Độ mật", "Đơn vị và ký nhận", "Ghi chú",
]
OUTGOING_SECRET_COLUMNS = [
    "STT", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu", "Độ mật", "Người ký", "Nơi nhận và ký nhận",
    "Đơn vị lưu", "Số lượng", "Ghi chú",
]
LEVEL_COLUMN = "Độ mật"


def book_columns(book: RegisterBook) -> list[str]:
    """The column headers of a book; ordinary books have the same shape without the level."""
    columns = INCOMING_SECRET_COLUMNS if book.direction == Direction.INCOMING else OUTGOING_SECRET_COLUMNS
    return list(columns) if book.secret else [c for c in columns if c != LEVEL_COLUMN]


@dataclass(frozen=True)
class BookRow:
    document_id: int
    serial: int
    entry_date: dt.date | None
    cells: list[str]
    voided: bool
    void_reason: str


@dataclass(frozen=True)
class BookCover:
    parent_body: str
    body: str
    title: str
    year: int
    book_number: int
    first_date: dt.date | None
    last_date: dt.date | None
    first_serial: int | None
    last_serial: int | None
    rows: int


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _type_and_summary(doc: Document) -> str:
    label = str(doc.type_label)
    text = doc.title
    if doc.summary and doc.summary != doc.title:
        text = f"{text}. {doc.summary}"
    if text.lower().startswith(label.lower()):
        return text
    return f"{label}: {text}"


def _notes(doc: Document) -> str:
    from registry.registers.lifecycle_books import level_history_note

    history = level_history_note(doc)  # level changes, declassification, destruction: noted, never overwritten
    notes = f"{doc.notes}. {history}".strip(". ") if history else doc.notes
    if doc.voided:
        reason = _("ĐÃ HỦY SỐ: %(reason)s") % {"reason": doc.void_reason}
        return f"{reason}. {notes}".strip(". ") if notes else reason
    return notes


def book_queryset(book: RegisterBook, user) -> QuerySet:
    """The entries of ``book`` the user may see, in serial order (voided entries included)."""
    qs = Document.objects.filter(register=book).select_related("handling_unit", "destruction") \
        .prefetch_related("level_changes").order_by("serial")
    if user is LOCAL_OPERATOR:
        return qs
    return visible_documents(user, qs)


def _cells(book: RegisterBook, doc: Document) -> list[str]:
    unit = doc.handling_unit.name if doc.handling_unit_id else ""
    from registry.registers.lifecycle_books import original_level

    level = str(Level(original_level(doc)).label)  # the level registered; changes go to the notes
    if book.direction == Direction.INCOMING:
        cells = [
            str(doc.serial), _date(doc.arrival_date), str(doc.arrival_number or ""), doc.issuer, doc.number_raw,
            _date(doc.issue_date), _type_and_summary(doc), level, unit, _notes(doc),
        ]
        level_index = 7
    else:
        cells = [
            str(doc.serial), doc.number_raw, _date(doc.issue_date), _type_and_summary(doc), level, doc.signer,
            doc.recipients, unit, str(doc.copies_count), _notes(doc),
        ]
        level_index = 4
    if not book.secret:
        del cells[level_index]
    return cells


def book_rows(book: RegisterBook, user) -> list[BookRow]:
    """The rows of a register book as ``user`` may see them (``LOCAL_OPERATOR`` sees all)."""
    rows = []
    for doc in book_queryset(book, user):
        entry = doc.arrival_date if book.direction == Direction.INCOMING else (doc.issue_date or doc.created_at.date())
        rows.append(BookRow(doc.pk, doc.serial, entry, _cells(book, doc), doc.voided, doc.void_reason))
    return rows


def book_cover(book: RegisterBook, rows: list[BookRow]) -> BookCover:
    dates = [r.entry_date for r in rows if r.entry_date]
    return BookCover(
        parent_body=book.parent_body,
        body=book.body,
        title=str(book.title).split(" — ")[0],
        year=book.year,
        book_number=book.book_number,
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        first_serial=rows[0].serial if rows else None,
        last_serial=rows[-1].serial if rows else None,
        rows=len(rows),
    )


def render_book_csv(book: RegisterBook, rows: list[BookRow]) -> bytes:
    """CSV in UTF-8 with a BOM (Excel opens it with the right encoding): one header row, then the rows.

    Cells a spreadsheet would evaluate (an issuer or a note starting with ``= + - @``) are written as text.
    """
    buffer = io.StringIO()
    writer = safe_writer(buffer, lineterminator="\r\n")
    writer.writerow(book_columns(book))
    for row in rows:
        writer.writerow(row.cells)
    return buffer.getvalue().encode("utf-8-sig")


# Columns holding a number and symbol, which must not break inside the symbol.
NUMBER_COLUMNS = ("Số, ký hiệu", "Số đến")


def person_label(user) -> str:
    """"Nguyễn Thị Thu (Văn phòng)": the person, as a printout names them, not their login."""
    name = (user.get_full_name() or "").strip() or user.username
    unit = getattr(getattr(user, "unit", None), "name", "") if getattr(user, "unit_id", None) else ""
    return f"{name} ({unit})" if unit else name


def render_book_pdf(book: RegisterBook, rows: list[BookRow], *, printed_by: str = "") -> bytes:
    """Landscape A4 PDF: a cover page with the book's data, then the table with the columns of §4."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    from registry.fonts import register_reportlab_fonts

    regular, bold = register_reportlab_fonts()
    cover = book_cover(book, rows)
    columns = book_columns(book)
    page_w, page_h = landscape(A4)
    margin = 12 * mm
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=(page_w, page_h), leftMargin=margin, rightMargin=margin, topMargin=margin,
        bottomMargin=margin, title=str(book.title), author=book.body, creator="congress-registry",
    )
    centre = ParagraphStyle("centre", fontName=regular, fontSize=13, leading=18, alignment=TA_CENTER)
    centre_bold = ParagraphStyle("centre_bold", parent=centre, fontName=bold)
    big = ParagraphStyle("big", parent=centre_bold, fontSize=22, leading=30)
    head_style = ParagraphStyle("head", fontName=bold, fontSize=7.5, leading=9, alignment=TA_CENTER)
    cell_style = ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9.2)

    story = [
        Paragraph(escape(cover.parent_body.upper()), centre),
        Paragraph(escape(cover.body.upper()), centre_bold),
        Spacer(1, 30 * mm),
        Paragraph(escape(cover.title.upper()), big),
        Spacer(1, 6 * mm),
        Paragraph(escape(_("Năm %(year)s") % {"year": cover.year}), centre_bold),
        Spacer(1, 14 * mm),
        Paragraph(escape(_("Bắt đầu ngày: %(first)s — Kết thúc ngày: %(last)s") % {
            "first": _date(cover.first_date) or "…", "last": _date(cover.last_date) or "…"}), centre),
        Paragraph(escape(_("Bắt đầu số: %(first)s — Kết thúc số: %(last)s") % {
            "first": cover.first_serial or "…", "last": cover.last_serial or "…"}), centre),
        Spacer(1, 8 * mm),
        Paragraph(escape(_("Quyển số: %(number)s") % {"number": cover.book_number}), centre_bold),
        PageBreak(),
    ]

    # Every header fits on one line (text extraction and readers then see them in order); the remaining
    # width goes to the free-text columns.
    widths = [stringWidth(c, bold, 7.5) + 8 for c in columns]
    date_width = stringWidth("00/00/0000", regular, 7.5) + 8
    for i, c in enumerate(columns):
        if c in ("Ngày đến", "Ngày tháng"):
            widths[i] = max(widths[i], date_width)
    # A number and symbol ("88-BC/BTCTW", "26/2020/NĐ-CP") never breaks inside itself: its column is as wide
    # as the widest one (up to a limit; a longer one shrinks its font rather than break).
    number_columns = [i for i, c in enumerate(columns) if c in NUMBER_COLUMNS]
    number_limit = 40 * mm
    for i in number_columns:
        widest = max((stringWidth(r.cells[i], regular, 7.5) for r in rows if i < len(r.cells)), default=0)
        widths[i] = max(widths[i], min(widest + 8, number_limit))
    available = page_w - 2 * margin
    flexible = [i for i, c in enumerate(columns) if c in ("Tên loại và trích yếu", "Cơ quan ban hành",
                                                           "Nơi nhận và ký nhận", "Ghi chú")]
    spare = max(available - sum(widths), 0)
    weights = {"Tên loại và trích yếu": 4, "Cơ quan ban hành": 1.5, "Nơi nhận và ký nhận": 1.5, "Ghi chú": 1.5}
    total_weight = sum(weights[columns[i]] for i in flexible)
    for i in flexible:
        widths[i] += spare * weights[columns[i]] / total_weight

    data = [[Paragraph(escape(c), head_style) for c in columns]]
    for row in rows:
        cells = []
        for index, value in enumerate(row.cells):
            style = cell_style
            if index in number_columns:
                room = widths[index] - 6
                size = min(7.5, 7.5 * room / max(stringWidth(value, regular, 7.5), 1))
                style = ParagraphStyle("number", parent=cell_style, fontSize=size, leading=max(size + 1.7, 6),
                                       splitLongWords=0)
            text = escape(value).replace("\n", "<br/>")
            cells.append(Paragraph(f"<strike>{text}</strike>" if row.voided and text else text, style))
        data.append(cells)
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    story.append(table)
    footer_text = _("%(title)s — năm %(year)s") % {"title": cover.title, "year": cover.year}
    if printed_by:
        footer_text += " — " + _("người in: %(user)s") % {"user": printed_by}
    footer_text += " — " + _("in lúc %(when)s") % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
    page_label = _("trang")

    def footer(canvas, _doc):
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawRightString(page_w - margin, 6 * mm, f"{footer_text} — {page_label} {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(story, onFirstPage=lambda c, d: None, onLaterPages=footer)
    return out.getvalue()


FORMATS = {"pdf": ("application/pdf", render_book_pdf), "csv": ("text/csv; charset=utf-8", render_book_csv)}


@dataclass(frozen=True)
class PrintedBook:
    content: bytes
    content_type: str
    filename: str
    rows: int
    entry_id: int


def print_book(book: RegisterBook, user, *, fmt: str = "pdf", ctx: RequestContext | None = None) -> PrintedBook:
    """Render a book for ``user`` (or ``LOCAL_OPERATOR``) and write its BOOK_PRINT entry before returning it.

    If the log entry cannot be written the exception propagates and nothing is handed out.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    content_type, renderer = FORMATS[fmt]
    rows = book_rows(book, user)
    operator = user is LOCAL_OPERATOR
    # A register book is a statutory Vietnamese form whatever the language of the screen.
    with translation.override("vi"):
        if fmt == "pdf":
            printed_by = (ctx.user_agent if ctx else "") if operator else person_label(user)
            content = renderer(book, rows, printed_by=printed_by)
        else:
            content = renderer(book, rows)
    from registry.actions.events import do_log_book_print

    entry = do_log_book_print(None if operator else user, ctx, result_count=len(rows),
                              extra={"register": book.code, "book_id": book.pk, "format": fmt, "full_book": operator})
    filename = f"so-{book.code}-q{book.book_number}.{fmt}"
    return PrintedBook(content, content_type, filename, len(rows), entry.pk)
