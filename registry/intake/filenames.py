"""Client-supplied file names: keep a clean base name for display, refuse names built to deceive.

The stored name is always content-addressed (``originals/ab/cd/<sha256>.<ext>``), so the client's name is
only metadata; still it is shown to people and used in downloads, so it must not lie or break things.
"""

import unicodedata

from .errors import BadFilenameError

MAX_LENGTH = 200

# Bidirectional controls make "hoá-đơn‮fdp.exe" display as "hoá-đơnexe.pdf": refused, never stripped.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that are fine in a name but not on every file system a downloaded copy may land on.
REPLACED = str.maketrans({c: "_" for c in '<>:"|?*'})


def clean_filename(name: str) -> str:
    """The safe base name of ``name`` (NFC, no path, no invisible characters), or ``BadFilenameError``.

    - path parts (``../``, ``C:\\``, absolute paths) are dropped: only the last component is kept;
    - NUL and other control characters, bidi overrides, lone surrogates (undecodable bytes), unassigned
      and private-use code points are refused;
    - zero-width and other invisible format characters are removed; decomposed Vietnamese is composed (NFC).
    """
    if not isinstance(name, str):
        raise BadFilenameError("Tên tệp không hợp lệ.")
    for ch in name:
        category = unicodedata.category(ch)
        if ch in BIDI_CONTROLS:
            raise BadFilenameError("Tên tệp chứa ký tự điều khiển hướng chữ (có thể giả mạo đuôi tệp).")
        if category == "Cc":
            raise BadFilenameError("Tên tệp chứa ký tự điều khiển (NUL hoặc tương tự).")
        if category in ("Cs", "Cn", "Co"):
            raise BadFilenameError("Tên tệp chứa ký tự không hợp lệ hoặc không giải mã được.")
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    name = unicodedata.normalize("NFC", name)
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if len(base) >= 2 and base[1] == ":" and base[0].isascii() and base[0].isalpha():
        base = base[2:]  # "C:file.pdf" (drive-relative)
    base = " ".join(base.translate(REPLACED).split())
    if not base.strip(". "):
        raise BadFilenameError("Tên tệp trống hoặc chỉ gồm dấu chấm.")
    if len(base) > MAX_LENGTH:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: MAX_LENGTH - len(ext) - 1] + "." + ext
        else:
            base = base[:MAX_LENGTH]
    return base
