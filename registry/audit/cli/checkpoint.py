"""``registry audit checkpoint [--json] [--export FILE] [--if-new] [--as USERNAME]``: sign the chain head now.

The head is signed before the AUDIT_CHECKPOINT entry is written (see registry.audit.checkpoints). Run it
periodically (cron / systemd timer) with ``--if-new`` to sign only when entries were added since the last one.
"""

import json
from pathlib import Path

from registry.actions.auditing import do_sign_checkpoint
from registry.audit.checkpoints import export_checkpoint, latest_checkpoint
from registry.audit.cli._auditor import auditor, context, fail
from registry.errors import RegistryError
from registry.models import ChainHead

HELP = "Ký điểm kiểm tra (Ed25519) cho đầu chuỗi nhật ký hiện tại; có thể xuất ra tệp JSON."


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="in điểm kiểm tra dạng JSON")
    parser.add_argument("--export", metavar="FILE", help="ghi điểm kiểm tra (kèm khóa công khai) ra tệp JSON")
    parser.add_argument("--if-new", action="store_true",
                        help="chỉ ký khi có mục nhật ký mới kể từ điểm kiểm tra trước (dùng cho lịch chạy định kỳ)")
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="cán bộ bảo vệ bí mật thực hiện")


def _unchanged_since_last() -> bool:
    last = latest_checkpoint()
    head = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    # The last checkpoint's own log entry is seq last.seq + 1: nothing new if the head is still there.
    return last is not None and head <= last.seq + 1


def run(options, *, out) -> int:
    try:
        actor = auditor(options) if options.get("as_user") else None
    except RegistryError as error:
        return fail(out, error)
    if options.get("if_new") and _unchanged_since_last():
        checkpoint, signed = latest_checkpoint(), False
    else:
        checkpoint, signed = do_sign_checkpoint(actor=actor, ctx=context("checkpoint")), True
    data = export_checkpoint(checkpoint)
    if options.get("export"):
        path = Path(options["export"])
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if options.get("json"):
        out.write(json.dumps({**data, "signed_now": signed}, ensure_ascii=False))
    else:
        verb = "Đã ký" if signed else "Không có mục mới; điểm kiểm tra gần nhất"
        out.write(f"{verb}: điểm kiểm tra #{checkpoint.pk}, seq {checkpoint.seq}, băm {checkpoint.head_hash[:16]}…, "
                  f"khóa {checkpoint.key_id}.")
    return 0
