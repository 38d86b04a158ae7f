"""``registry audit export``: a filtered segment of the log (CSV or JSON Lines) with its chain hashes."""

import sys

from registry.audit.cli._auditor import add_as_argument, add_period_arguments, auditor, context, emit, fail, period
from registry.audit.export import FORMATS, export_rows, write_export
from registry.audit.log import record
from registry.audit.reports import LogFilter
from registry.constants import Action
from registry.errors import RegistryError

HELP = "Xuất nhật ký (CSV hoặc JSON Lines) kèm mã băm chuỗi để bên ngoài kiểm tra lại."


def add_arguments(parser):
    add_period_arguments(parser)
    parser.add_argument("--user", default="")
    parser.add_argument("--unit", default="")
    parser.add_argument("--document", type=int, default=None)
    parser.add_argument("--level", default="")
    parser.add_argument("--action", default="")
    parser.add_argument("--outcome", default="")
    parser.add_argument("--format", choices=FORMATS, default="jsonl")
    parser.add_argument("--out", default="", help="tệp kết quả (mặc định: ra màn hình)")
    add_as_argument(parser)


def run(options, *, out) -> int:
    try:
        user = auditor(options)
        start, end = period(options)
        flt = LogFilter(user=options["user"], unit=options["unit"], document=options["document"],
                        level=options["level"], action=options["action"], outcome=options["outcome"],
                        start=start, end=end)
        record(Action.AUDIT_EXPORT, actor=user, ctx=context("export"),
               extra={"page": "cli_export", "format": options["format"], "filters": flt.as_log_extra()})
    except RegistryError as error:
        return fail(out, error)
    rows = export_rows(user, flt)
    if options["out"]:
        with open(options["out"], "w", encoding="utf-8", newline="") as fh:
            n = write_export(rows, fh, options["format"])
        emit(out, {"out": options["out"], "format": options["format"], "entries": n})
    else:
        write_export(rows, out if hasattr(out, "write") else sys.stdout, options["format"])
    return 0
