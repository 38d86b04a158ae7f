"""The index is a projection of the database: one row per Document, built here and nowhere else.

A row is a plain dict both backends write. It carries what search needs to trim by clearance inside the
engine (level, document id, dossier id), to filter and count facets, to match (exact and folded text,
number tokens), and to detect drift (``updated``: the document's ``updated_at`` in microseconds, and
``digest``: a hash of the row's content).
"""

import hashlib
import json

from registry.numbering import number_tokens
from registry.text import clean_line, fold
from registry.vault import document_text
from search.highlight import strip_marks
from search.query import tokenize

SUGGEST_SEPARATOR = "\x1f"
MAX_SUGGEST_TOKENS = 200
ROW_FIELDS = ("id", "dossier_id", "register_id", "level", "doc_type", "issuer", "direction", "year", "places",
              "number", "number_tokens", "title", "summary", "text", "issue_date", "voided", "suggest",
              "updated", "digest")


def micros(value) -> int:
    return int(value.timestamp() * 1_000_000) if value else 0


def suggest_tokens(*texts: str, number: str = "") -> list[str]:
    """Autocomplete entries: ``folded<US>original`` so a folded prefix finds the word as it is written."""
    seen = {}
    if number:
        seen[fold(number).lower()] = number
    for text in texts:
        for term in tokenize(text):
            if len(term.folded) >= 2 and not term.folded.isdigit():
                seen.setdefault(term.folded + SUGGEST_SEPARATOR + term.exact, None)
            if len(seen) >= MAX_SUGGEST_TOKENS:
                break
    out = []
    for key, original in seen.items():
        out.append(key + SUGGEST_SEPARATOR + original if original is not None else key)
    return out


def digest(row: dict) -> int:
    payload = {k: row[k] for k in ROW_FIELDS if k not in ("updated", "digest")}
    payload["issue_date"] = payload["issue_date"].isoformat() if payload["issue_date"] else None
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return int(hashlib.sha256(data).hexdigest()[:15], 16)  # fits a signed 64-bit field


def build_row(*, id, level, doc_type="", issuer="", direction="", register_id=0, dossier_id=None, places=(),
              number="", title="", summary="", text="", issue_date=None, fallback_date=None, voided=False,
              updated=0) -> dict:
    """One index row from plain values (the ORM path and the benchmark's synthetic path both use it)."""
    # One line each: control characters from extraction (form feeds…) would show in snippets.
    title, summary, text = (strip_marks(clean_line(v)) for v in (title, summary, text))
    number = clean_line(number)
    issuer = clean_line(issuer)
    when = issue_date or fallback_date
    row = {
        "id": int(id),
        "dossier_id": int(dossier_id or 0),
        "register_id": int(register_id or 0),
        "level": str(level),
        "doc_type": doc_type or "",
        "issuer": issuer,
        "direction": direction or "",
        "year": str(when.year) if when else "",
        "places": list(places),
        "number": number,
        "number_tokens": list(dict.fromkeys(number_tokens(number))),
        "title": title,
        "summary": summary,
        "text": text,
        "issue_date": issue_date,
        "voided": bool(voided),
        "suggest": suggest_tokens(title, summary, issuer, number=number),
        "updated": int(updated),
    }
    row["digest"] = digest(row)
    return row


class PlaceChains:
    """Codes of a storage location and every place that contains it (filter by a room finds its boxes)."""

    def __init__(self):
        from registry.models import StorageLocation

        self._nodes = {pk: (code, parent) for pk, code, parent in
                       StorageLocation.objects.values_list("pk", "code", "parent_id")}

    def chain(self, location_id) -> list[str]:
        codes, node, seen = [], location_id, set()
        while node and node in self._nodes and node not in seen:
            seen.add(node)
            code, node = self._nodes[node]
            codes.append(code)
        return codes


def document_row(document, places: PlaceChains | None = None) -> dict:
    places = places or PlaceChains()
    location_id = document.storage_location_id or (document.dossier.location_id if document.dossier_id else None)
    return build_row(
        id=document.pk,
        level=document.level,
        doc_type=document.doc_type,
        issuer=document.issuer,
        direction=document.direction,
        register_id=document.register_id,
        dossier_id=document.dossier_id,
        places=places.chain(location_id),
        number=document.number_raw,
        title=document.title,
        summary=document.summary,
        text=document_text(document),  # opened: mat+ text is sealed in the database (registry.vault)
        issue_date=document.issue_date,
        fallback_date=document.arrival_date or (document.created_at.date() if document.created_at else None),
        voided=document.voided,
        updated=micros(document.updated_at),
    )


def document_queryset():
    from registry.models import Document

    return Document.objects.select_related("dossier").order_by("pk")


def iter_rows(ids=None, chunk_size=500):
    """Rows for all documents (or the given ids, asked for in chunks), streamed in primary-key order."""
    places = PlaceChains()
    if ids is None:
        for document in document_queryset().iterator(chunk_size=chunk_size):
            yield document_row(document, places)
        return
    ids = sorted(set(int(i) for i in ids))
    for start in range(0, len(ids), chunk_size):
        for document in document_queryset().filter(pk__in=ids[start:start + chunk_size]):
            yield document_row(document, places)


def database_versions() -> dict[int, int]:
    """{document id: updated micros} for every document: the cheap side of a drift check."""
    from registry.models import Document

    return {pk: micros(updated) for pk, updated in Document.objects.values_list("pk", "updated_at").iterator()}
