"""``registry audit incident``: the incident report for a lost or leaked document (PDF or CSV)."""

import json
from pathlib import Path

from registry.audit.cli._auditor import add_as_argument, auditor, context, emit, fail
from registry.actions.auditing import do_log_audit_export, refuse_hidden_document
from registry.audit.incident import incident_csv, incident_pdf, incident_report
from registry.audit.redact import Redactor
from registry.constants import Action
from registry.errors import RegistryError

HELP = "Báo cáo sự cố lộ, mất tài liệu: bản sao, người giữ, nhật ký."


def add_arguments(parser):
    parser.add_argument("--document", type=int, required=True)
    parser.add_argument("--format", choices=("pdf", "csv", "json"), default="pdf")
    parser.add_argument("--out", required=True)
    add_as_argument(parser)


def run(options, *, out) -> int:
    try:
        user = auditor(options)
        if Redactor(user).document_hidden(options["document"]):  # one refusal entry, then "not found"
            refuse_hidden_document(user, options["document"], ctx=context("incident"), action=Action.AUDIT_EXPORT)
        report = incident_report(user, options["document"])
        do_log_audit_export(user, ctx=context("incident"), page="cli_incident", document=options["document"],
                            format=options["format"])
    except RegistryError as error:
        return fail(out, error)
    path = Path(options["out"])
    if options["format"] == "pdf":
        path.write_bytes(incident_pdf(report, auditor=user))
    elif options["format"] == "csv":
        path.write_text(incident_csv(report, auditor=user), encoding="utf-8")
    else:
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    emit(out, {"out": str(path), "format": options["format"], "document": report["document"]["id"],
               "entries": len(report["trail"])})
    return 0
