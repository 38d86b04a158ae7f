"""Reading the access log as an auditor: filters, keyset pages, histories, and what an auditor may be told.

The clearance rule for auditors (domain.md §7): every entry is shown as existing (time, who, action, outcome,
level), but the title, number and summary of a document — and the free-text fields of entries about it —
only when the auditor could read the document: the entry's ``document_level`` and the document's current
level are both within the auditor's clearance, and for ``toi_mat``/``tuyet_mat`` the auditor holds
need-to-know (``registry.access``). ``DocumentDescriber`` is the one place that decides it; pages, charts,
exports, reports and the CLI all go through it.

Paging is by ``seq`` (``?before=<seq>``): no OFFSET and no COUNT over the log, so a page costs the same on
the first and on the ten-millionth entry.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.access import visible_documents
from registry.constants import LEVEL_RANK, READ_ACTIONS, Action, Level, Outcome
from registry.models import AccessLogEntry, Document

HIDDEN_TITLE = "[tài liệu ngoài phạm vi tiếp cận]"
PAGE_SIZE = 50


def hidden_title() -> str:
    return _(HIDDEN_TITLE)


@dataclass(frozen=True)
class DocumentView:
    """What an auditor may be told about a document (or about the document of one log entry)."""

    id: int | None
    hidden: bool
    title: str = ""
    number: str = ""
    summary: str = ""
    level: str = ""
    exists: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


class DocumentDescriber:
    """Decides, for one auditor, which documents' descriptions may be shown; batches its queries.

    ``describe(entry_or_doc)`` accepts an AccessLogEntry (the entry's level at the time counts too), a
    Document, or a document id.
    """

    def __init__(self, auditor):
        self.auditor = auditor
        self.rank = LEVEL_RANK.get(str(getattr(auditor, "clearance", "")), -1)
        self._docs: dict[int, Document | None] = {}
        self._visible: dict[int, bool] = {}

    def prefetch(self, ids) -> None:
        wanted = {int(i) for i in ids if i is not None} - set(self._docs)
        if not wanted:
            return
        for doc in Document.objects.filter(pk__in=wanted).only(
            "id", "title", "number_raw", "summary", "level", "dossier_id"
        ):
            self._docs[doc.pk] = doc
        visible = set(visible_documents(self.auditor, Document.objects.filter(pk__in=wanted)).values_list("pk", flat=True))
        for pk in wanted:
            self._docs.setdefault(pk, None)
            self._visible[pk] = pk in visible

    def document(self, pk) -> Document | None:
        self.prefetch([pk])
        return self._docs.get(int(pk))

    def may_read(self, pk, entry_level: str = "") -> bool:
        if pk is None:
            return True
        self.prefetch([pk])
        if entry_level and LEVEL_RANK.get(entry_level, 99) > self.rank:
            return False
        return self._visible.get(int(pk), False)

    def describe(self, item) -> DocumentView:
        if isinstance(item, AccessLogEntry):
            pk, entry_level = item.document_id, item.document_level
        elif isinstance(item, Document):
            pk, entry_level = item.pk, ""
        else:
            pk, entry_level = item, ""
        if pk is None:
            return DocumentView(id=None, hidden=False, exists=False)
        doc = self.document(pk)
        level = doc.level if doc is not None else entry_level
        if doc is None:
            return DocumentView(id=pk, hidden=True, title=hidden_title(), level=entry_level, exists=False)
        if not self.may_read(pk, entry_level):
            return DocumentView(id=pk, hidden=True, title=hidden_title(), level=level)
        return DocumentView(id=pk, hidden=False, title=doc.title, number=doc.number_raw, summary=doc.summary,
                            level=level)


def describe_document_for(auditor, entry_or_doc) -> DocumentView:
    """One-off form of ``DocumentDescriber(auditor).describe(entry_or_doc)``."""
    return DocumentDescriber(auditor).describe(entry_or_doc)


# Free-text fields of an entry that can carry a document's words (a stated purpose, an edit's old values):
# withheld from auditors who may not read the document, like its title.
FREE_TEXT_FIELDS = ("purpose", "query", "extra")


def entry_row(entry: AccessLogEntry, describer: DocumentDescriber) -> dict:
    """A log entry as shown in pages, reports and the CLI: log fields plus the document as the auditor may see it."""
    doc = describer.describe(entry)
    hidden = doc.hidden and entry.document_id is not None
    local = timezone.localtime(entry.at)
    return {
        "seq": entry.seq,
        "at": local.isoformat(),
        "actor": entry.actor_username,
        "actor_unit": entry.actor_unit,
        "action": entry.action,
        "action_label": str(Action(entry.action).label) if entry.action in Action.values else entry.action,
        "outcome": entry.outcome,
        "document_id": entry.document_id,
        "document_level": entry.document_level,
        "document_unit": entry.document_unit,
        "document_hidden": hidden,
        "document_title": doc.title if entry.document_id is not None else "",
        "document_number": doc.number,
        "ip": entry.ip,
        "copy_id": entry.copy_id,
        "purpose": "" if hidden else entry.purpose,
        "query": "" if hidden else entry.query,
        "result_count": entry.result_count,
        "extra": {} if hidden else entry.extra,
    }


@dataclass
class LogFilter:
    """The filters of the log page, the report and the export (all optional)."""

    user: str = ""  # actor username
    unit: str = ""  # actor's unit code at the time
    document: int | None = None
    level: str = ""
    action: str = ""
    outcome: str = ""
    start: dt.datetime | None = None  # inclusive
    end: dt.datetime | None = None  # exclusive
    extra: dict = field(default_factory=dict)

    def queryset(self):
        qs = AccessLogEntry.objects.all()
        if self.user:
            # By id when the person exists (indexed with the time); by the name snapshot otherwise
            # (failed logins under unknown names, people since deleted).
            from registry.models import User

            uid = User.objects.filter(username=self.user).values_list("pk", flat=True).first()
            qs = qs.filter(actor_id=uid) if uid is not None else qs.filter(actor_username=self.user)
        if self.unit:
            qs = qs.filter(actor_unit=self.unit)
        if self.document is not None:
            qs = qs.filter(document_id=self.document)
        if self.level:
            qs = qs.filter(document_level=self.level)
        if self.action:
            qs = qs.filter(action=self.action)
        if self.outcome:
            qs = qs.filter(outcome=self.outcome)
        if self.start is not None:
            qs = qs.filter(at__gte=self.start)
        if self.end is not None:
            qs = qs.filter(at__lt=self.end)
        return qs

    @property
    def has_period(self) -> bool:
        return self.start is not None or self.end is not None

    def as_log_extra(self) -> dict:
        """The filters as recorded with the AUDIT_VIEW / AUDIT_EXPORT entry."""
        out = {}
        for name in ("user", "unit", "document", "level", "action", "outcome"):
            value = getattr(self, name)
            if value not in ("", None):
                out[name] = value
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.isoformat()
        return out


@dataclass
class Page:
    rows: list
    next_before: int | None  # seq to pass as ?before= for the next (older) page, None on the last page


def keyset_page(qs, *, before: int | None = None, size: int = PAGE_SIZE, by_period: bool = False):
    """Newest-first page of ``qs`` below ``before`` (a seq); returns (entries, next_before).

    ``by_period``: the filter has a time range. Ordering by the bare ``seq`` would then lead PostgreSQL to
    walk the seq index back from the end of the log and discard everything after the period (millions of
    rows for an old month). Ordering by ``seq + 0`` makes it start from the filter's own index (time,
    person+time, document+time…) and sort only what matches: cost bounded by the period, same result.
    """
    if before is not None:
        qs = qs.filter(seq__lt=before)
    order = (F("seq") + 0).desc() if by_period else "-seq"
    entries = list(qs.order_by(order)[: size + 1])
    more = len(entries) > size
    entries = entries[:size]
    return entries, (entries[-1].seq if more and entries else None)


def log_page(auditor, flt: LogFilter, *, before: int | None = None, size: int = PAGE_SIZE) -> Page:
    entries, next_before = keyset_page(flt.queryset(), before=before, size=size, by_period=flt.has_period)
    describer = DocumentDescriber(auditor)
    describer.prefetch(e.document_id for e in entries)
    return Page([entry_row(e, describer) for e in entries], next_before)


def report_entries(auditor, flt: LogFilter, *, limit: int | None = None):
    """Stream every matching entry, oldest first, as the auditor may see it (CLI report)."""
    describer = DocumentDescriber(auditor)
    qs = flt.queryset().order_by("seq")
    if limit:
        qs = qs[:limit]
    batch = []
    for entry in qs.iterator(chunk_size=2000):
        batch.append(entry)
        if len(batch) >= 2000:
            describer.prefetch(e.document_id for e in batch)
            yield from (entry_row(e, describer) for e in batch)
            batch = []
    describer.prefetch(e.document_id for e in batch)
    yield from (entry_row(e, describer) for e in batch)


def document_lifecycle(auditor, document: Document) -> dict:
    """A document's lifecycle records (copies, hand-overs, loans, level changes, destruction).

    These registers hold no title or summary; they are shown whatever the auditor's clearance, since the
    security officer must be able to trace every copy and holder. A loan's stated purpose is free text and
    is withheld like the title.
    """
    hidden = DocumentDescriber(auditor).describe(document).hidden
    return {
        "copies": list(document.copy_records.order_by("made_on", "pk").values(
            "made_on", "form", "quantity", "first_copy_number", "authorised_by", "copied_by__username", "recipients")),
        "hand_overs": list(document.hand_overs.order_by("handed_on", "pk").values(
            "handed_on", "recipient", "recipient_user__username", "acknowledged", "handed_by__username")),
        "loans": [
            {**loan, "purpose": "" if hidden else loan["purpose"]}
            for loan in document.loans.order_by("out_at", "pk").values(
                "out_at", "borrower__username", "approved_by__username", "due_at", "meeting_ends_at",
                "returned_at", "purpose")
        ],
        "level_changes": list(document.level_changes.order_by("decided_on", "pk").values(
            "kind", "from_level", "to_level", "decided_on", "decision_ref", "approved_by")),
        "destruction": Document.objects.filter(pk=document.pk).values(
            "destruction__destroyed_on", "destruction__decision_ref", "destruction__council",
            "destruction__approved_by", "destruction__minutes_ref").first(),
    }


# --- Chart data (counts only: no titles ever reach a chart) -----------------------------------------------

def _tz():
    return timezone.get_current_timezone()


def reads_per_day_by_level(start: dt.datetime, end: dt.datetime) -> dict:
    rows = (
        AccessLogEntry.objects.filter(at__gte=start, at__lt=end, action__in=READ_ACTIONS, outcome=Outcome.OK)
        .annotate(day=TruncDate("at", tzinfo=_tz()))
        .values("day", "document_level")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return _series(rows, start, end, key="document_level", keys=Level.values)


def refusals_per_day(start: dt.datetime, end: dt.datetime) -> dict:
    rows = (
        AccessLogEntry.objects.filter(at__gte=start, at__lt=end, outcome=Outcome.REFUSED)
        .annotate(day=TruncDate("at", tzinfo=_tz()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return _series(({**r, "k": "refused"} for r in rows), start, end, key="k", keys=["refused"])


def _series(rows, start, end, *, key, keys) -> dict:
    first = timezone.localtime(start).date()
    last = timezone.localtime(end - dt.timedelta(microseconds=1)).date()
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    data = {k: [0] * len(days) for k in keys}
    for row in rows:
        day = row["day"]
        if day in index and row[key] in data:
            data[row[key]][index[day]] += row["n"]
    return {"labels": [d.strftime("%d/%m") for d in days], "series": data}


def top_readers(start: dt.datetime, end: dt.datetime, limit: int = 10) -> list[dict]:
    return list(
        AccessLogEntry.objects.filter(at__gte=start, at__lt=end, action__in=READ_ACTIONS, outcome=Outcome.OK)
        .exclude(actor_username="")
        .values("actor_username")
        .annotate(n=Count("id"))
        .order_by("-n", "actor_username")[:limit]
    )


def refused_people(start: dt.datetime, end: dt.datetime, limit: int = 20) -> list[dict]:
    return list(
        AccessLogEntry.objects.filter(at__gte=start, at__lt=end, outcome=Outcome.REFUSED)
        .values("actor_username")
        .annotate(n=Count("id"))
        .order_by("-n", "actor_username")[:limit]
    )
