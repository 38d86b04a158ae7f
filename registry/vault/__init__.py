"""Encryption at rest for secret content (AES-256-GCM, one data key per document, wrapped by a KEK).

- Stored objects (originals, renditions) are sealed by ``registry.vault.storage.EncryptedStorage``, the
  default storage, around the real backend (local disk or S3): everything written through Django's storage
  is ciphertext at rest, and every read is authenticated (a changed byte raises ``IntegrityFailedError``).
- The extracted text of ``mat``+ documents is sealed in the database (``seal_document_text``); read it
  with ``document_text(document)``, never from the field.
- The one-time encrypted copies waiting in the outbox are sealed with their own key (``seal_blob``).
- ``registry keys rotate`` re-wraps data keys under a new KEK without touching the files.
- Destroying a document deletes its data key (receiver of ``registry.signals.document_destroyed``).
"""

from registry.constants import Level

from .core import (
    IntegrityFailedError,
    destroy_data_key,
    is_sealed_object,
    is_sealed_text,
    open_blob,
    open_object,
    open_text,
    ref_for_name,
    rewrap_pending,
    seal_blob,
    seal_object,
    seal_text,
)
from .keys import KeyUnavailableError, load_keyring


def text_needs_sealing(level) -> bool:
    return str(level or Level.THUONG) != str(Level.THUONG)


def seal_document_text(sha256: str, level, text: str) -> str:
    """What to store in ``Document.extracted_text``: sealed for mat and above, as is otherwise."""
    if not text or not sha256 or not text_needs_sealing(level):
        return text
    return seal_text(sha256, text)


def document_text(document) -> str:
    """The plain extracted text of ``document`` (opened if sealed)."""
    value = document.extracted_text or ""
    if not is_sealed_text(value):
        return value
    try:
        return open_text(document.sha256 or "", value)
    except KeyUnavailableError:
        if getattr(document, "destroyed_on", None):
            return ""  # destroyed: its key is gone on purpose, and nothing of it is left to index
        raise


__all__ = [
    "IntegrityFailedError",
    "KeyUnavailableError",
    "destroy_data_key",
    "document_text",
    "is_sealed_object",
    "is_sealed_text",
    "load_keyring",
    "open_blob",
    "open_object",
    "open_text",
    "ref_for_name",
    "rewrap_pending",
    "seal_blob",
    "seal_document_text",
    "seal_object",
    "seal_text",
    "text_needs_sealing",
]
