"""What is printed on a marked copy, and the copy id that lets a leaked copy be traced back to its log entry."""

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from registry.constants import LEVEL_STAMP

# "RC-" and 16 hex digits: short enough to read aloud, unique enough (64 random bits), easy to find in text.
COPY_ID_PREFIX = "RC-"
COPY_ID_RE = re.compile(r"RC-[0-9A-F]{16}")
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a screen and typed

RECALL_TEXT = "TÀI LIỆU THU HỒI"
NAMED_ADDRESSEE_TEXT = "CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ"


def new_copy_id() -> str:
    return COPY_ID_PREFIX + secrets.token_hex(8).upper()


def new_password() -> str:
    """A one-time password for an encrypted copy: 4 groups of 4, about 79 bits."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def encryption_required(level: str) -> bool:
    return str(level) in set(getattr(settings, "REGISTRY_ENCRYPT_LEVELS", []) or [])


@dataclass(frozen=True)
class Marks:
    """Everything stamped on each page of one copy (the same on every page)."""

    level: str
    copy_number: int
    copy_id: str
    username: str
    full_name: str = ""
    when: dt.datetime | None = None
    recall: bool = False
    named_addressee_only: bool = False
    declassified: str = ""  # "GIẢI MẬT ngày … — decision" once declassified (registry.actions.lifecycle)

    @property
    def level_stamp(self) -> str:
        """"MẬT" / "TỐI MẬT" / "TUYỆT MẬT"; "GIẢI MẬT …" once declassified; else empty."""
        return LEVEL_STAMP.get(str(self.level), "") or self.declassified

    @property
    def copy_number_text(self) -> str:
        return f"Bản số: {self.copy_number}"

    @property
    def handling_stamps(self) -> list[str]:
        stamps = []
        if self.recall:
            stamps.append(RECALL_TEXT)
        if self.named_addressee_only:
            stamps.append(NAMED_ADDRESSEE_TEXT)
        return stamps

    @property
    def trace_line(self) -> str:
        """The small line at the foot of every page: copy number, copy id, who and when."""
        when = timezone.localtime(self.when or timezone.now())
        who = self.username + (f" ({self.full_name})" if self.full_name and self.full_name != self.username else "")
        return f"{self.copy_number_text} · Mã bản sao: {self.copy_id} · Cấp cho: {who} · Lúc: {when:%d/%m/%Y %H:%M}"
