"""``registry audit export``: a filtered segment of the log (CSV or JSON Lines) with its chain hashes."""

import sys

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
from registry.actions.auditing import do_log_audit_export
from registry.audit.export import FORMATS, csv_preamble, export_pdf, export_rows, write_export
from registry.errors import MetadataError, RegistryError

HELP = "Xuất nhật ký (CSV hoặc JSON Lines) kèm mã băm chuỗi để bên ngoài kiểm tra lại."


def add_arguments(parser):
    add_period_arguments(parser)
    add_filter_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default="jsonl")
    parser.add_argument("--out", default="", help="tệp kết quả (mặc định: ra màn hình)")
    parser.add_argument("--background", action="store_true",
                        help="giao cho tác vụ nền (export.audit_log); tệp kết quả nằm trong REGISTRY_HOME/exports")
    add_as_argument(parser)


# The filter options, as a task hands them back to this command.
_FILTER_FLAGS = (("--from", "date_from"), ("--to", "date_to"), ("--user", "user"), ("--unit", "unit"),
                 ("--document", "document"), ("--level", "level"), ("--action", "action"), ("--outcome", "outcome"))


def run(options, *, out) -> int:
    if options.get("background"):
        return _hand_to_task(options, out=out)
    try:
        user = auditor(options)
        flt = log_filter(options)
        do_log_audit_export(user, ctx=context("export"), page="cli_export", format=options["format"],
                            filters=flt.as_log_extra())
    except RegistryError as error:
        return fail(out, error)
    rows = export_rows(user, flt)
    fmt = options["format"]
    if fmt == "pdf":
        if not options["out"]:
            return fail(out, MetadataError("Cần --out cho định dạng pdf.", field="out"))
        with open(options["out"], "wb") as fh:
            fh.write(export_pdf(rows, auditor=user, flt=flt))
        emit(out, {"out": options["out"], "format": fmt})
        return 0
    preamble = csv_preamble(user, flt) if fmt == "csv" else None
    if options["out"]:
        with open(options["out"], "w", encoding="utf-8", newline="") as fh:
            n = write_export(rows, fh, fmt, preamble=preamble)
        emit(out, {"out": options["out"], "format": fmt, "entries": n})
    else:
        write_export(rows, out if hasattr(out, "write") else sys.stdout, fmt, preamble=preamble)
    return 0


def _hand_to_task(options, *, out) -> int:
    """A year of a large office's log is a long export: queue it (the task list shows it; with a worker the
    command returns at once, on the embedded default it runs right after). Who and what are checked now."""
    from registry.tasks import enqueue
    from registry.models import TaskState

    try:
        auditor(options)
        log_filter(options)
    except RegistryError as error:
        return fail(out, error)
    if options["out"]:
        return fail(out, MetadataError("--background ghi vào REGISTRY_HOME/exports; bỏ --out.", field="out"))
    argv = [part for flag, key in _FILTER_FLAGS if options.get(key) not in (None, "")
            for part in (flag, str(options[key]))]
    run = enqueue("export.audit_log", auditor=options["as_user"], format=options["format"], filters=argv)
    run.refresh_from_db()  # on the embedded default it has already run
    emit(out, {"task": run.pk, "state": run.state, "format": options["format"],
               "out": (run.result or {}).get("out"), "error": run.error or None})
    return 1 if run.state == TaskState.FAILED else 0
