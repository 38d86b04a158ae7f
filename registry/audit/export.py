"""Exports of a filtered log view that an outside party can re-verify with ``verify_export``.

Formats:

- **CSV** for people (opens in a spreadsheet): Vietnamese headings, Vietnamese labels for every coded value
  (action, outcome, level), the time twice — a local display column ``dd/mm/yyyy HH:MM`` and an ISO 8601
  column with the +07:00 offset and microseconds — and every hashed field, so ``verify_export`` maps the
  labels back and recomputes each hash. Written through ``registry.csv_safe`` (a purpose or query such as
  ``=HYPERLINK(…)`` is text, not a formula); the reader strips that neutralising apostrophe again.
- **JSON Lines** for machines: one object per entry, values exactly as hashed.
- **PDF** for sending upward: the readable columns (``registry.audit.pdf``), no hashes per row, the chain
  range covered in the header.

An entry about a document above the exporting auditor's clearance (``registry.audit.redact``) keeps only
seq, time, actor, action, outcome and its chain hashes; every other field is withheld (``withheld`` lists
them). Its own hash cannot be recomputed from the file, but the chain still links through it (its ``hash`` is
the next entry's ``prev_hash``); ``verify_export`` lists these entries.
"""

import csv
import json
from pathlib import Path

from django.utils.translation import gettext as _

from registry.audit import timefmt
from registry.audit.chain import HASHED_FIELDS, _canonical_value, entry_hash
from registry.audit.redact import ABOVE_CLEARANCE, Redactor, action_label, level_label, outcome_label
from registry.audit.reports import LogFilter
from registry.constants import Action, Level, Outcome
from registry.csv_safe import safe_writer

FORMATS = ("csv", "jsonl", "pdf")
STREAM_FORMATS = ("csv", "jsonl")
READABLE_FIELDS = ("document_hidden", "document_title", "document_number", "withheld")
COLUMNS = (*HASHED_FIELDS, "hash", *READABLE_FIELDS)  # JSON Lines keys
INT_FIELDS = {"seq", "actor_id", "document_id", "result_count"}

# CSV: (key, Vietnamese heading). Keys of hashed fields are those of HASHED_FIELDS.
CSV_COLUMNS = (
    ("seq", "Số thứ tự trong chuỗi"),
    ("at_display", "Thời gian (giờ Việt Nam)"),
    ("at", "Thời điểm ISO 8601 (kèm múi giờ)"),
    ("actor_username", "Tên đăng nhập"),
    ("actor_id", "Mã người dùng"),
    ("actor_unit", "Đơn vị người thực hiện"),
    ("action", "Thao tác"),
    ("outcome", "Kết quả"),
    ("document_title", "Tài liệu"),
    ("document_number", "Số, ký hiệu"),
    ("document_id", "Số định danh tài liệu"),
    ("document_level", "Độ mật"),
    ("document_unit", "Đơn vị xử lý tài liệu"),
    ("purpose", "Mục đích"),
    ("copy_id", "Mã bản sao"),
    ("query", "Nội dung tìm kiếm"),
    ("result_count", "Số kết quả"),
    ("extra", "Chi tiết (JSON)"),
    ("ip", "Địa chỉ IP"),
    ("user_agent", "Chương trình truy cập"),
    ("request_id", "Mã yêu cầu"),
    ("prev_hash", "Mã băm mục trước"),
    ("hash", "Mã băm"),
    ("withheld", "Trường không hiển thị"),
)
CSV_HEADINGS = {key: heading for key, heading in CSV_COLUMNS}
FIELD_LABELS = {  # for the "withheld" column
    "actor_unit": "đơn vị người thực hiện", "ip": "địa chỉ IP", "user_agent": "chương trình truy cập",
    "request_id": "mã yêu cầu", "document_id": "số định danh tài liệu", "document_level": "độ mật",
    "document_unit": "đơn vị xử lý tài liệu", "purpose": "mục đích", "copy_id": "mã bản sao",
    "query": "nội dung tìm kiếm", "result_count": "số kết quả", "extra": "chi tiết",
}
_FIELD_BY_LABEL = {label: name for name, label in FIELD_LABELS.items()}


def export_rows(auditor, flt: LogFilter, *, chunk: int = 5000):
    """Yield dicts (COLUMNS + ``at_display``) for every matching entry, oldest first."""
    redactor = Redactor(auditor)
    qs = flt.queryset(redactor).order_by("seq")
    batch = []

    def flush():
        redactor.prefetch_entries(batch)
        for entry in batch:
            yield _row(entry, redactor)

    for entry in qs.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            yield from flush()
            batch = []
    yield from flush()


def _row(entry, redactor: Redactor) -> dict:
    row = {name: _canonical_value(getattr(entry, name)) for name in HASHED_FIELDS}
    row["hash"] = entry.hash
    shown = redactor.row(entry)
    withheld = list(redactor.withheld(entry))
    for name in withheld:
        row[name] = None
    row["document_hidden"] = shown["document_hidden"]
    row["document_title"] = shown["document_title"]
    row["document_number"] = shown["document_number"]
    row["withheld"] = ",".join(withheld)
    row["at_display"] = shown["at_display"]
    row["_at"] = entry.at
    return row


class _Lines:
    """A file-like sink for csv writers that hands back what was written."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _csv_value(key, row):
    value = row.get(key)
    if key == "at":
        return timefmt.iso(row["_at"]) if row.get("_at") is not None else (value or "")
    if key == "action":
        return action_label(value)
    if key == "outcome":
        return outcome_label(value)
    if key == "document_level":
        return level_label(value) if value else ""
    if key == "extra":
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if key == "withheld":
        return ", ".join(FIELD_LABELS.get(n, n) for n in (value or "").split(",") if n)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return value


def csv_preamble(auditor, flt: LogFilter) -> list[str]:
    """The lines above a CSV export's table: office, title, period, author and time, zone, chain range."""
    from django.conf import settings
    from django.db.models import Max, Min
    from django.utils import timezone

    from registry.audit import pdf

    seqs = flt.queryset(Redactor(auditor)).aggregate(a=Min("seq"), b=Max("seq"))
    return [
        settings.REGISTRY_PARENT_BODY,
        settings.REGISTRY_BODY,
        "NHẬT KÝ SỬ DỤNG TÀI LIỆU BÍ MẬT NHÀ NƯỚC",
        f"Kỳ báo cáo: {pdf.period_text(flt.start, flt.end)}",
        f"{pdf.author_line(auditor)}. Lập lúc {timefmt.display(timezone.now())}.",
        str(timefmt.ZONE_NOTE),
        *pdf.chain_lines(pdf.chain_range(seqs["a"], seqs["b"])),
        *([_filter_note(flt)] if _filter_note(flt) else []),
    ]


def iter_export(rows, fmt: str, *, chunk: int = 500, preamble: list[str] | None = None):
    """Yield a CSV or JSON Lines export as text chunks (for streaming responses and files alike).

    A CSV may start with ``preamble`` lines (one cell each) and an empty row before its heading row;
    ``read_export`` skips them.
    """
    if fmt not in STREAM_FORMATS:
        raise ValueError(f"unknown format {fmt}")
    sink = _Lines()
    writer = safe_writer(sink)
    if fmt == "csv":
        sink.write("\ufeff")  # BOM: spreadsheets then read the Vietnamese text as UTF-8
        if preamble:
            for line in preamble:
                writer.writerow([line])
            writer.writerow([])
        writer.writerow([heading for _key, heading in CSV_COLUMNS])
    n = 0
    for row in rows:
        if fmt == "jsonl":
            sink.write(json.dumps({k: row[k] for k in COLUMNS}, ensure_ascii=False) + "\n")
        else:
            writer.writerow([_csv_value(key, row) for key, _heading in CSV_COLUMNS])
        n += 1
        if n % chunk == 0:
            yield sink.take()
    yield sink.take()


def write_export(rows, out, fmt: str, *, preamble: list[str] | None = None) -> int:
    """Write ``rows`` to the text stream ``out``; returns the number of entries."""
    counted = []

    def counting():
        for row in rows:
            counted.append(1)
            yield row

    for text in iter_export(counting(), fmt, preamble=preamble):
        out.write(text)
    return len(counted)


# --- Reading an export back --------------------------------------------------------------------------

def _reverse(choices) -> dict:
    found = {}
    for value, label in choices:
        found[str(label)] = value
        found[value] = value
    return found


def _unneutralise(text: str) -> str:
    """Undo registry.csv_safe's apostrophe before a formula-looking cell."""
    if len(text) > 1 and text[0] == "'" and text[1] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]
    return text


def _from_csv(row: dict) -> dict:
    actions, outcomes, levels = _reverse(Action.choices), _reverse(Outcome.choices), _reverse(Level.choices)
    raw = {key: _unneutralise(row.get(heading, "") or "") for key, heading in CSV_COLUMNS}
    withheld = [_FIELD_BY_LABEL.get(part.strip(), part.strip()) for part in raw["withheld"].split(",") if part.strip()]
    fields = {}
    for name in HASHED_FIELDS:
        value = raw.get(name, "")
        if name in withheld:
            fields[name] = None
        elif name in INT_FIELDS:
            fields[name] = int(value) if value != "" else None
        elif name == "extra":
            fields[name] = json.loads(value) if value != "" else None
        elif name == "at":
            fields[name] = _canonical_value(timefmt.parse_iso(value)) if value else ""
        elif name == "action":
            fields[name] = actions.get(value, value)
        elif name == "outcome":
            fields[name] = outcomes.get(value, value)
        elif name == "document_level":
            fields[name] = levels.get(value, value)
        else:
            fields[name] = value
    fields["hash"] = raw["hash"]
    fields["withheld"] = ",".join(withheld)
    return fields


def read_export(path) -> list[dict]:
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.read(1)
        fh.seek(0)
        if first == "{":
            return [json.loads(line) for line in fh if line.strip()]
        text = fh.read().lstrip("\ufeff")
    return [_from_csv(row) for row in csv.DictReader(table_lines(text))]


def table_lines(text: str) -> list[str]:
    """The lines of a CSV export from its heading row on (the preamble above it skipped)."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    first = CSV_COLUMNS[0][1]
    for i, line in enumerate(lines):
        if line.startswith(first + ","):
            return lines[i:]
    return lines


def verify_export(path) -> dict:
    """Re-verify an exported segment (CSV or JSON Lines) without the database.

    Checks that every entry's hash is the SHA-256 of its fields (``registry.audit.chain``) and that each
    entry whose predecessor is also in the file (consecutive ``seq``) links to it through ``prev_hash``.
    Returns {"ok", "entries", "first_seq", "last_seq", "first_prev_hash", "last_hash", "withheld",
    "broken_seq", "reason"}; ``broken_seq`` names the first entry that fails. ``first_prev_hash`` and
    ``last_hash`` can be compared with signed checkpoints.
    """
    rows = read_export(path)
    result = {"ok": True, "entries": len(rows), "first_seq": None, "last_seq": None, "first_prev_hash": None,
              "last_hash": None, "withheld": [], "broken_seq": None, "reason": ""}
    previous = None
    for row in rows:
        seq = row.get("seq")
        if result["first_seq"] is None:
            result["first_seq"], result["first_prev_hash"] = seq, row.get("prev_hash")
        if row.get("withheld"):
            result["withheld"].append(seq)
        elif entry_hash(row) != row.get("hash"):
            return _broken(result, seq, "hash does not match the entry's fields")
        if previous is not None:
            if seq <= previous["seq"]:
                return _broken(result, seq, "entries out of order")
            if seq == previous["seq"] + 1 and row.get("prev_hash") != previous.get("hash"):
                return _broken(result, seq, "prev_hash does not link to the previous entry")
        previous = row
        result["last_seq"], result["last_hash"] = seq, row.get("hash")
    return result


def _broken(result, seq, reason):
    result.update(ok=False, broken_seq=seq, reason=reason)
    return result


# --- PDF ----------------------------------------------------------------------------------------------

PDF_LIMIT = 5000  # rows in one PDF export; larger segments are exported as CSV


def export_pdf(rows, *, auditor, flt: LogFilter) -> bytes:
    """The filtered log as a report fit to send upward (``registry.audit.pdf``)."""
    from registry.audit import pdf

    table = []
    first = last = None
    for i, row in enumerate(rows):
        if i >= PDF_LIMIT:
            break
        first = first or row
        last = row
        table.append([
            str(row["seq"]), row["at_display"], row["actor_username"], action_label(row["action"]),
            outcome_label(row["outcome"]),
            level_label(row["document_level"]) if row["document_level"] else "",
            str(ABOVE_CLEARANCE) if row["document_hidden"] else
            " ".join(p for p in (f"#{row['document_id']}" if row["document_id"] else "", row["document_number"] or "",
                                 row["document_title"] or "") if p),
            " ".join(p for p in (row["purpose"] or "", f"«{row['query']}»" if row["query"] else "",
                                 row["copy_id"] or "") if p),
        ])
    columns = [("Số TT", 13), ("Thời gian", 30), ("Người thực hiện", 32), ("Thao tác", 34), ("Kết quả", 20),
               ("Độ mật", 17), ("Tài liệu", 66), ("Mục đích, nội dung", 61)]
    period = pdf.period_text(flt.start, flt.end)
    return pdf.build_report(
        title="NHẬT KÝ SỬ DỤNG TÀI LIỆU BÍ MẬT NHÀ NƯỚC",
        period=period,
        auditor=auditor,
        chain=pdf.chain_range(first and first["seq"], last and last["seq"]),
        sections=[pdf.Section(f"Các mục nhật ký ({len(table)})", columns, table,
                              note=_filter_note(flt))],
    )


def _filter_note(flt: LogFilter) -> str:
    parts = []
    if flt.user:
        parts.append(f"người thực hiện: {flt.user}")
    if flt.unit:
        parts.append(f"đơn vị: {flt.unit}")
    if flt.document is not None:
        parts.append(f"tài liệu #{flt.document}")
    if flt.level:
        parts.append(f"độ mật: {level_label(flt.level)}")
    if flt.action:
        parts.append(f"thao tác: {action_label(flt.action)}")
    if flt.outcome:
        parts.append(f"kết quả: {outcome_label(flt.outcome)}")
    return ("Điều kiện lọc: " + "; ".join(parts) + ".") if parts else ""
