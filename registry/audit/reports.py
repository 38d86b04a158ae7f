"""Reading the access log as an auditor: filters, keyset pages, histories, and what an auditor may be told.

What an auditor may be told about an entry or a document is decided by ``registry.audit.redact.Redactor``
only (clearance, not need-to-know); ``DocumentDescriber`` is its document-card form.

Paging is by ``seq`` (``?before=<seq>``): no OFFSET and no COUNT over the log, so a page costs the same on
the first and on the ten-millionth entry.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from registry.audit.redact import ABOVE_CLEARANCE, ABOVE_CLEARANCE_TEXT, Redactor
from registry.constants import READ_ACTIONS, CopyForm, Level, Outcome
from registry.models import AccessLogEntry, Document, LevelChange

HIDDEN_TITLE = ABOVE_CLEARANCE_TEXT
PAGE_SIZE = 50


def hidden_title() -> str:
    return str(ABOVE_CLEARANCE)


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
    """A document card as one auditor may see it (``Redactor`` decides)."""

    def __init__(self, auditor, redactor: Redactor | None = None):
        self.auditor = auditor
        self.redactor = redactor or Redactor(auditor)

    def prefetch(self, ids) -> None:
        self.redactor.prefetch(ids)

    def describe(self, item) -> DocumentView:
        if isinstance(item, AccessLogEntry):
            if self.redactor.entry_hidden(item):
                return DocumentView(id=None, hidden=True, title=hidden_title())
            pk = item.document_id
        elif isinstance(item, Document):
            pk = item.pk
        else:
            pk = item
        if pk is None:
            return DocumentView(id=None, hidden=False, exists=False)
        doc = self.redactor.document(pk)
        if doc is None:
            return DocumentView(id=pk, hidden=False, exists=False)
        if not self.redactor.level_ok(doc.level):
            return DocumentView(id=None, hidden=True, title=hidden_title())
        return DocumentView(id=pk, hidden=False, title=doc.title, number=doc.number_raw, summary=doc.summary,
                            level=doc.level)


def describe_document_for(auditor, entry_or_doc) -> DocumentView:
    """One-off form of ``DocumentDescriber(auditor).describe(entry_or_doc)``."""
    return DocumentDescriber(auditor).describe(entry_or_doc)


def entry_row(entry: AccessLogEntry, describer) -> dict:
    """A log entry as shown in pages, reports and the CLI (``Redactor.row``)."""
    redactor = describer.redactor if isinstance(describer, DocumentDescriber) else describer
    return redactor.row(entry)


def _people_matching(text: str):
    """Ids of people whose login, full name or unit (code or name) contains ``text`` (case-insensitive)."""
    from registry.models import User

    q = Q(username__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
    q |= Q(unit__name__icontains=text) | Q(unit__code__iexact=text)
    words = text.split()
    if len(words) > 1:  # "Nguyễn Văn An": family+middle names are last_name, the given name first_name
        q |= Q(last_name__icontains=" ".join(words[:-1]), first_name__icontains=words[-1])
    return list(User.objects.filter(q).values_list("pk", flat=True)[:500])


def _units_matching(text: str) -> list[str]:
    from registry.models import Unit

    return list(Unit.objects.filter(Q(code__iexact=text) | Q(name__icontains=text)).values_list("code", flat=True))


@dataclass
class LogFilter:
    """The filters of the log page, the report and the export (all optional).

    ``user`` matches part of a login, a full name or a unit name; ``unit`` a unit code or part of its name.
    ``level`` and ``document`` match nothing above the auditor's clearance (``Redactor.restrict``); a
    ``document`` filter also finds refusals that name the document by requested id.
    """

    user: str = ""
    unit: str = ""
    document: int | None = None
    level: str = ""
    action: str = ""
    outcome: str = ""
    start: dt.datetime | None = None  # inclusive
    end: dt.datetime | None = None  # exclusive
    extra: dict = field(default_factory=dict)

    def queryset(self, redactor: Redactor | None = None):
        qs = AccessLogEntry.objects.all()
        if self.user:
            from registry.models import User

            # By id when the login exists exactly (indexed with the time); otherwise anyone whose login, name
            # or unit matches, and the name snapshots of entries (failed logins, unknown names).
            uid = User.objects.filter(username=self.user).values_list("pk", flat=True).first()
            if uid is not None:
                qs = qs.filter(actor_id=uid)
            else:
                qs = qs.filter(Q(actor_id__in=_people_matching(self.user))
                               | Q(actor_id__isnull=True, actor_username__icontains=self.user))
        if self.unit:
            codes = _units_matching(self.unit)
            qs = qs.filter(actor_unit__in=codes or [self.unit])
        if redactor is not None:
            qs = redactor.restrict(qs, level=self.level, document=self.document)
        else:
            if self.document is not None:
                qs = qs.filter(Q(document_id=self.document) | Q(outcome=Outcome.REFUSED, document_id__isnull=True,
                                                                extra__requested_id=str(self.document)))
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
    redactor = Redactor(auditor)
    entries, next_before = keyset_page(flt.queryset(redactor), before=before, size=size, by_period=flt.has_period)
    redactor.prefetch_entries(entries)
    return Page([redactor.row(e) for e in entries], next_before)


def report_entries(auditor, flt: LogFilter, *, limit: int | None = None):
    """Stream every matching entry, oldest first, as the auditor may see it (CLI report)."""
    redactor = Redactor(auditor)
    qs = flt.queryset(redactor).order_by("seq")
    if limit:
        qs = qs[:limit]
    batch = []
    for entry in qs.iterator(chunk_size=2000):
        batch.append(entry)
        if len(batch) >= 2000:
            redactor.prefetch_entries(batch)
            yield from (redactor.row(e) for e in batch)
            batch = []
    redactor.prefetch_entries(batch)
    yield from (redactor.row(e) for e in batch)


def _choice_label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


def document_lifecycle(auditor, document: Document) -> dict:
    """A document's lifecycle records (copies, hand-overs, loans, level changes, destruction).

    These registers hold no title or summary; they are shown whatever the auditor's clearance, since the
    security officer must be able to trace every copy and holder. A loan's stated purpose is free text and
    is withheld like the title.
    """
    hidden = DocumentDescriber(auditor).describe(document).hidden
    return {
        "copies": [
            {**copy, "form_label": _choice_label(CopyForm, copy["form"])}
            for copy in document.copy_records.order_by("made_on", "pk").values(
                "made_on", "form", "quantity", "first_copy_number", "authorised_by", "copied_by__username",
                "recipients")
        ],
        "hand_overs": list(document.hand_overs.order_by("handed_on", "pk").values(
            "handed_on", "recipient", "recipient_user__username", "acknowledged", "handed_by__username")),
        "loans": [
            {**loan, "purpose": "" if hidden else loan["purpose"]}
            for loan in document.loans.order_by("out_at", "pk").values(
                "out_at", "borrower__username", "approved_by__username", "due_at", "meeting_ends_at",
                "returned_at", "purpose")
        ],
        "level_changes": [
            {**change, "kind_label": _choice_label(LevelChange.Kind, change["kind"]),
             "from_level_label": _choice_label(Level, change["from_level"]),
             "to_level_label": _choice_label(Level, change["to_level"])}
            for change in document.level_changes.order_by("decided_on", "pk").values(
                "kind", "from_level", "to_level", "decided_on", "decision_ref", "approved_by")
        ],
        "destruction": Document.objects.filter(pk=document.pk).values(
            "destruction__destroyed_on", "destruction__decision_ref", "destruction__council",
            "destruction__approved_by", "destruction__minutes_ref").first(),
    }


# --- Chart data (counts only: no titles ever reach a chart) -----------------------------------------------

def _tz():
    return timezone.get_current_timezone()


ABOVE_KEY = "above"  # chart series of reads of documents above the auditor's clearance (levels merged)


def reads_per_day_by_level(start: dt.datetime, end: dt.datetime, visible_levels=None) -> dict:
    """Reads per day per level; levels outside ``visible_levels`` are merged into one ``ABOVE_KEY`` series."""
    visible = list(Level.values if visible_levels is None else visible_levels)
    rows = (
        AccessLogEntry.objects.filter(at__gte=start, at__lt=end, action__in=READ_ACTIONS, outcome=Outcome.OK)
        .annotate(day=TruncDate("at", tzinfo=_tz()))
        .values("day", "document_level")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    merged = ({**r, "document_level": r["document_level"] if r["document_level"] in visible or not r["document_level"]
                                     else ABOVE_KEY}
              for r in rows)
    keys = visible + ([ABOVE_KEY] if len(visible) < len(Level.values) else [])
    return _series(merged, start, end, key="document_level", keys=keys)


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
