"""The yearly state-secret statistics per level (domain.md §7).

The reporting year ``Y`` runs from 15/12 of ``Y-1`` 00:00 to 14/12 of ``Y`` 23:59:59.999999 local time
(Asia/Ho_Chi_Minh), i.e. the half-open interval [15/12/Y-1, 15/12/Y). Every figure is counted from the
access log, under the document's level *at the time of the event* (``entry.document_level``), so a document
declassified during the year is counted under the level it had — except registrations, which follow the
register books:

- registered_in / registered_out: documents whose *register date* falls in the year — the arrival date of
  an incoming document, the issue date of an outgoing one (the date the books print; the creation time of
  the row only when the book has no date) — counted under their level when registered (the REGISTER
  entry's level, else the current one). Voided entries are not counted. A document back-filled in 2026
  with a 2020 arrival date counts in 2020, as in the 2020 book;
- copies: copies made (sum of the quantity of COPY entries that record one; 1 for a marked digital copy);
- handed_over, declassified, destroyed: HAND_OVER, DECLASSIFY, DESTROY entries;
- reads: READ_ACTIONS entries with outcome ok; refused_reads: READ_ACTIONS entries refused.
The counts are aggregated in SQL (one grouped query per figure).
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from registry.csv_safe import safe_writer
from registry.constants import READ_ACTIONS, Action, Direction, Level, Outcome
from registry.models import AccessLogEntry, Document

METRICS = (
    ("registered_in", "Đăng ký đến"),
    ("registered_out", "Đăng ký đi"),
    ("copies", "Số bản sao, chụp"),
    ("handed_over", "Chuyển giao"),
    ("declassified", "Giải mật"),
    ("destroyed", "Tiêu hủy"),
    ("reads", "Lượt đọc, khai thác"),
    ("refused_reads", "Lượt bị từ chối"),
)
SECRET_LEVEL_ORDER = (Level.MAT, Level.TOI_MAT, Level.TUYET_MAT)
LEVEL_ORDER = (Level.THUONG, *SECRET_LEVEL_ORDER)


def reporting_period(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[15/12/(year-1) 00:00, 15/12/year 00:00) in the office's time zone."""
    tz = timezone.get_current_timezone()
    return (dt.datetime(year - 1, 12, 15, tzinfo=tz), dt.datetime(year, 12, 15, tzinfo=tz))


@dataclass
class YearlyStatistics:
    year: int
    start: dt.datetime
    end: dt.datetime
    levels: dict  # level -> metric -> int

    @property
    def secret_totals(self) -> dict:
        return {m: sum(self.levels[lv][m] for lv in SECRET_LEVEL_ORDER) for m, _l in METRICS}

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "from": self.start.isoformat(),
            "to": (self.end - dt.timedelta(microseconds=1)).isoformat(),
            "levels": self.levels,
            "secret_total": self.secret_totals,
        }


def _by_level(qs, aggregate=None) -> dict:
    aggregate = aggregate or Count("id")
    return {row["document_level"]: row["n"] or 0 for row in qs.values("document_level").annotate(n=aggregate).order_by()}


def _registered(direction, start: dt.datetime, end: dt.datetime) -> dict:
    """Documents of ``direction`` by register date in [start, end), per level when registered."""
    first, last = start.date(), (end - dt.timedelta(days=1)).date()
    date_field = "arrival_date" if direction == Direction.INCOMING else "issue_date"
    by_date = Q(**{f"{date_field}__gte": first, f"{date_field}__lte": last})
    undated = Q(**{f"{date_field}__isnull": True}) & Q(created_at__gte=start, created_at__lt=end)
    at_registration = Subquery(
        AccessLogEntry.objects.filter(document_id=OuterRef("pk"), action=Action.REGISTER, outcome=Outcome.OK)
        .exclude(document_level="").order_by("seq").values("document_level")[:1]
    )
    rows = (
        Document.objects.filter(direction=direction, voided=False).filter(by_date | undated)
        .annotate(document_level=Coalesce(at_registration, F("level")))
        .values("document_level").annotate(n=Count("id")).order_by()
    )
    return {row["document_level"]: row["n"] for row in rows}


def yearly_statistics(year: int) -> YearlyStatistics:
    start, end = reporting_period(year)
    log = AccessLogEntry.objects.filter(at__gte=start, at__lt=end)
    ok = log.filter(outcome=Outcome.OK)
    figures = {
        "registered_in": _registered(Direction.INCOMING, start, end),
        "registered_out": _registered(Direction.OUTGOING, start, end),
        "copies": _by_level(
            ok.filter(action=Action.COPY),
            Sum(Coalesce(Cast(KT("extra__quantity"), IntegerField()), Value(1))),
        ),
        "handed_over": _by_level(ok.filter(action=Action.HAND_OVER)),
        "declassified": _by_level(ok.filter(action=Action.DECLASSIFY)),
        "destroyed": _by_level(ok.filter(action=Action.DESTROY)),
        "reads": _by_level(ok.filter(action__in=READ_ACTIONS, document_id__isnull=False)),
        "refused_reads": _by_level(log.filter(action__in=READ_ACTIONS, outcome=Outcome.REFUSED)),
    }
    levels = {lv: {m: int(figures[m].get(lv, 0)) for m, _l in METRICS} for lv in LEVEL_ORDER}
    return YearlyStatistics(year, start, end, levels)


def level_label(level: str) -> str:
    return str(Level(level).label)


def _chain_of(stats: YearlyStatistics) -> dict:
    from registry.audit import pdf

    seqs = AccessLogEntry.objects.filter(at__gte=stats.start, at__lt=stats.end).aggregate(a=Min("seq"), b=Max("seq"))
    return pdf.chain_range(seqs["a"], seqs["b"])


def _period_text(stats: YearlyStatistics) -> str:
    return f"từ ngày {stats.start:%d/%m/%Y} đến hết ngày {(stats.end - dt.timedelta(days=1)):%d/%m/%Y}"


NOTE = ("Số đăng ký đến, đi tính theo ngày vào sổ (ngày đến, ngày văn bản đi) và độ mật khi đăng ký, khớp với "
        "sổ đăng ký; các số liệu khác tính theo độ mật tại thời điểm phát sinh, từ nhật ký sử dụng tài liệu.")


def statistics_csv(stats: YearlyStatistics, *, auditor=None) -> str:
    from django.conf import settings

    from registry.audit import pdf, timefmt

    out = io.StringIO()
    out.write("\ufeff")
    writer = safe_writer(out)
    writer.writerow([settings.REGISTRY_PARENT_BODY])
    writer.writerow([settings.REGISTRY_BODY])
    writer.writerow([f"Báo cáo thống kê tài liệu bí mật nhà nước năm {stats.year}"])
    writer.writerow([f"Kỳ báo cáo: {_period_text(stats)}"])
    writer.writerow([f"{pdf.author_line(auditor)}; lập lúc {timefmt.display(timezone.now())}",
                     timefmt.iso(timezone.now())])
    writer.writerow([str(timefmt.ZONE_NOTE)])
    for line in pdf.chain_lines(_chain_of(stats)):
        writer.writerow([line])
    writer.writerow([NOTE])
    writer.writerow([])
    writer.writerow(["Độ mật", *[label for _m, label in METRICS]])
    for lv in LEVEL_ORDER:
        writer.writerow([level_label(lv), *[stats.levels[lv][m] for m, _l in METRICS]])
    totals = stats.secret_totals
    writer.writerow(["Tổng số tài liệu mật", *[totals[m] for m, _l in METRICS]])
    return out.getvalue()


def statistics_pdf(stats: YearlyStatistics, *, auditor=None) -> bytes:
    from registry.audit import pdf

    columns = [("Độ mật", 49), *[(label, 28) for _m, label in METRICS]]
    rows = [[level_label(lv), *[str(stats.levels[lv][m]) for m, _l in METRICS]] for lv in LEVEL_ORDER]
    totals = stats.secret_totals
    rows.append(["Tổng số tài liệu mật (Mật, Tối mật, Tuyệt mật)", *[str(totals[m]) for m, _l in METRICS]])
    return pdf.build_report(
        title=f"BÁO CÁO THỐNG KÊ TÀI LIỆU BÍ MẬT NHÀ NƯỚC NĂM {stats.year}",
        period=_period_text(stats),
        auditor=auditor,
        chain=_chain_of(stats),
        sections=[pdf.Section("Số liệu theo độ mật", columns, rows, numeric=tuple(range(1, len(METRICS) + 1)),
                              bold_last=True, note=NOTE)],
    )
