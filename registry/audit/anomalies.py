"""What looks wrong in the access log: the six anomaly kinds, each with tunable thresholds and a Vietnamese
explanation of why it was flagged.

A *read* is an entry whose action is in ``READ_ACTIONS`` with outcome ``ok`` and a document.
Thresholds come from ``settings.REGISTRY_ANOMALIES`` over ``DEFAULTS``, and may be overridden per call
(``find_anomalies(..., thresholds={...})``) or per CLI option.

Kinds:
- ``bulk_read``: more than ``bulk_read_documents`` distinct documents read by one person within any sliding
  window of ``bulk_read_minutes`` minutes. Overlapping windows merge into one anomaly.
- ``after_hours``: reads outside ``work_days`` (0 = Monday) ``work_start``–``work_end`` local time
  (Asia/Ho_Chi_Minh), or on a ``Holiday``; one anomaly per person per local day.
- ``outside_unit``: reads of a document whose handling unit when read (``entry.document_unit``) differs from
  the reader's unit when reading (``entry.actor_unit``). Entries with either unit empty are ignored, and so
  are readers of the units listed in ``outside_unit_exempt_units`` (e.g. the records office, whose job is
  every unit's documents). Flagged when a person read at least ``outside_unit_documents`` such documents in
  the period; one anomaly per person.
- ``repeated_refusals``: at least ``refusals_per_day`` refused attempts (any action) by one person in one
  local day.
- ``not_returned``: a loan of a recall document (``document.recall``) handed out for a meeting
  (``meeting_ends_at`` set) and not returned ``loan_grace_minutes`` after the meeting ended.
- ``overdue_loan``: any other loan past ``due_at`` (+ grace) and not returned. A loan flagged
  ``not_returned`` is not flagged again as overdue.
Loans are judged as of the end of the period (or now, if earlier).
"""

import bisect
import datetime as dt
import math
from collections import Counter, defaultdict, deque
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Count, F, IntegerField, Max, Min, Q
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay, ExtractMinute, TruncDate, TruncHour
from django.utils import timezone

from registry.constants import READ_ACTIONS, Action, Outcome
from registry.models import AccessLogEntry, Holiday, Loan

KINDS = ("bulk_read", "after_hours", "outside_unit", "repeated_refusals", "not_returned", "overdue_loan")

DEFAULTS = {
    "bulk_read_documents": 20,
    "bulk_read_minutes": 60,
    "work_days": [0, 1, 2, 3, 4],
    "work_start": "07:30",
    "work_end": "17:00",
    "outside_unit_documents": 1,
    "outside_unit_exempt_units": [],
    "refusals_per_day": 3,
    "loan_grace_minutes": 0,
}

WEEKDAY_NAMES = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


@dataclass(frozen=True)
class Anomaly:
    kind: str
    user: str
    documents: tuple  # document ids (never titles: the explanation is safe for any auditor)
    start: dt.datetime
    end: dt.datetime
    explanation: str
    count: int = 0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["documents"] = list(self.documents)
        data["from"] = timezone.localtime(data.pop("start")).isoformat()
        data["to"] = timezone.localtime(data.pop("end")).isoformat()
        return data


def thresholds(overrides: dict | None = None) -> dict:
    merged = dict(DEFAULTS)
    merged.update(getattr(settings, "REGISTRY_ANOMALIES", {}) or {})
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return merged


def _reads(start, end):
    return AccessLogEntry.objects.filter(
        at__gte=start, at__lt=end, action__in=READ_ACTIONS, outcome=Outcome.OK, document_id__isnull=False
    ).exclude(actor_username="")


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _minutes(hhmm: str) -> int:
    hours, minutes = str(hhmm).split(":")
    return int(hours) * 60 + int(minutes)


def _bulk_candidates(reads, limit: int, minutes: int) -> dict:
    """Per person, the time ranges that may hold a window of more than ``limit`` distinct documents.

    Counted in SQL per clock hour: a window of ``minutes`` touches at most k = ceil(minutes/60) + 1
    consecutive hours, and holds no more distinct documents than those hours' counts added up. Only runs
    of k hours whose sum exceeds the limit are read row by row; every real window lies inside one.
    """
    k = math.ceil(minutes / 60) + 1
    step = dt.timedelta(hours=1)
    per_user = defaultdict(dict)
    for user, hour, n in (
        reads.annotate(hour=TruncHour("at", tzinfo=dt.UTC)).values("actor_username", "hour")
        .annotate(n=Count("document_id", distinct=True)).values_list("actor_username", "hour", "n")
    ):
        per_user[user][hour] = n
    ranges = {}
    for user, counts in per_user.items():
        spans = sorted((h, h + k * step) for h in counts
                       if sum(counts.get(h + i * step, 0) for i in range(k)) > limit)
        merged = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        if merged:
            ranges[user] = merged
    return ranges


def find_bulk_reads(start, end, cfg) -> list[Anomaly]:
    limit, window = int(cfg["bulk_read_documents"]), dt.timedelta(minutes=int(cfg["bulk_read_minutes"]))
    reads = _reads(start, end)
    candidates = _bulk_candidates(reads, limit, int(cfg["bulk_read_minutes"]))
    if not candidates:
        return []
    found = []
    # One pass over the candidates' reads, grouped by person; rows outside their candidate hours are skipped.
    first = min(spans[0][0] for spans in candidates.values())
    last = max(spans[-1][1] for spans in candidates.values())
    rows = (reads.filter(actor_username__in=list(candidates), at__gte=first, at__lt=last)
            .order_by("actor_username", "at", "seq").values_list("actor_username", "at", "document_id"))
    user, window_rows, counts, episode = None, deque(), Counter(), None
    starts = []
    for who, at, doc in rows.iterator(chunk_size=5000):
        if who != user:
            starts = [lo for lo, _hi in candidates[who]]
        i = bisect.bisect_right(starts, at) - 1
        if i < 0 or at >= candidates[who][i][1]:
            continue
        if who != user:
            if episode is not None:
                found.append(_bulk(user, episode, limit, cfg))
            user, window_rows, counts, episode = who, deque(), Counter(), None
        window_rows.append((at, doc))
        counts[doc] += 1
        while at - window_rows[0][0] > window:
            _old_at, old_doc = window_rows.popleft()
            counts[old_doc] -= 1
            if not counts[old_doc]:
                del counts[old_doc]
        if len(counts) > limit:
            # Windows that overlap the current episode extend it; a later window starts a new one.
            if episode is None or window_rows[0][0] > episode[1]:
                if episode is not None:
                    found.append(_bulk(user, episode, limit, cfg))
                episode = [window_rows[0][0], at, set(), 0]
            episode[1] = at
            episode[2].update(d for _a, d in window_rows)
            episode[3] = max(episode[3], len(counts))
    if episode is not None:
        found.append(_bulk(user, episode, limit, cfg))
    return found


def _bulk(user, episode, limit, cfg) -> Anomaly:
    first, last, docs, peak = episode
    return Anomaly(
        "bulk_read", user, tuple(sorted(docs)), first, last,
        f"Đọc {len(docs)} tài liệu khác nhau từ {_fmt(first)} đến {_fmt(last)}; có lúc {peak} tài liệu trong "
        f"{cfg['bulk_read_minutes']} phút (ngưỡng: quá {limit} tài liệu trong {cfg['bulk_read_minutes']} phút).",
        count=len(docs),
    )


def find_after_hours(start, end, cfg) -> list[Anomaly]:
    tz = timezone.get_current_timezone()
    work_days = [int(d) + 1 for d in cfg["work_days"]]  # ISO: Monday = 1
    begin, finish = _minutes(cfg["work_start"]), _minutes(cfg["work_end"])
    holidays = dict(Holiday.objects.filter(
        date__gte=timezone.localtime(start).date(), date__lte=timezone.localtime(end).date()
    ).values_list("date", "name"))
    qs = _reads(start, end).annotate(
        wd=ExtractIsoWeekDay("at", tzinfo=tz),
        lmin=Cast(ExtractHour("at", tzinfo=tz), IntegerField()) * 60 + Cast(ExtractMinute("at", tzinfo=tz), IntegerField()),
        day=TruncDate("at", tzinfo=tz),
    )
    outside = ~Q(wd__in=work_days) | Q(lmin__lt=begin) | Q(lmin__gte=finish)
    if holidays:
        outside |= Q(day__in=list(holidays))
    groups = defaultdict(list)
    for user, at, doc, day in qs.filter(outside).order_by("actor_username", "at").values_list(
        "actor_username", "at", "document_id", "day"
    ).iterator(chunk_size=5000):
        groups[(user, day)].append((at, doc))
    found = []
    hours = f"{', '.join(WEEKDAY_NAMES[d] for d in cfg['work_days'])} {cfg['work_start']}–{cfg['work_end']}"
    for (user, day), rows in sorted(groups.items()):
        docs = sorted({d for _a, d in rows})
        first, last = rows[0][0], rows[-1][0]
        if day in holidays:
            why = f"ngày nghỉ lễ «{holidays[day]}»"
        elif day.weekday() not in [int(d) for d in cfg["work_days"]]:
            why = f"ngày nghỉ ({WEEKDAY_NAMES[day.weekday()]})"
        else:
            why = "ngoài giờ làm việc"
        found.append(Anomaly(
            "after_hours", user, tuple(docs), first, last,
            f"Đọc {len(docs)} tài liệu ({len(rows)} lượt) vào {why}, {WEEKDAY_NAMES[day.weekday()]} "
            f"{day:%d/%m/%Y}, từ {timezone.localtime(first):%H:%M} đến {timezone.localtime(last):%H:%M} "
            f"(giờ làm việc: {hours}).",
            count=len(rows),
        ))
    return found


def find_outside_unit(start, end, cfg) -> list[Anomaly]:
    exempt = list(cfg.get("outside_unit_exempt_units") or [])
    qs = (
        _reads(start, end).exclude(document_unit="").exclude(actor_unit="")
        .exclude(document_unit=F("actor_unit")).exclude(actor_unit__in=exempt)
    )
    groups = defaultdict(list)
    for user, unit, doc_unit, doc, at in qs.order_by("actor_username", "at").values_list(
        "actor_username", "actor_unit", "document_unit", "document_id", "at"
    ).iterator(chunk_size=5000):
        groups[user].append((unit, doc_unit, doc, at))
    found = []
    for user, rows in sorted(groups.items()):
        docs = sorted({r[2] for r in rows})
        if len(docs) < int(cfg["outside_unit_documents"]):
            continue
        own = sorted({r[0] for r in rows})
        by_unit = Counter()
        for doc_unit, doc in {(r[1], r[2]) for r in rows}:
            by_unit[doc_unit] += 1
        units = ", ".join(f"{u}: {n}" for u, n in sorted(by_unit.items()))
        found.append(Anomaly(
            "outside_unit", user, tuple(docs), rows[0][3], rows[-1][3],
            f"Đọc {len(docs)} tài liệu do đơn vị khác xử lý ({units}) trong khi người đọc thuộc đơn vị "
            f"{', '.join(own)}; từ {_fmt(rows[0][3])} đến {_fmt(rows[-1][3])}.",
            count=len(rows),
        ))
    return found


def find_repeated_refusals(start, end, cfg) -> list[Anomaly]:
    tz = timezone.get_current_timezone()
    limit = int(cfg["refusals_per_day"])
    base = AccessLogEntry.objects.filter(at__gte=start, at__lt=end, outcome=Outcome.REFUSED).exclude(actor_username="")
    base = base.annotate(day=TruncDate("at", tzinfo=tz))
    groups = (
        base.values("actor_username", "day").annotate(n=Count("id"), first=Min("at"), last=Max("at"))
        .filter(n__gte=limit).order_by("actor_username", "day")
    )
    groups = list(groups)
    detail = defaultdict(list)
    if groups:
        for user, day, action, doc in base.filter(
            actor_username__in={g["actor_username"] for g in groups}
        ).values_list("actor_username", "day", "action", "document_id").iterator(chunk_size=5000):
            detail[(user, day)].append((action, doc))
    found = []
    for group in groups:
        rows = detail[(group["actor_username"], group["day"])]
        docs = sorted({d for _a, d in rows if d is not None})
        actions = Counter(a for a, _d in rows)
        what = ", ".join(f"{Action(a).label if a in Action.values else a}: {n}" for a, n in sorted(actions.items()))
        found.append(Anomaly(
            "repeated_refusals", group["actor_username"], tuple(docs), group["first"], group["last"],
            f"Bị từ chối {group['n']} lần trong ngày {group['day']:%d/%m/%Y} ({what}), từ "
            f"{timezone.localtime(group['first']):%H:%M} đến {timezone.localtime(group['last']):%H:%M} "
            f"(ngưỡng: từ {limit} lần mỗi ngày).",
            count=group["n"],
        ))
    return found


def _open_at(as_of):
    return Q(returned_at__isnull=True) | Q(returned_at__gt=as_of)


def find_loans(start, end, cfg, kinds) -> list[Anomaly]:
    as_of = min(end, timezone.now())
    grace = dt.timedelta(minutes=int(cfg["loan_grace_minutes"]))
    loans = Loan.objects.filter(_open_at(as_of), out_at__lt=end).select_related("borrower", "document")
    found = []
    meeting = loans.filter(Q(document__recall=True) | Q(recall=True), meeting_ends_at__isnull=False,
                           meeting_ends_at__lt=as_of - grace)
    flagged = set()
    for loan in meeting.order_by("meeting_ends_at", "pk"):
        flagged.add(loan.pk)
        if "not_returned" in kinds:
            found.append(Anomaly(
                "not_returned", loan.borrower.username, (loan.document_id,), loan.meeting_ends_at, as_of,
                f"Tài liệu thu hồi mượn để dùng tại phiên họp chưa được trả: phiên họp kết thúc lúc "
                f"{_fmt(loan.meeting_ends_at)}, đến {_fmt(as_of)} vẫn chưa trả (mượn lúc {_fmt(loan.out_at)}).",
                count=1,
            ))
    if "overdue_loan" in kinds:
        for loan in loans.filter(due_at__lt=as_of - grace).exclude(pk__in=flagged).order_by("due_at", "pk"):
            late = as_of - loan.due_at
            found.append(Anomaly(
                "overdue_loan", loan.borrower.username, (loan.document_id,), loan.due_at, as_of,
                f"Mượn tài liệu quá hạn trả: hạn trả {_fmt(loan.due_at)}, đến {_fmt(as_of)} vẫn chưa trả "
                f"(quá {late.days} ngày {late.seconds // 3600} giờ; mượn lúc {_fmt(loan.out_at)}).",
                count=1,
            ))
    return found


def find_anomalies(start: dt.datetime, end: dt.datetime, *, thresholds_override: dict | None = None,
                   kinds=KINDS) -> list[Anomaly]:
    """Every anomaly of the given kinds in [start, end), in KINDS order then by person and time."""
    cfg = thresholds(thresholds_override)
    kinds = [k for k in KINDS if k in set(kinds)]
    found: list[Anomaly] = []
    finders = {
        "bulk_read": find_bulk_reads,
        "after_hours": find_after_hours,
        "outside_unit": find_outside_unit,
        "repeated_refusals": find_repeated_refusals,
    }
    for kind in kinds:
        if kind in finders:
            found.extend(finders[kind](start, end, cfg))
    if "not_returned" in kinds or "overdue_loan" in kinds:
        found.extend(find_loans(start, end, cfg, kinds))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(found, key=lambda a: (order[a.kind], a.user, a.start))
