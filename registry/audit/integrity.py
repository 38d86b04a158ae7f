"""The state of the hash chain in plain Vietnamese, for the integrity page and the auditor's home.

What the security officer needs to know at a glance: when the log was last verified and with what verdict,
the last signed checkpoint, and which entries a signed checkpoint does not cover yet (entries after it can
still be rewritten together with their hashes without the signature noticing, until the next checkpoint).
"""

from dataclasses import dataclass

from registry.audit import timefmt
from registry.constants import Action
from registry.models import AccessLogEntry, ChainHead, Checkpoint, User

SERVER_OPERATOR = "người vận hành tại máy chủ"

# verify.py's problem messages (English, stable) → what they mean, in Vietnamese.
_PROBLEMS = (
    ("hash mismatch", "nội dung mục số {seq} đã bị sửa sau khi ghi (mã băm không còn khớp)"),
    ("prev_hash mismatch", "có mục bị xóa, chèn thêm hoặc đảo thứ tự ngay trước mục số {seq}"),
    ("seq gap", "số thứ tự bị đứt quãng tại mục số {seq} (có mục bị xóa hoặc đánh số lại)"),
    ("checkpoint", "một điểm kiểm tra đã ký ghi mã băm khác với mục số {seq} (lịch sử đã bị viết lại)"),
    ("truncated tail", "phần cuối nhật ký bị cắt bỏ, từ mục số {seq}"),
    ("chain head mismatch", "mục cuối cùng không khớp với đầu chuỗi đã ghi nhận"),
    ("entry", "mục số {seq} nằm ngoài chuỗi (được chèn vào sau đầu chuỗi, không qua phần mềm)"),
    ("unknown key", "một điểm kiểm tra được ký bằng khóa không rõ nguồn gốc"),
    ("bad signature", "chữ ký của một điểm kiểm tra không hợp lệ"),
)


def plain_problem(problem: str | None, entry_id=None, seq=None) -> str:
    if not problem:
        return ""
    for prefix, text in _PROBLEMS:
        if problem.startswith(prefix):
            return text.format(seq=seq if seq is not None else "?")
    return "phát hiện sai lệch trong chuỗi nhật ký"


def person_label(username: str) -> str:
    if not username:
        return SERVER_OPERATOR
    user = User.objects.filter(username=username).select_related("unit").first()
    if user is None:
        return username
    name = user.get_full_name() or username
    return f"{name}, {user.unit.name}" if user.unit_id else name


@dataclass
class ChainState:
    head_seq: int
    verified_at: str  # dd/mm/yyyy HH:MM, empty if never
    verified_by: str
    verified_ok: bool | None
    verified_entries: int | None
    verdict: str  # plain Vietnamese sentence
    checkpoint_seq: int | None
    checkpoint_at: str
    checkpoint_by: str
    checkpoint_hash: str
    checkpoint_key: str
    uncovered: int  # entries after the last signed checkpoint
    uncovered_from: int | None
    uncovered_to: int | None

    @property
    def coverage(self) -> str:
        if self.checkpoint_seq is None:
            return (f"Chưa có điểm kiểm tra nào được ký: cả {self.head_seq} mục của nhật ký chưa được bảo vệ bằng "
                    "chữ ký." if self.head_seq else "Nhật ký chưa có mục nào.")
        if not self.uncovered:
            return f"Mọi mục (1–{self.head_seq}) đã được điểm kiểm tra đã ký bảo vệ."
        return (f"{self.uncovered} mục chưa được điểm kiểm tra đã ký bảo vệ: từ mục số {self.uncovered_from} "
                f"đến mục số {self.uncovered_to}.")


def chain_state(latest=None) -> ChainState:
    """The chain's state now; ``latest`` (a VerificationResult) stands in for a run that could not be logged."""
    head_seq = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    entry = AccessLogEntry.objects.filter(action=Action.AUDIT_VERIFY).order_by("-seq").first()
    verified_at = verified_by = ""
    ok = entries = None
    problem = first_broken = broken_seq = None
    if latest is not None:
        ok, entries, problem = latest.ok, latest.entries, latest.problem
        first_broken, broken_seq = latest.first_broken, getattr(latest, "first_broken_seq", None)
        verified_at, verified_by = "vừa xong (chưa ghi được vào nhật ký)", ""
    elif entry is not None:
        data = entry.extra or {}
        ok, entries = bool(data.get("ok", entry.outcome == "ok")), data.get("entries", entry.result_count)
        problem, first_broken, broken_seq = data.get("problem"), data.get("first_broken"), data.get("first_broken_seq")
        verified_at, verified_by = timefmt.display(entry.at), person_label(entry.actor_username)
    if ok is None:
        verdict = "Nhật ký chưa được kiểm tra lần nào."
    elif ok:
        verdict = f"Nhật ký toàn vẹn: {entries} mục đã được kiểm tra, không mục nào bị sửa, xóa hay chèn thêm."
    else:
        verdict = f"NHẬT KÝ ĐÃ BỊ THAY ĐỔI: {plain_problem(problem, first_broken, broken_seq)}."
    checkpoint = Checkpoint.objects.order_by("-seq", "-id").first()
    cp_seq = checkpoint.seq if checkpoint else None
    # The checkpoint's own log entry (cp_seq + 1) is covered only by the next one.
    uncovered = head_seq - (cp_seq or 0)
    return ChainState(
        head_seq=head_seq,
        verified_at=verified_at if verified_at else "",
        verified_by=verified_by if (entry is not None or latest is not None) else "",
        verified_ok=ok,
        verified_entries=entries,
        verdict=verdict,
        checkpoint_seq=cp_seq,
        checkpoint_at=timefmt.display(checkpoint.created_at) if checkpoint else "",
        checkpoint_by=person_label(checkpoint.signed_by) if checkpoint else "",
        checkpoint_hash=checkpoint.head_hash if checkpoint else "",
        checkpoint_key=checkpoint.key_id if checkpoint else "",
        uncovered=max(uncovered, 0),
        uncovered_from=(cp_seq or 0) + 1 if uncovered > 0 else None,
        uncovered_to=head_seq if uncovered > 0 else None,
    )
