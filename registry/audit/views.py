"""The audit workspace in the Wagtail admin (security officer only; 404 for anyone else).

Every page view writes one AUDIT_VIEW entry (filters in ``extra``); downloads write AUDIT_EXPORT. Views
parse input, log, ask ``registry.audit`` and render; what an auditor may be told about a document is
decided by ``reports.DocumentDescriber`` only.
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from registry.access import Perm, can_do
from registry.actions.auditing import (
    do_log_audit_export,
    do_log_audit_view,
    do_sign_checkpoint,
    do_verify_chain,
    refuse_hidden_document,
)
from registry.audit import reports, timefmt
from registry.audit.anomalies import KINDS, find_anomalies
from registry.audit.context import RequestContext
from registry.audit.export import FORMATS, csv_preamble, export_pdf, export_rows, iter_export
from registry.audit.incident import incident_csv, incident_pdf, incident_report
from registry.audit.integrity import chain_state
from registry.audit.redact import ABOVE_CLEARANCE, Redactor
from registry.audit.yearly import LEVEL_ORDER, METRICS, statistics_csv, statistics_pdf, yearly_statistics
from registry.constants import Action, Level, Outcome
from registry.errors import NotFoundError
from registry.models import AccessLogEntry, Document, Unit, User

KIND_LABELS = {
    "bulk_read": _lazy("Đọc hàng loạt"),
    "after_hours": _lazy("Đọc ngoài giờ"),
    "outside_unit": _lazy("Đọc tài liệu đơn vị khác"),
    "repeated_refusals": _lazy("Bị từ chối nhiều lần"),
    "not_returned": _lazy("Tài liệu thu hồi chưa trả"),
    "overdue_loan": _lazy("Mượn quá hạn"),
}


def _require_auditor(request):
    if not can_do(request.user, Perm.AUDIT):
        raise Http404("Không tìm thấy")


def _ctx(request) -> RequestContext:
    return RequestContext.from_request(request)


def _log(request, action, page, **extra):
    log = do_log_audit_export if action == Action.AUDIT_EXPORT else do_log_audit_view
    return log(request.user, ctx=_ctx(request), page=page, **extra)


def _hidden_or_missing(request, pk, *, has_entries: bool) -> None:
    """404 through the one guard (one refusal entry) for a document above the auditor's clearance, or none."""
    if Redactor(request.user).document_hidden(pk) or (
            not has_entries and not Document.objects.filter(pk=pk).exists()):
        try:
            refuse_hidden_document(request.user, pk, ctx=_ctx(request))
        except NotFoundError:
            raise Http404("Không tìm thấy") from None


class LogFilterForm(forms.Form):
    user = forms.CharField(label=_lazy("Người thực hiện"), required=False, max_length=150,
                           help_text=_lazy("một phần tên đăng nhập, họ tên hoặc tên đơn vị"),
                           widget=forms.TextInput(attrs={"list": "audit-people", "autocomplete": "off"}))
    unit = forms.CharField(label=_lazy("Đơn vị người thực hiện"), required=False, max_length=255,
                           widget=forms.TextInput(attrs={"list": "audit-units", "autocomplete": "off"}))
    document = forms.IntegerField(label=_lazy("Tài liệu (số định danh)"), required=False, min_value=1)
    level = forms.ChoiceField(label=_lazy("Độ mật"), required=False,
                              choices=[("", "—"), *Level.choices])
    action = forms.ChoiceField(label=_lazy("Thao tác"), required=False, choices=[("", "—"), *Action.choices])
    outcome = forms.ChoiceField(label=_lazy("Kết quả"), required=False, choices=[("", "—"), *Outcome.choices])
    date_from = forms.DateField(label=_lazy("Từ ngày"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_lazy("Đến ngày"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *args, auditor=None, **kwargs):
        if data is not None and data.get("actor") and not data.get("user"):  # ?actor= is an alias of ?user=
            data = data.copy()
            data["user"] = data["actor"]
        super().__init__(data, *args, **kwargs)
        if auditor is not None:  # only the levels the auditor may see are offered
            visible = Redactor(auditor).visible_levels()
            self.fields["level"].choices = [("", "—"), *[(v, l) for v, l in Level.choices if v in visible]]

    def log_filter(self) -> reports.LogFilter:
        self.is_valid()
        data = dict(getattr(self, "cleaned_data", {}) or {})
        if "level" in self.errors:  # a level not offered (above the clearance) selects nothing, never everything
            data["level"] = str(self.data.get("level", ""))[:32] or "?"
        return reports.LogFilter(
            user=(data.get("user") or "").strip(), unit=(data.get("unit") or "").strip(),
            document=data.get("document"), level=data.get("level") or "", action=data.get("action") or "",
            outcome=data.get("outcome") or "", start=_day_start(data.get("date_from")),
            end=_day_start(data.get("date_to"), plus=1),
        )


def _suggestions():
    """Datalist suggestions of the log filters: people (login — full name, unit) and units."""
    people = [(u.username, f"{u.get_full_name() or u.username}{' — ' + u.unit.name if u.unit_id else ''}")
              for u in User.objects.select_related("unit").order_by("username")[:1000]]
    units = list(Unit.objects.order_by("name").values_list("code", "name"))
    return people, units


def _day_start(day, plus=0):
    if not day:
        return None
    day = day + dt.timedelta(days=plus)
    return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


def _before(request):
    try:
        value = int(request.GET.get("before", ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _query_without_before(request) -> str:
    params = request.GET.copy()
    params.pop("before", None)
    return params.urlencode()


MAX_PERIOD_DAYS = 400  # one chart point per day; a reporting year fits


def _period(request, default_days=30):
    """The period of the charts and anomalies pages: ?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive)."""
    today = timezone.localdate()
    try:
        first = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first = today - dt.timedelta(days=default_days - 1)
    try:
        last = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        last = today
    if last < first:
        first, last = last, first
    first = max(first, last - dt.timedelta(days=MAX_PERIOD_DAYS - 1))
    return first, last, _day_start(first), _day_start(last, plus=1)


def _page(request, template, **context):
    context.setdefault("nav", NAV)
    context["kind_labels"] = KIND_LABELS
    return render(request, template, context)


NAV = (
    ("registry_audit_log", _lazy("Nhật ký")),
    ("registry_audit_charts", _lazy("Biểu đồ")),
    ("registry_audit_anomalies", _lazy("Bất thường")),
    ("registry_audit_yearly", _lazy("Thống kê năm")),
    ("registry_audit_integrity", _lazy("Toàn vẹn nhật ký")),
)


def log_view(request):
    _require_auditor(request)
    form = LogFilterForm(request.GET or None, auditor=request.user)
    flt = form.log_filter()
    before = _before(request)
    _log(request, Action.AUDIT_VIEW, "log", filters=flt.as_log_extra(), before=before)
    page = reports.log_page(request.user, flt, before=before)
    people, units = _suggestions()
    return _page(request, "registry/audit/log.html", form=form, page=page, query=_query_without_before(request),
                 before=before, formats=FORMATS, people=people, units=units, title=_("Nhật ký sử dụng tài liệu"))


def export_view(request, fmt):
    _require_auditor(request)
    if fmt not in FORMATS:
        raise Http404("Không tìm thấy")
    flt = LogFilterForm(request.GET or None, auditor=request.user).log_filter()
    _log(request, Action.AUDIT_EXPORT, "export", format=fmt, filters=flt.as_log_extra())
    rows = export_rows(request.user, flt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "pdf":
        return _download(export_pdf(rows, auditor=request.user, flt=flt), f"nhat-ky-{stamp}.pdf", "application/pdf")
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/jsonl; charset=utf-8"
    preamble = csv_preamble(request.user, flt) if fmt == "csv" else None
    response = StreamingHttpResponse(iter_export(rows, fmt, preamble=preamble), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_history_view(request, pk):
    _require_auditor(request)
    document = Document.objects.filter(pk=pk).select_related("handling_unit").first()
    has_entries = AccessLogEntry.objects.filter(document_id=pk).exists()
    _hidden_or_missing(request, pk, has_entries=has_entries)
    before = _before(request)
    _log(request, Action.AUDIT_VIEW, "document", document=pk, before=before)
    page = reports.log_page(request.user, reports.LogFilter(document=pk), before=before)
    describer = reports.DocumentDescriber(request.user)
    view = describer.describe(document if document is not None else pk)
    lifecycle = reports.document_lifecycle(request.user, document) if document is not None else None
    return _page(request, "registry/audit/document.html", document=document, view=view, page=page,
                 lifecycle=lifecycle, query="", before=before, title=_("Lịch sử tài liệu #%(id)s") % {"id": pk})


def person_history_view(request, username):
    _require_auditor(request)
    person = User.objects.filter(username=username).select_related("unit").first()
    if person is None and not AccessLogEntry.objects.filter(actor_username=username).exists():
        raise Http404("Không tìm thấy")
    before = _before(request)
    _log(request, Action.AUDIT_VIEW, "person", user=username, before=before)
    page = reports.log_page(request.user, reports.LogFilter(user=username), before=before)
    return _page(request, "registry/audit/person.html", person=person, username=username, page=page, query="",
                 before=before, title=_("Lịch sử của %(u)s") % {"u": username})


def charts_view(request):
    _require_auditor(request)
    first, last, start, end = _period(request)
    _log(request, Action.AUDIT_VIEW, "charts", start=start.isoformat(), end=end.isoformat())
    redactor = Redactor(request.user)
    reads = reports.reads_per_day_by_level(start, end, visible_levels=redactor.visible_levels())
    refusals = reports.refusals_per_day(start, end)
    readers = reports.top_readers(start, end)
    refused = reports.refused_people(start, end)
    found = find_anomalies(start, end)
    by_kind = {k: 0 for k in KINDS}
    for anomaly in found:
        by_kind[anomaly.kind] += 1
    chart_data = {
        "reads": {"labels": reads["labels"],
                  "datasets": [{"label": str(Level(lv).label) if lv in Level.values else str(ABOVE_CLEARANCE).capitalize(),
                                "key": lv, "data": data} for lv, data in reads["series"].items()]},
        "refusals": {"labels": refusals["labels"],
                     "datasets": [{"label": _("Lượt bị từ chối"), "key": "refused",
                                   "data": refusals["series"]["refused"]}]},
        "readers": {"labels": [r["actor_username"] for r in readers],
                    "datasets": [{"label": _("Lượt đọc"), "key": "reads", "data": [r["n"] for r in readers]}]},
        "anomalies": {"labels": [str(KIND_LABELS[k]) for k in KINDS],
                      "datasets": [{"label": _("Số bất thường"), "key": "anomalies",
                                    "data": [by_kind[k] for k in KINDS]}]},
    }
    return _page(request, "registry/audit/charts.html", chart_data=chart_data, first=first, last=last,
                 readers=readers, refused=refused, by_kind=by_kind, title=_("Biểu đồ nhật ký"))


def anomalies_view(request):
    _require_auditor(request)
    first, last, start, end = _period(request)
    kinds = [k for k in request.GET.getlist("kind") if k in KINDS] or list(KINDS)
    _log(request, Action.AUDIT_VIEW, "anomalies", start=start.isoformat(), end=end.isoformat(), kinds=kinds)
    redactor = Redactor(request.user)
    found = [redactor.anomaly(a) for a in find_anomalies(start, end, kinds=kinds)]
    for item in found:
        item["from_display"] = timefmt.display(timefmt.parse_iso(item["from"]))
        item["to_display"] = timefmt.display(timefmt.parse_iso(item["to"]))
    return _page(request, "registry/audit/anomalies.html", anomalies=found, first=first, last=last,
                 kinds=kinds, all_kinds=KINDS, holidays_url=_holidays_url(), title=_("Dấu hiệu bất thường"))


def _holidays_url() -> str:
    """The office calendar (Holiday) is edited in the registry's catalogue screens."""
    try:
        return reverse("registry_holidays:index")
    except NoReverseMatch:
        return ""


def _year_of(request) -> int:
    today = timezone.localdate()
    default = today.year + (1 if (today.month, today.day) >= (12, 15) else 0)
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        year = default
    return year if 1990 <= year <= 2200 else default


def yearly_view(request):
    _require_auditor(request)
    year = _year_of(request)
    _log(request, Action.AUDIT_VIEW, "yearly", year=year)
    stats = yearly_statistics(year)
    rows = [(str(Level(lv).label), [stats.levels[lv][m] for m, _l in METRICS]) for lv in LEVEL_ORDER]
    totals = stats.secret_totals
    return _page(request, "registry/audit/yearly.html", stats=stats, year=year, rows=rows,
                 metrics=[label for _m, label in METRICS], totals=[totals[m] for m, _l in METRICS],
                 last_day=stats.end - dt.timedelta(days=1), title=_("Thống kê tài liệu mật năm %(y)s") % {"y": year})


def yearly_download_view(request, fmt):
    _require_auditor(request)
    if fmt not in ("pdf", "csv"):
        raise Http404("Không tìm thấy")
    year = _year_of(request)
    _log(request, Action.AUDIT_EXPORT, "yearly", year=year, format=fmt)
    stats = yearly_statistics(year)
    if fmt == "pdf":
        return _download(statistics_pdf(stats, auditor=request.user), f"thong-ke-mat-{year}.pdf", "application/pdf")
    return _download(statistics_csv(stats, auditor=request.user).encode("utf-8"), f"thong-ke-mat-{year}.csv", "text/csv; charset=utf-8")


def incident_view(request, pk, fmt):
    _require_auditor(request)
    if fmt not in ("pdf", "csv"):
        raise Http404("Không tìm thấy")
    _hidden_or_missing(request, pk, has_entries=False)
    try:
        report = incident_report(request.user, pk)
    except NotFoundError:
        raise Http404("Không tìm thấy") from None
    _log(request, Action.AUDIT_EXPORT, "incident", document=pk, format=fmt)
    if fmt == "pdf":
        return _download(incident_pdf(report, auditor=request.user), f"su-co-tai-lieu-{pk}.pdf", "application/pdf")
    return _download(incident_csv(report, auditor=request.user).encode("utf-8"), f"su-co-tai-lieu-{pk}.csv", "text/csv; charset=utf-8")


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def integrity_view(request):
    _require_auditor(request)
    logged = True
    try:
        _log(request, Action.AUDIT_VIEW, "integrity")
    except DatabaseError:  # a tampered log may refuse our entry; the page must still tell so
        logged = False
    state = chain_state()
    return _page(request, "registry/audit/integrity.html", state=state, logged=logged,
                 title=_("Toàn vẹn nhật ký"))


@require_POST
def verify_now_view(request):
    _require_auditor(request)
    verification = do_verify_chain(actor=request.user, ctx=_ctx(request))
    result = verification.result
    if result.ok:
        messages.success(request, _("Nhật ký toàn vẹn: đã kiểm %(n)s mục.") % {"n": result.entries})
    else:
        messages.error(request, _("Phát hiện nhật ký bị thay đổi: %(p)s") % {"p": _plain_problem(result)})
    if not verification.logged:
        messages.warning(request, _("Không ghi được lần kiểm tra này vào nhật ký: nhật ký đang không nhận thêm mục."))
        state = chain_state(latest=result)
        return _page(request, "registry/audit/integrity.html", state=state, logged=False,
                     title=_("Toàn vẹn nhật ký"))
    return redirect(reverse("registry_audit_integrity"))


@require_POST
def sign_now_view(request):
    _require_auditor(request)
    checkpoint = do_sign_checkpoint(actor=request.user, ctx=_ctx(request))
    messages.success(request, _("Đã ký điểm kiểm tra đến mục số %(seq)s.") % {"seq": checkpoint.seq})
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/admin/") else reverse("registry_audit_integrity"))


def _plain_problem(result) -> str:
    from registry.audit.integrity import plain_problem

    return plain_problem(result.problem, result.first_broken, getattr(result, "first_broken_seq", None))
