"""Vietnamese text helpers shared by intake, numbering and search: NFC, diacritic folding (đ→d)."""

import re
import unicodedata

_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Strip diacritics: ``Bảo vệ Đảng`` → ``Bao ve Dang``. Case is kept; callers lower() as they need."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_line(text: str) -> str:
    """NFC, no control or bidi-override characters, collapsed whitespace: safe for a one-line field."""
    return " ".join(_CONTROL.sub("", nfc(text)).split())
