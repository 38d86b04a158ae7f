"""Named constants of the domain: levels, urgency, directions, roles, access-log actions and outcomes.

Labels are Vietnamese (the office's language); English comes from the translation catalogue.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """State-secret classification (độ mật), lowest first."""

    THUONG = "thuong", _("Thường")
    MAT = "mat", _("Mật")
    TOI_MAT = "toi_mat", _("Tối mật")
    TUYET_MAT = "tuyet_mat", _("Tuyệt mật")

    @classmethod
    def rank(cls, value) -> int:
        return LEVEL_RANK[str(value)]

    @classmethod
    def at_most(cls, value) -> list[str]:
        """Every level up to and including ``value``."""
        limit = LEVEL_RANK[str(value)]
        return [lv for lv, r in LEVEL_RANK.items() if r <= limit]


LEVEL_RANK = {Level.THUONG: 0, Level.MAT: 1, Level.TOI_MAT: 2, Level.TUYET_MAT: 3}
LEVEL_RANK.update({str(k): v for k, v in list(LEVEL_RANK.items())})

# Levels that need a need-to-know grant on top of clearance, and a stated purpose before reading content.
NEED_TO_KNOW_LEVELS = frozenset({Level.TOI_MAT.value, Level.TUYET_MAT.value})
SECRET_LEVELS = frozenset({Level.MAT.value, Level.TOI_MAT.value, Level.TUYET_MAT.value})

# Stamp text, envelope letter and base protection term per level (domain.md §1).
LEVEL_STAMP = {"mat": "MẬT", "toi_mat": "TỐI MẬT", "tuyet_mat": "TUYỆT MẬT"}
LEVEL_LETTER = {"mat": "C", "toi_mat": "B", "tuyet_mat": "A"}
LEVEL_BASE_TERM_YEARS = {"mat": 10, "toi_mat": 20, "tuyet_mat": 30}


class Urgency(models.TextChoices):
    NONE = "thuong", _("Thường")
    KHAN = "khan", _("Khẩn")
    THUONG_KHAN = "thuong_khan", _("Thượng khẩn")
    HOA_TOC = "hoa_toc", _("Hỏa tốc")


class Direction(models.TextChoices):
    INCOMING = "den", _("Đến")
    OUTGOING = "di", _("Đi")


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    STAFF = "staff", _("Cán bộ")
    AUDITOR = "auditor", _("Cán bộ bảo vệ bí mật")
    ADMIN = "admin", _("Quản trị viên")


# Party document types (domain.md §3). Stored explicitly: an abbreviation alone is ambiguous.
DOCUMENT_TYPES = [
    ("NQ", _("Nghị quyết")),
    ("QĐ", _("Quyết định")),
    ("QĐi", _("Quy định")),
    ("CT", _("Chỉ thị")),
    ("KL", _("Kết luận")),
    ("QC", _("Quy chế")),
    ("TT", _("Thông tri")),
    ("HD", _("Hướng dẫn")),
    ("BC", _("Báo cáo")),
    ("KH", _("Kế hoạch")),
    ("CTr", _("Chương trình")),
    ("TB", _("Thông báo")),
    ("TTr", _("Tờ trình")),
    ("CV", _("Công văn")),
    ("BB", _("Biên bản")),
    ("ĐA", _("Đề án")),
    ("NĐ", _("Nghị định")),
    ("TTư", _("Thông tư")),
    ("L", _("Luật")),
    ("K", _("Khác")),
]
DOCUMENT_TYPE_CODES = {code for code, _label in DOCUMENT_TYPES}
DOCUMENT_TYPE_LABELS = dict(DOCUMENT_TYPES)
# Codes of earlier versions still accepted on input, for old scripts. "TTg" reads as Thủ tướng, not Thông tư.
DOCUMENT_TYPE_ALIASES = {"TTg": "TTư"}


def document_type_name(code: str) -> str:
    """The Vietnamese name of a type code, whatever the active language (input is matched against it)."""
    from django.utils.translation import override

    with override("vi"):
        return str(DOCUMENT_TYPE_LABELS.get(code, code))


def resolve_document_type(text) -> str | None:
    """The type code for what a person typed: the code or the Vietnamese name, with or without diacritics,
    in any case ("QĐ", "qd", "Quyết định", "QUYET DINH"); ``None`` when nothing matches.

    An exact code wins first, so that codes differing only by case or diacritics stay apart.
    """
    from registry.text import clean_line, fold

    typed = clean_line(str(text or ""))
    if not typed:
        return None
    if typed in DOCUMENT_TYPE_CODES:
        return typed
    if typed in DOCUMENT_TYPE_ALIASES:
        return DOCUMENT_TYPE_ALIASES[typed]
    key = fold(typed).lower()
    for code, _label in DOCUMENT_TYPES:
        if fold(code).lower() == key:
            return code
    for alias, code in DOCUMENT_TYPE_ALIASES.items():
        if fold(alias).lower() == key:
            return code
    for code, _label in DOCUMENT_TYPES:
        if fold(document_type_name(code)).lower() == key:
            return code
    return None


def accepted_document_types() -> str:
    """The accepted types as a person reads them: ``NQ (Nghị quyết), QĐ (Quyết định), …``."""
    return ", ".join(f"{code} ({document_type_name(code)})" for code, _label in DOCUMENT_TYPES)


class Action(models.TextChoices):
    """What an access-log entry records. Declared once; every writer uses these."""

    VIEW = "view", _("Xem hồ sơ")
    DOWNLOAD = "download", _("Tải bản sao có dấu")
    PREVIEW = "preview", _("Xem trước")
    PRINT = "print", _("In")
    EXPORT = "export", _("Xuất dữ liệu")
    COPY = "copy", _("Sao, chụp")
    HAND_OVER = "hand_over", _("Chuyển giao")
    LOAN = "loan", _("Cho mượn")
    RETURN = "return", _("Trả lại")
    REGISTER = "register", _("Đăng ký")
    EDIT = "edit", _("Sửa")
    VOID = "void", _("Hủy số")
    LEVEL_CHANGE = "level_change", _("Điều chỉnh độ mật")
    DECLASSIFY = "declassify", _("Giải mật")
    DESTROY = "destroy", _("Tiêu hủy")
    SEARCH = "search", _("Tìm kiếm")
    LIST = "list", _("Xem danh sách")
    BOOK_PRINT = "book_print", _("In sổ đăng ký")
    GRANT = "grant", _("Cấp quyền tiếp cận")
    USER_ADMIN = "user_admin", _("Quản lý người dùng")
    LOGIN = "login", _("Đăng nhập")
    LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
    AUDIT_VIEW = "audit_view", _("Xem nhật ký")
    AUDIT_EXPORT = "audit_export", _("Xuất nhật ký")
    AUDIT_VERIFY = "audit_verify", _("Kiểm tra toàn vẹn nhật ký")
    AUDIT_CHECKPOINT = "audit_checkpoint", _("Ký điểm kiểm tra")
    TRACE = "trace", _("Truy vết bản sao")
    FIXITY = "fixity", _("Kiểm tra toàn vẹn tệp lưu trữ")
    BACKUP = "backup", _("Sao lưu")
    RESTORE = "restore", _("Khôi phục từ bản sao lưu")
    KEY_ROTATE = "key_rotate", _("Đổi khóa mã hóa")
    TASK_FAILED = "task_failed", _("Tác vụ nền thất bại")
    TASK_RETRY = "task_retry", _("Chạy lại tác vụ nền")


# Actions that read a document's content or metadata: these count as "reads" in reports and anomalies.
READ_ACTIONS = frozenset({Action.VIEW, Action.DOWNLOAD, Action.PREVIEW, Action.PRINT, Action.EXPORT, Action.COPY})
CONTENT_ACTIONS = frozenset({Action.DOWNLOAD, Action.PREVIEW, Action.PRINT, Action.COPY})


class Outcome(models.TextChoices):
    OK = "ok", _("Thành công")
    REFUSED = "refused", _("Bị từ chối")
    ERROR = "error", _("Lỗi")


class StorageKind(models.TextChoices):
    STORE = "store", _("Kho")
    ROOM = "room", _("Phòng")
    CABINET = "cabinet", _("Tủ/két sắt")
    SHELF = "shelf", _("Ngăn/giá")
    BOX = "box", _("Hộp/hồ sơ")


STORAGE_KIND_ORDER = [StorageKind.STORE, StorageKind.ROOM, StorageKind.CABINET, StorageKind.SHELF, StorageKind.BOX]


class CopyForm(models.TextChoices):
    SAO_Y = "sao_y", _("Sao y")
    SAO_LUC = "sao_luc", _("Sao lục")
    TRICH_SAO = "trich_sao", _("Trích sao")
    CHUP = "chup", _("Chụp")
