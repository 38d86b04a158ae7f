"""``registry audit yearly``: the state-secret statistics per level for the reporting year 15/12–14/12."""

from pathlib import Path

from registry.audit.cli._auditor import add_as_argument, auditor, context, emit, fail
from registry.actions.auditing import do_log_audit_export, do_log_audit_view
from registry.audit.yearly import statistics_csv, statistics_pdf, yearly_statistics
from registry.errors import MetadataError, RegistryError

HELP = "Thống kê tài liệu bí mật nhà nước theo độ mật trong năm báo cáo (15/12 năm trước – 14/12)."


def add_arguments(parser):
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--format", choices=("json", "pdf", "csv"), default="json")
    parser.add_argument("--out", default="", help="tệp kết quả (bắt buộc với pdf)")
    parser.add_argument("--json", action="store_true", help="in JSON (mặc định)")
    add_as_argument(parser)


def run(options, *, out) -> int:
    fmt = options["format"]
    try:
        user = auditor(options)
        if fmt == "pdf" and not options["out"]:
            raise MetadataError("Cần --out cho định dạng pdf.", field="out")
        if not 1990 <= options["year"] <= 2200:
            raise MetadataError("Năm không hợp lệ.", field="year")
        log = do_log_audit_view if fmt == "json" and not options["out"] else do_log_audit_export
        log(user, ctx=context("yearly"), page="cli_yearly", year=options["year"], format=fmt)
        stats = yearly_statistics(options["year"])
    except RegistryError as error:
        return fail(out, error)
    if fmt == "json":
        if options["out"]:
            import json

            Path(options["out"]).write_text(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
            emit(out, {"out": options["out"], "format": fmt})
        else:
            emit(out, stats.as_dict())
        return 0
    if fmt == "csv":
        text = statistics_csv(stats)
        if not options["out"]:
            out.write(text)
            return 0
        Path(options["out"]).write_text(text, encoding="utf-8")
    else:
        Path(options["out"]).write_bytes(statistics_pdf(stats, auditor=user))
    emit(out, {"out": options["out"], "format": fmt, "year": options["year"]})
    return 0
