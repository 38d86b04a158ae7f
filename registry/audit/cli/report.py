"""``registry audit report``: the access log for a period, a person or a document, as the auditor may see it."""

from registry.audit.cli._auditor import add_as_argument, add_period_arguments, auditor, context, emit, fail, period
from registry.audit.log import record
from registry.audit.reports import LogFilter, report_entries
from registry.constants import Action
from registry.errors import RegistryError

HELP = "Nhật ký sử dụng theo thời gian, người dùng, tài liệu (JSON)."


def add_arguments(parser):
    add_period_arguments(parser)
    parser.add_argument("--user", default="", help="tên đăng nhập người thực hiện")
    parser.add_argument("--unit", default="", help="mã đơn vị của người thực hiện")
    parser.add_argument("--document", type=int, default=None, help="số định danh tài liệu")
    parser.add_argument("--level", default="")
    parser.add_argument("--action", default="")
    parser.add_argument("--outcome", default="")
    parser.add_argument("--json", action="store_true", help="in JSON (mặc định)")
    add_as_argument(parser)


def run(options, *, out) -> int:
    try:
        user = auditor(options)
        start, end = period(options)
        flt = LogFilter(user=options["user"], unit=options["unit"], document=options["document"],
                        level=options["level"], action=options["action"], outcome=options["outcome"],
                        start=start, end=end)
        # Log first: a report whose log entry cannot be written is not produced.
        record(Action.AUDIT_VIEW, actor=user, ctx=context("report"),
               extra={"page": "cli_report", "filters": flt.as_log_extra()})
        entries = list(report_entries(user, flt))
    except RegistryError as error:
        return fail(out, error)
    emit(out, {"entries": entries})
    return 0
