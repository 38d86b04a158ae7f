"""Exports of a filtered log view (CSV, JSON Lines) that an outside party can re-verify with ``verify_export``.

Each exported entry carries every field of ``registry.audit.chain.HASHED_FIELDS`` exactly as hashed, plus
its ``hash``; readable columns (document title and number) are added after them, and left empty with
``document_hidden`` set for documents the exporting auditor may not read (``reports.DocumentDescriber``).

One exception keeps the export from leaking what the log itself holds: for an entry about a hidden
document, the free-text fields that can carry the document's own words are withheld (``withheld`` lists
them): a stated ``purpose`` or search ``query`` when not empty, and ``extra`` of an edit (which records the
old title and summary). Such an entry's own hash cannot be recomputed from the file, but the chain still
links through it (its ``hash`` is the next entry's ``prev_hash``); ``verify_export`` lists these entries.
An auditor cleared for the documents exports the same segment with every hash recomputable.

Formats: CSV with a header row (integers empty when null, ``extra`` as JSON, ``at`` in the canonical UTC
form) and JSON Lines (one object per entry, values as hashed).
"""

import csv
import json
from pathlib import Path

from registry.audit.chain import HASHED_FIELDS, _canonical_value, entry_hash
from registry.audit.reports import DocumentDescriber, LogFilter
from registry.constants import Action

FORMATS = ("csv", "jsonl")
READABLE_FIELDS = ("document_hidden", "document_title", "document_number", "withheld")
COLUMNS = (*HASHED_FIELDS, "hash", *READABLE_FIELDS)
INT_FIELDS = {"seq", "actor_id", "document_id", "result_count"}
# Free text typed by people (a stated purpose, a search query) can repeat a document's own words.
WITHHELD_WHEN_HIDDEN = ("purpose", "query")
# Actions whose ``extra`` records a document's descriptive fields (old values of an edit).
CONTENT_EXTRA_ACTIONS = {Action.EDIT.value}


def export_rows(auditor, flt: LogFilter, *, chunk: int = 5000):
    """Yield dicts (COLUMNS) for every matching entry, oldest first."""
    describer = DocumentDescriber(auditor)
    qs = flt.queryset().order_by("seq")
    batch = []

    def flush():
        describer.prefetch(e.document_id for e in batch)
        for entry in batch:
            yield _row(entry, describer)

    for entry in qs.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            yield from flush()
            batch = []
    yield from flush()


def _row(entry, describer) -> dict:
    row = {name: _canonical_value(getattr(entry, name)) for name in HASHED_FIELDS}
    row["hash"] = entry.hash
    doc = describer.describe(entry)
    hidden = entry.document_id is not None and doc.hidden
    row["document_hidden"] = hidden
    row["document_title"] = "" if hidden or entry.document_id is None else doc.title
    row["document_number"] = "" if hidden else doc.number
    withheld = []
    if hidden:
        for name in WITHHELD_WHEN_HIDDEN:
            if row[name]:
                row[name] = None
                withheld.append(name)
        if entry.action in CONTENT_EXTRA_ACTIONS and entry.extra:
            row["extra"] = None
            withheld.append("extra")
    row["withheld"] = ",".join(withheld)
    return row


class _Lines:
    """A file-like sink for csv.writer that hands back what was written."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def iter_export(rows, fmt: str, *, chunk: int = 500):
    """Yield the export as text chunks (for streaming responses and files alike)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    sink = _Lines()
    writer = csv.writer(sink)
    if fmt == "csv":
        writer.writerow(COLUMNS)
    n = 0
    for row in rows:
        if fmt == "jsonl":
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer.writerow([_csv_cell(name, row[name]) for name in COLUMNS])
        n += 1
        if n % chunk == 0:
            yield sink.take()
    yield sink.take()


def write_export(rows, out, fmt: str) -> int:
    """Write ``rows`` to the text stream ``out``; returns the number of entries."""
    counted = []

    def counting():
        for row in rows:
            counted.append(1)
            yield row

    for text in iter_export(counting(), fmt):
        out.write(text)
    return len(counted)


def _csv_cell(name, value):
    if name == "extra":
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def _from_csv(row: dict) -> dict:
    fields = {}
    for name in HASHED_FIELDS:
        raw = row.get(name, "")
        if name in INT_FIELDS:
            fields[name] = int(raw) if raw != "" else None
        elif name == "extra":
            fields[name] = json.loads(raw) if raw != "" else None
        else:
            fields[name] = raw
    fields["hash"] = row.get("hash", "")
    fields["withheld"] = row.get("withheld", "")
    return fields


def read_export(path) -> list[dict]:
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as fh:
        first = fh.read(1)
        fh.seek(0)
        if first == "{":
            return [json.loads(line) for line in fh if line.strip()]
        return [_from_csv(row) for row in csv.DictReader(fh)]


def verify_export(path) -> dict:
    """Re-verify an exported segment without the database.

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
