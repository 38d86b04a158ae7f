"""What each background task is called for people (the task list, `registry tasks list`), not its code."""

from django.utils.translation import gettext_lazy as _

TASK_LABELS = {
    "search.index_document": _("Cập nhật chỉ mục tìm kiếm cho một tài liệu"),
    "search.remove_document": _("Gỡ một tài liệu khỏi chỉ mục tìm kiếm"),
    "search.rebuild": _("Xây dựng lại toàn bộ chỉ mục tìm kiếm"),
    "intake.ocr_pending": _("Nhận dạng chữ (OCR) các bản quét còn chờ"),
    "intake.process_document": _("Trích xuất nội dung, nhận dạng chữ (OCR) tài liệu mới"),
    "intake.rebuild_rendition": _("Tạo lại bản hiển thị và nội dung văn bản của tài liệu"),
    "fixity.run": _("Kiểm tra toàn vẹn tệp lưu trữ"),
    "lifecycle.run": _("Xử lý thời hạn bảo mật định kỳ (giải mật, nhắc việc, gia hạn)"),
    "export.audit_log": _("Xuất nhật ký truy cập"),
    "tasks.prune": _("Dọn các tác vụ nền đã xong từ lâu"),
}


def task_label(name: str) -> str:
    """The Vietnamese name of a task. Every task declared in registry/tasks/jobs.py has one (a test checks);
    a name missing here (a task added without its label) is shown as it is rather than hidden."""
    label = TASK_LABELS.get(name)
    return str(label) if label is not None else name


__all__ = ["TASK_LABELS", "task_label"]
