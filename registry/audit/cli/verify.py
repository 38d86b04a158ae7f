"""``registry audit verify [--json] [--as USERNAME]``: check the whole chain and the signed checkpoints.

Prints {"ok", "entries", "first_broken", "problem"} with --json; exits 1 when the log is not intact. The run is
itself logged (AUDIT_VERIFY, after verifying) so the audit workspace shows the latest result; when a tampered
log refuses that entry the verdict is printed all the same (and a note goes to stderr).
"""

import json
import sys

from registry.actions.auditing import do_verify_chain
from registry.audit.cli._auditor import auditor, context, fail
from registry.audit.integrity import plain_problem
from registry.errors import RegistryError

HELP = "Kiểm tra toàn vẹn nhật ký: chuỗi băm, đầu chuỗi và các điểm kiểm tra đã ký."


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                        help="cán bộ bảo vệ bí mật thực hiện (không bắt buộc khi chạy tại máy chủ)")


def run(options, *, out) -> int:
    try:
        actor = auditor(options) if options.get("as_user") else None
    except RegistryError as error:
        return fail(out, error)
    # The verdict is computed before anything is written; a log that refuses our own entry (tampered) does
    # not stop the verdict from being printed.
    verification = do_verify_chain(actor=actor, ctx=context("verify"))
    result = verification.result
    if not verification.logged:
        sys.stderr.write("Không ghi được mục nhật ký của lần kiểm tra này (nhật ký không nhận thêm mục: "
                         f"{verification.log_error}).\n")
    if options.get("json"):
        out.write(json.dumps(result.as_dict(), ensure_ascii=False))
    elif result.ok:
        out.write(f"Nhật ký toàn vẹn: {result.entries} mục, {result.checkpoints} điểm kiểm tra đã ký hợp lệ.")
    else:
        where = f"mục #{result.first_broken}" if result.first_broken is not None else "cuối chuỗi"
        plain = plain_problem(result.problem, result.first_broken, result.first_broken_seq)
        out.write(f"NHẬT KÝ BỊ THAY ĐỔI ({where}): {plain}. Đã kiểm {result.entries} mục. Chi tiết: {result.problem}")
    return 0 if result.ok else 1
