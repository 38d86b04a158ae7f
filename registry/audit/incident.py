"""The immediate incident report for a lost or leaked document (domain.md §7).

Which document; which copies exist (the copy register, and the marked digital copies: log entries with a
``copy_id``); who held it (loans, hand-overs); and the whole trail of log entries about it, including the
refusals that named it by requested id. A document above the auditor's clearance has no incident report for
that auditor (the caller refuses through the guard: 404); single entries of the trail written while the
document stood above the clearance are redacted like everywhere else (``registry.audit.redact``).

The PDF and CSV use Vietnamese headings and labels, times as dd/mm/yyyy HH:MM (Asia/Ho_Chi_Minh, stated
once), and the CSV adds an ISO 8601 column with the offset.
"""

import io

from django.utils import timezone

from registry.audit import timefmt
from registry.audit.redact import ABOVE_CLEARANCE, Redactor, level_label
from registry.audit.reports import DocumentDescriber, LogFilter, document_lifecycle
from registry.constants import CopyForm
from registry.csv_safe import safe_writer
from registry.errors import NotFoundError
from registry.models import Document


def incident_report(auditor, document_id) -> dict:
    """The report as data. Raises NotFoundError for a missing document or one above the auditor's clearance."""
    try:
        document = Document.objects.select_related("handling_unit").get(pk=int(document_id))
    except (Document.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None
    redactor = Redactor(auditor)
    if redactor.document_hidden(document.pk):
        raise NotFoundError()
    view = DocumentDescriber(auditor, redactor).describe(document)
    trail_entries = list(LogFilter(document=document.pk).queryset(redactor).order_by("seq"))
    redactor.prefetch_entries(trail_entries)
    rows = [redactor.row(e) for e in trail_entries]
    digital = [
        {"copy_id": r["copy_id"], "at": r["at"], "at_display": r["at_display"], "actor": r["actor"],
         "action": r["action"], "action_label": r["action_label"], "seq": r["seq"]}
        for r in rows if r["copy_id"] and r["outcome"] == "ok"
    ]
    lifecycle = document_lifecycle(auditor, document)
    return {
        "document": {
            **view.as_dict(),
            "level": document.level,
            "level_label": level_label(document.level),
            "handling_unit": document.handling_unit.code if document.handling_unit_id else "",
            "handling_unit_name": document.handling_unit.name if document.handling_unit_id else "",
            "recall": document.recall,
            "copies_count": document.copies_count,
            "destroyed_on": document.destroyed_on.isoformat() if document.destroyed_on else None,
        },
        "copy_records": [_plain(r) for r in lifecycle["copies"]],
        "digital_copies": digital,
        "hand_overs": [_plain(r) for r in lifecycle["hand_overs"]],
        "loans": [_plain(r) for r in lifecycle["loans"]],
        "trail": rows,
        "first_seq": rows[0]["seq"] if rows else None,
        "last_seq": rows[-1]["seq"] if rows else None,
        "generated_at": timefmt.iso(timezone.now()),
    }


def _plain(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        key = key.replace("__username", "")
        if hasattr(value, "isoformat"):
            if hasattr(value, "tzinfo"):
                out[key + "_display"] = timefmt.display(value)
                value = timefmt.iso(value)
            else:
                out[key + "_display"] = timefmt.display_date(value)
                value = value.isoformat()
        out[key] = value
    return out


def _yes(value) -> str:
    return "Có" if value else "Không"


def _form(value) -> str:
    return str(CopyForm(value).label) if value in CopyForm.values else (value or "")


# Each section: (key, heading, [(column heading, width mm, value function)]). Widths sum to 273 mm.
SECTIONS = (
    ("copy_records", "Bản sao, chụp (sổ quản lý sao, chụp tài liệu bí mật)", [
        ("Ngày sao, chụp", 28, lambda r: r.get("made_on_display", "")),
        ("Hình thức", 28, lambda r: _form(r.get("form"))),
        ("Số lượng", 20, lambda r: r.get("quantity")),
        ("Từ bản số", 20, lambda r: r.get("first_copy_number")),
        ("Người cho phép", 55, lambda r: r.get("authorised_by")),
        ("Người sao, chụp", 42, lambda r: r.get("copied_by")),
        ("Nơi nhận", 80, lambda r: r.get("recipients")),
    ]),
    ("digital_copies", "Bản sao điện tử có đóng dấu, đánh số", [
        ("Số TT nhật ký", 24, lambda r: r.get("seq")),
        ("Thời gian", 34, lambda r: r.get("at_display")),
        ("Người nhận bản sao", 60, lambda r: r.get("actor")),
        ("Thao tác", 60, lambda r: r.get("action_label")),
        ("Mã bản sao", 95, lambda r: r.get("copy_id")),
    ]),
    ("hand_overs", "Chuyển giao", [
        ("Ngày chuyển", 30, lambda r: r.get("handed_on_display")),
        ("Người, nơi nhận", 100, lambda r: r.get("recipient")),
        ("Tài khoản người nhận", 45, lambda r: r.get("recipient_user")),
        ("Đã ký nhận", 28, lambda r: _yes(r.get("acknowledged"))),
        ("Người chuyển", 70, lambda r: r.get("handed_by")),
    ]),
    ("loans", "Mượn tài liệu", [
        ("Mượn lúc", 30, lambda r: r.get("out_at_display")),
        ("Người mượn", 36, lambda r: r.get("borrower")),
        ("Người duyệt", 36, lambda r: r.get("approved_by")),
        ("Hạn trả", 30, lambda r: r.get("due_at_display")),
        ("Kết thúc phiên họp", 32, lambda r: r.get("meeting_ends_at_display") or "—"),
        ("Trả lúc", 30, lambda r: r.get("returned_at_display") or "Chưa trả"),
        ("Mục đích", 79, lambda r: r.get("purpose")),
    ]),
    ("trail", "Nhật ký sử dụng tài liệu", [
        ("Số TT", 14, lambda r: r.get("seq")),
        ("Thời gian", 30, lambda r: r.get("at_display")),
        ("Người thực hiện", 33, lambda r: r.get("actor")),
        ("Đơn vị", 22, lambda r: r.get("actor_unit")),
        ("Thao tác", 34, lambda r: r.get("action_label")),
        ("Kết quả", 20, lambda r: r.get("outcome_label")),
        ("Độ mật", 17, lambda r: str(ABOVE_CLEARANCE) if r.get("document_hidden") else r.get("document_level_label")),
        ("Địa chỉ IP", 27, lambda r: r.get("ip")),
        ("Mã bản sao", 30, lambda r: r.get("copy_id")),
        ("Mục đích", 46, lambda r: r.get("purpose")),
    ]),
)


def _cell(value) -> str:
    return "" if value is None else str(value)


def _document_lines(doc: dict) -> list[tuple[str, str]]:
    lines = [
        ("Số định danh", f"#{doc['id']}"),
        ("Tên tài liệu", doc.get("title") or ""),
        ("Số, ký hiệu", doc.get("number") or "—"),
        ("Trích yếu", doc.get("summary") or "—"),
        ("Độ mật", doc.get("level_label") or ""),
        ("Đơn vị xử lý", doc.get("handling_unit_name") or doc.get("handling_unit") or "—"),
        ("Tài liệu thu hồi", _yes(doc.get("recall"))),
        ("Số lượng bản", _cell(doc.get("copies_count"))),
        ("Đã tiêu hủy", timefmt.display_date(_date(doc.get("destroyed_on"))) or "Chưa"),
    ]
    return lines


def _date(text):
    import datetime as dt

    return dt.date.fromisoformat(text) if text else None


def incident_csv(report: dict, *, auditor=None) -> str:
    """Sections one after another: a heading row, the column headings, the rows (formula-safe)."""
    from django.conf import settings

    from registry.audit import pdf

    out = io.StringIO()
    out.write("\ufeff")
    writer = safe_writer(out)
    writer.writerow([settings.REGISTRY_PARENT_BODY])
    writer.writerow([settings.REGISTRY_BODY])
    writer.writerow(["BÁO CÁO SỰ CỐ LỘ, MẤT TÀI LIỆU BÍ MẬT NHÀ NƯỚC"])
    writer.writerow([f"Kỳ báo cáo: {_period(report)}"])
    writer.writerow([f"{pdf.author_line(auditor)}. Lập lúc "
                     f"{timefmt.display(timefmt.parse_iso(report['generated_at']))}.", report["generated_at"]])
    writer.writerow([str(timefmt.ZONE_NOTE)])
    for line in pdf.chain_lines(pdf.chain_range(report.get("first_seq"), report.get("last_seq"))):
        writer.writerow([line])
    writer.writerow([])
    writer.writerow(["Tài liệu"])
    for label, value in _document_lines(report["document"]):
        writer.writerow([label, value])
    for key, heading, columns in SECTIONS:
        rows = report[key]
        writer.writerow([])
        writer.writerow([f"{heading} ({len(rows)})"])
        extra_iso = key in ("trail", "digital_copies")
        writer.writerow([h for h, _w, _f in columns] + (["Thời điểm ISO 8601 (kèm múi giờ)"] if extra_iso else []))
        for row in rows:
            writer.writerow([_cell(f(row)) for _h, _w, f in columns] + ([row.get("at", "")] if extra_iso else []))
    return out.getvalue()


def _period(report: dict) -> str:
    moments = sorted(timefmt.parse_iso(r["at"]) for r in report["trail"])
    if not moments:
        return "toàn bộ nhật ký về tài liệu (chưa có mục nào)"
    return f"từ {timefmt.display(moments[0])} đến {timefmt.display(moments[-1])} (toàn bộ nhật ký về tài liệu)"


def incident_pdf(report: dict, *, auditor=None) -> bytes:
    from registry.audit import pdf

    doc = report["document"]
    sections = [pdf.Section("Tài liệu", [("Thông tin", 60), ("Nội dung", 213)],
                            [[label, value] for label, value in _document_lines(doc)])]
    for key, heading, columns in SECTIONS:
        rows = report[key]
        sections.append(pdf.Section(f"{heading} ({len(rows)})", [(h, w) for h, w, _f in columns],
                                    [[_cell(f(r)) for _h, _w, f in columns] for r in rows]))
    return pdf.build_report(
        title="BÁO CÁO SỰ CỐ LỘ, MẤT TÀI LIỆU BÍ MẬT NHÀ NƯỚC",
        period=_period(report),
        auditor=auditor,
        chain=pdf.chain_range(report.get("first_seq"), report.get("last_seq")),
        sections=sections,
    )
