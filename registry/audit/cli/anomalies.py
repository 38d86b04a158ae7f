"""``registry audit anomalies``: what looks wrong in a period, with the reason in Vietnamese."""

from registry.actions.auditing import do_log_audit_view
from registry.audit.anomalies import KINDS, find_anomalies
from registry.audit.redact import Redactor
from registry.audit.cli._auditor import add_as_argument, add_period_arguments, auditor, context, emit, fail, period
from registry.errors import RegistryError

HELP = "Dấu hiệu bất thường trong nhật ký (đọc hàng loạt, ngoài giờ, ngoài đơn vị, bị từ chối nhiều lần, mượn quá hạn)."


def add_arguments(parser):
    add_period_arguments(parser)
    parser.add_argument("--kind", action="append", choices=KINDS, help="chỉ loại này (lặp lại được)")
    parser.add_argument("--bulk-documents", type=int, dest="bulk_read_documents")
    parser.add_argument("--bulk-minutes", type=int, dest="bulk_read_minutes")
    parser.add_argument("--work-start", dest="work_start", help="HH:MM")
    parser.add_argument("--work-end", dest="work_end", help="HH:MM")
    parser.add_argument("--refusals-per-day", type=int, dest="refusals_per_day")
    parser.add_argument("--outside-unit-documents", type=int, dest="outside_unit_documents")
    parser.add_argument("--exempt-unit", action="append", dest="outside_unit_exempt_units")
    parser.add_argument("--loan-grace-minutes", type=int, dest="loan_grace_minutes")
    parser.add_argument("--json", action="store_true", help="in JSON (mặc định)")
    add_as_argument(parser)


OVERRIDES = ("bulk_read_documents", "bulk_read_minutes", "work_start", "work_end", "refusals_per_day",
             "outside_unit_documents", "outside_unit_exempt_units", "loan_grace_minutes")


def run(options, *, out) -> int:
    try:
        user = auditor(options)
        start, end = period(options)
        overrides = {k: options.get(k) for k in OVERRIDES if options.get(k) is not None}
        kinds = options.get("kind") or KINDS
        do_log_audit_view(user, ctx=context("anomalies"), page="cli_anomalies",
                          filters={"start": start.isoformat(), "end": end.isoformat(), "kinds": list(kinds),
                                   **overrides})
        found = find_anomalies(start, end, thresholds_override=overrides, kinds=kinds)
    except RegistryError as error:
        return fail(out, error)
    redactor = Redactor(user)
    emit(out, {"anomalies": [redactor.anomaly(a) for a in found]})
    return 0
