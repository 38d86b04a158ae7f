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
    add_as_argument(parser)


def run(options, *, out) -> int:
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
