"""``registry audit report``: the access log for a period, a person or a document, as the auditor may see it."""

from registry.audit.cli._auditor import (
    add_as_argument,
    add_filter_arguments,
    add_period_arguments,
    auditor,
    context,
    emit,
    fail,
    log_filter,
)
from registry.actions.auditing import do_log_audit_view
from registry.audit.reports import report_entries
from registry.errors import RegistryError

HELP = "Nhật ký sử dụng theo thời gian, người dùng, tài liệu (JSON)."


def add_arguments(parser):
    add_period_arguments(parser)
    add_filter_arguments(parser)
    parser.add_argument("--json", action="store_true", help="in JSON (mặc định)")
    add_as_argument(parser)


def run(options, *, out) -> int:
    try:
        user = auditor(options)
        flt = log_filter(options)
        # Log first: a report whose log entry cannot be written is not produced.
        do_log_audit_view(user, ctx=context("report"), page="cli_report", filters=flt.as_log_extra())
        entries = list(report_entries(user, flt))
    except RegistryError as error:
        return fail(out, error)
    emit(out, {"entries": entries})
    return 0
