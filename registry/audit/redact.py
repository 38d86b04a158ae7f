"""What an auditor may be told about a log entry: the one redaction rule of every audit surface.

Auditing follows clearance, not need-to-know (auditing is not reading the content): an auditor sees every
entry's metadata — title, number, level, unit, copy id, purpose, query, free text (``extra``) — for entries
about documents up to their clearance, with or without a grant.

An entry *about a document above the auditor's clearance* keeps only its time, actor, action and outcome, and
says ``ABOVE_CLEARANCE`` instead of the document. No id, level, unit, copy id, purpose, query, result count,
free text, IP or actor unit (which often equals the document's unit) remains. An entry is about such a
document when:

- its ``document_level`` (the level when written) is above the clearance, or
- its document exists now at a level above the clearance, or
- it names one by requested id (refusals, ``extra.requested_id``) or in its filters (``extra.document``,
  ``extra.filters.document`` of another auditor's view), and that document is above the clearance.

Pages, exports (CSV, JSONL, PDF), charts, anomalies, incident reports and the CLI all ask ``Redactor``.
Filters never match on hidden attributes: ``?level=`` above the clearance and ``?document=`` of a hidden
document select nothing (``Redactor.restrict``), so filtering cannot be used as an oracle either.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from registry.constants import LEVEL_RANK, Action, Level, Outcome

ABOVE_CLEARANCE_TEXT = "một tài liệu trên mức được phép xem của bạn"
ABOVE_CLEARANCE = _lazy(ABOVE_CLEARANCE_TEXT)

# Fields of an entry that survive redaction (besides the chain's own seq and hashes).
KEPT_FIELDS = ("seq", "at", "actor_id", "actor_username", "action", "outcome", "prev_hash")
# Hashed fields withheld from a redacted entry (exports list them in ``withheld``).
WITHHELD_FIELDS = ("actor_unit", "ip", "user_agent", "request_id", "document_id", "document_level",
                   "document_unit", "purpose", "copy_id", "query", "result_count", "extra")


def _as_pk(value):
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return pk if pk > 0 else None


def referenced_ids(entry) -> set[int]:
    """Document ids an entry names besides ``document_id`` (requested ids of refusals, filter values)."""
    extra = entry.extra if isinstance(entry.extra, dict) else {}
    found = set()
    for value in (extra.get("requested_id"), extra.get("document"), extra.get("hidden_id")):
        pk = _as_pk(value)
        if pk is not None:
            found.add(pk)
    filters = extra.get("filters")
    if isinstance(filters, dict):
        pk = _as_pk(filters.get("document"))
        if pk is not None:
            found.add(pk)
    return found


def level_label(level) -> str:
    return str(Level(level).label) if level in Level.values else (level or "")


def action_label(action) -> str:
    return str(Action(action).label) if action in Action.values else (action or "")


def outcome_label(outcome) -> str:
    return str(Outcome(outcome).label) if outcome in Outcome.values else (outcome or "")


class Redactor:
    """One auditor's view of the log. Batches its document look-ups (``prefetch``)."""

    def __init__(self, auditor):
        self.auditor = auditor
        self.rank = LEVEL_RANK.get(str(getattr(auditor, "clearance", "") or ""), -1)
        self._docs: dict[int, object | None] = {}

    # --- levels and documents -------------------------------------------------------------------------
    def level_ok(self, level) -> bool:
        """A level the auditor is cleared for (an empty level is no document's level: fine)."""
        if not level:
            return True
        return LEVEL_RANK.get(str(level), 99) <= self.rank

    def visible_levels(self) -> list[str]:
        return [lv for lv in Level.values if LEVEL_RANK[lv] <= self.rank]

    def prefetch(self, ids) -> None:
        from registry.models import Document

        wanted = {int(i) for i in ids if i is not None} - set(self._docs)
        if not wanted:
            return
        for doc in Document.objects.filter(pk__in=wanted).select_related("handling_unit").only(
            "id", "title", "number_raw", "summary", "level", "handling_unit__code", "handling_unit__name"
        ):
            self._docs[doc.pk] = doc
        for pk in wanted:
            self._docs.setdefault(pk, None)

    def prefetch_entries(self, entries) -> None:
        ids = set()
        for entry in entries:
            if entry.document_id is not None:
                ids.add(entry.document_id)
            ids |= referenced_ids(entry)
        self.prefetch(ids)

    def document(self, pk):
        if pk is None:
            return None
        self.prefetch([pk])
        return self._docs.get(int(pk))

    def document_hidden(self, pk) -> bool:
        """The document exists at a level above the auditor's clearance."""
        doc = self.document(pk)
        return doc is not None and not self.level_ok(doc.level)

    def entry_hidden(self, entry) -> bool:
        if entry.document_id is not None:
            if not self.level_ok(entry.document_level) or self.document_hidden(entry.document_id):
                return True
        return any(self.document_hidden(pk) for pk in referenced_ids(entry))

    def requested_document(self, entry):
        """The visible document a refusal names by requested id (None if none or hidden)."""
        if entry.document_id is not None:
            return None
        pk = _as_pk((entry.extra or {}).get("requested_id")) if isinstance(entry.extra, dict) else None
        doc = self.document(pk) if pk is not None else None
        return doc if doc is not None and self.level_ok(doc.level) else None

    # --- filters --------------------------------------------------------------------------------------
    def restrict(self, qs, *, level: str = "", document: int | None = None):
        """``qs`` filtered as asked, matching nothing on attributes the auditor may not see."""
        if level:
            if not self.level_ok(level):
                return qs.none()
            qs = qs.filter(document_level=level)
        if document is not None:
            if self.document_hidden(document):
                return qs.none()
            # Refusals name a document by requested id only; restricting that branch to refusals lets the
            # database use its (outcome, at) index instead of reading every entry's JSON.
            qs = qs.filter(Q(document_id=document) | Q(outcome=Outcome.REFUSED, document_id__isnull=True,
                                                       extra__requested_id=str(document)))
            # A document seen under a higher level before (since lowered) keeps those entries hidden: they
            # must not be selectable by id either.
            qs = qs.filter(Q(document_level="") | Q(document_level__in=self.visible_levels()))
        return qs

    # --- rows -------------------------------------------------------------------------------------------
    def row(self, entry) -> dict:
        """An entry as pages, the CLI report and the incident report show it."""
        from registry.audit import timefmt

        base = {
            "seq": entry.seq,
            "at": timefmt.iso(entry.at),
            "at_display": timefmt.display(entry.at),
            "actor": entry.actor_username,
            "action": entry.action,
            "action_label": action_label(entry.action),
            "outcome": entry.outcome,
            "outcome_label": outcome_label(entry.outcome),
        }
        if self.entry_hidden(entry):
            return {**base, "actor_unit": "", "document_id": None, "document_level": "", "document_level_label": "",
                    "document_unit": "", "document_hidden": True, "document_title": str(ABOVE_CLEARANCE),
                    "document_number": "", "ip": "", "copy_id": "", "purpose": "", "query": "",
                    "result_count": None, "extra": {}, "requested_id": None}
        doc = self.document(entry.document_id) if entry.document_id is not None else None
        requested = self.requested_document(entry)
        shown = doc or requested
        return {
            **base,
            "actor_unit": entry.actor_unit,
            "document_id": entry.document_id,
            "document_level": entry.document_level,
            "document_level_label": level_label(entry.document_level),
            "document_unit": entry.document_unit,
            "document_hidden": False,
            "document_title": shown.title if shown is not None else "",
            "document_number": shown.number_raw if shown is not None else "",
            "requested_id": requested.pk if requested is not None else None,
            "ip": entry.ip,
            "copy_id": entry.copy_id,
            "purpose": entry.purpose,
            "query": entry.query,
            "result_count": entry.result_count,
            "extra": entry.extra,
        }

    def withheld(self, entry) -> tuple[str, ...]:
        """The hashed fields an export must leave out for this entry (empty when nothing is hidden)."""
        return WITHHELD_FIELDS if self.entry_hidden(entry) else ()

    def anomaly(self, anomaly) -> dict:
        """An anomaly as shown: hidden documents are counted, never named, and the reason says so."""
        self.prefetch(anomaly.documents)
        visible = [d for d in anomaly.documents if not self.document_hidden(d)]
        hidden = len(anomaly.documents) - len(visible)
        data = anomaly.as_dict()
        data["documents"] = visible
        data["hidden_documents"] = hidden
        if hidden and anomaly.kind == "outside_unit":
            # This kind's reason names the documents' units: rebuilt from what may be shown.
            data["explanation"] = _(
                "Đọc %(n)s tài liệu do đơn vị khác xử lý, trong đó %(k)s là %(what)s; từ %(a)s đến %(b)s."
            ) % {"n": len(anomaly.documents), "k": hidden, "what": ABOVE_CLEARANCE,
                 "a": _display(anomaly.start), "b": _display(anomaly.end)}
        return data


def _display(moment) -> str:
    from registry.audit import timefmt

    return timefmt.display(moment)
