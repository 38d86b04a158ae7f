"""Marked copies: the level stamp, copy number and trace line on every page, and reading a copy id back.

``stamp_pdf(source, marks, password=None) -> bytes`` stamps every page (one overlay per page size and
rotation, drawn once with reportlab and reused as a Form XObject), records the copy id in the document
information dictionary (``/RegistryCopyId``) and, with a password, encrypts with AES-256 (R=6).
``read_copy_id(pdf_bytes, password=None)`` finds the copy id again: metadata first, then the visible text.
"""

from .marks import (
    COPY_ID_RE,
    NAMED_ADDRESSEE_TEXT,
    RECALL_TEXT,
    Marks,
    encryption_required,
    new_copy_id,
    new_password,
)
from .stamp import COPY_ID_KEY, StampError, stamp_pdf
from .trace import read_copy_id

__all__ = [
    "COPY_ID_KEY",
    "COPY_ID_RE",
    "NAMED_ADDRESSEE_TEXT",
    "RECALL_TEXT",
    "Marks",
    "StampError",
    "encryption_required",
    "new_copy_id",
    "new_password",
    "read_copy_id",
    "stamp_pdf",
]
