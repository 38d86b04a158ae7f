"""Envelope encryption: AES-256-GCM with one data key per document, wrapped by the current KEK.

Stored object (``OBJECT_MAGIC``): ``RGV1 | len(ref) | ref | nonce(12) | ciphertext+tag``; the associated
data binds it to its storage name, so an object copied over another one is refused as well as a flipped
byte. Sealed text (a database value): ``vault:v1:`` + base64(nonce | ciphertext+tag), bound to its ref.
Standalone blobs (the outbox of one-time copies) carry their own key, wrapped by the KEK, in the header.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction
from django.utils import timezone

from registry.errors import ErrorCode, RegistryError

from .keys import KEY_BYTES, KeyUnavailableError, load_keyring

OBJECT_MAGIC = b"RGV1"
BLOB_MAGIC = b"RGB1"
TEXT_PREFIX = "vault:v1:"
NONCE = 12
_HEX64 = re.compile(r"[0-9a-f]{64}")


class IntegrityFailedError(RegistryError):
    """A stored object or sealed value that does not authenticate: changed, truncated or swapped."""

    code = ErrorCode.INTEGRITY_FAILED

    def __init__(self, what: str = ""):
        super().__init__(
            "Tệp lưu trữ không qua được kiểm tra toàn vẹn (đã bị sửa đổi hoặc hỏng); hệ thống từ chối sử dụng."
            + (f" ({what})" if what else ""))


def ref_for_name(name: str) -> str:
    """The data-key reference of a storage name: the content hash in it (a document's originals and
    renditions are named by it), else a hash of the name itself."""
    base = name.rsplit("/", 1)[-1]
    found = _HEX64.search(base)
    return found.group(0) if found else "name:" + hashlib.sha256(name.encode()).hexdigest()


# --- data keys --------------------------------------------------------------------------------------------


def _wrap(kek: bytes, ref: str, key: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE)
    return nonce + AESGCM(kek).encrypt(nonce, key, b"datakey\0" + ref.encode())


@lru_cache(maxsize=4096)
def _unwrap(kek: bytes, ref: str, wrapped: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE], wrapped[NONCE:], b"datakey\0" + ref.encode())
    except InvalidTag:
        raise IntegrityFailedError("khóa dữ liệu") from None


def data_key(ref: str, *, create: bool = False, document_id: int | None = None) -> bytes:
    """The plain data key of ``ref``; a new one (wrapped under the current KEK) if ``create`` and none."""
    from registry.models import DataKey

    row = DataKey.objects.filter(ref=ref).values_list("wrapped", "kek_id").first()
    keyring = load_keyring()
    if row is None:
        if not create:
            raise KeyUnavailableError("Khóa dữ liệu của tệp này không còn (tài liệu đã bị tiêu hủy?).")
        key = secrets.token_bytes(KEY_BYTES)
        try:
            with transaction.atomic():
                DataKey.objects.create(ref=ref, document_id=document_id, wrapped=_wrap(keyring.current, ref, key),
                                       kek_id=keyring.current_id)
            return key
        except IntegrityError:  # created concurrently: use that one
            row = DataKey.objects.filter(ref=ref).values_list("wrapped", "kek_id").get()
    wrapped, key_id = bytes(row[0]), row[1]
    return _unwrap(keyring.get(key_id), ref, wrapped)


def destroy_data_key(ref: str) -> int:
    """Forget the data key of ``ref`` for good (crypto-shredding); returns how many rows were deleted."""
    from registry.models import DataKey

    deleted, _ = DataKey.objects.filter(ref=ref).delete()
    _unwrap.cache_clear()
    return deleted


def rewrap_pending(*, batch: int = 200, limit: int | None = None, progress=None) -> dict:
    """Re-wrap every data key not under the current KEK (files are not touched). Each batch commits on its
    own, so an interrupted run resumes where it stopped."""
    from registry.models import DataKey

    keyring = load_keyring()
    current = keyring.current_id
    done = 0
    total = DataKey.objects.exclude(kek_id=current).count()
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with transaction.atomic():
            rows = list(DataKey.objects.select_for_update().exclude(kek_id=current).order_by("pk")[:size])
            if not rows:
                break
            for row in rows:
                key = _unwrap(keyring.get(row.kek_id), row.ref, bytes(row.wrapped))
                row.wrapped = _wrap(keyring.current, row.ref, key)
                row.kek_id = current
                row.rewrapped_at = timezone.now()
                row.save(update_fields=["wrapped", "kek_id", "rewrapped_at"])
        done += len(rows)
        if progress:
            progress(done, total)
    remaining = DataKey.objects.exclude(kek_id=current).count()
    return {"kek_id": current, "rewrapped": done, "remaining": remaining}


# --- stored objects ---------------------------------------------------------------------------------------


def _object_aad(ref: str, name: str) -> bytes:
    return OBJECT_MAGIC + ref.encode() + b"\0" + name.encode()


def seal_object(name: str, plain: bytes) -> bytes:
    ref = ref_for_name(name)
    key = data_key(ref, create=True)
    nonce = secrets.token_bytes(NONCE)
    raw_ref = ref.encode()
    return (OBJECT_MAGIC + bytes([len(raw_ref)]) + raw_ref + nonce
            + AESGCM(key).encrypt(nonce, plain, _object_aad(ref, name)))


def is_sealed_object(data: bytes) -> bool:
    return data[:4] == OBJECT_MAGIC


def open_object(name: str, sealed: bytes) -> bytes:
    if not is_sealed_object(sealed) or len(sealed) < 5:
        raise IntegrityFailedError(name)
    length = sealed[4]
    ref = sealed[5:5 + length].decode("ascii", "replace")
    if ref != ref_for_name(name):
        raise IntegrityFailedError(name)
    body = sealed[5 + length:]
    key = data_key(ref)
    try:
        return AESGCM(key).decrypt(body[:NONCE], body[NONCE:], _object_aad(ref, name))
    except (InvalidTag, ValueError):
        raise IntegrityFailedError(name) from None


def object_overhead(sealed_head: bytes) -> int:
    """Bytes a sealed object adds to its plain content (header, nonce and tag)."""
    return 5 + sealed_head[4] + NONCE + 16


# --- sealed text (database values) ------------------------------------------------------------------------


def seal_text(ref: str, text: str) -> str:
    if not text or text.startswith(TEXT_PREFIX):
        return text
    key = data_key(ref, create=True)
    nonce = secrets.token_bytes(NONCE)
    body = nonce + AESGCM(key).encrypt(nonce, text.encode(), b"text\0" + ref.encode())
    return TEXT_PREFIX + base64.b64encode(body).decode()


def is_sealed_text(value: str) -> bool:
    return bool(value) and value.startswith(TEXT_PREFIX)


def open_text(ref: str, value: str) -> str:
    if not is_sealed_text(value):
        return value or ""
    try:
        body = base64.b64decode(value[len(TEXT_PREFIX):], validate=True)
        plain = AESGCM(data_key(ref)).decrypt(body[:NONCE], body[NONCE:], b"text\0" + ref.encode())
    except (InvalidTag, ValueError):
        raise IntegrityFailedError("nội dung văn bản") from None
    return plain.decode()


# --- standalone blobs (each with its own key in its header) ------------------------------------------------


def seal_blob(plain: bytes, context: str) -> bytes:
    keyring = load_keyring()
    key = secrets.token_bytes(KEY_BYTES)
    wrapped = _wrap(keyring.current, "blob:" + context, key)
    kid = keyring.current_id.encode()
    nonce = secrets.token_bytes(NONCE)
    return (BLOB_MAGIC + bytes([len(kid)]) + kid + bytes([len(wrapped)]) + wrapped + nonce
            + AESGCM(key).encrypt(nonce, plain, BLOB_MAGIC + context.encode()))


def open_blob(sealed: bytes, context: str) -> bytes:
    try:
        if sealed[:4] != BLOB_MAGIC:
            raise ValueError
        pos = 4
        kid = sealed[pos + 1:pos + 1 + sealed[pos]].decode()
        pos += 1 + sealed[pos]
        wrapped = sealed[pos + 1:pos + 1 + sealed[pos]]
        pos += 1 + sealed[pos]
        key = _unwrap(load_keyring().get(kid), "blob:" + context, bytes(wrapped))
        body = sealed[pos:]
        return AESGCM(key).decrypt(body[:NONCE], body[NONCE:], BLOB_MAGIC + context.encode())
    except (InvalidTag, ValueError, IndexError, UnicodeDecodeError):
        raise IntegrityFailedError("bản sao chờ tải") from None


# --- instances made before encryption at rest -------------------------------------------------------------


def seal_legacy() -> dict:
    """Seal, in place, the stored objects still in clear and the clear text of mat+ documents."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from registry.models import Document

    from . import seal_document_text, text_needs_sealing
    from .storage import inner_storage

    inner = inner_storage(default_storage)
    objects = texts = 0
    for doc in Document.objects.exclude(file="").filter(destroyed_on__isnull=True).iterator():
        for name in (doc.file.name, doc.rendition.name):
            if not name or not inner.exists(name):
                continue
            with inner.open(name, "rb") as fh:
                data = fh.read()
            if is_sealed_object(data):
                continue
            sealed = seal_object(name, data)
            try:
                path = inner.path(name)
            except NotImplementedError:  # object storage: a PUT replaces the object in one step
                inner._save(name, ContentFile(sealed, name=name))
            else:  # local disk: write beside, then rename over (never a moment without the object)
                tmp = f"{path}.sealing"
                with open(tmp, "wb") as fh:
                    fh.write(sealed)
                os.replace(tmp, path)
            objects += 1
        if doc.extracted_text and not is_sealed_text(doc.extracted_text) and text_needs_sealing(doc.level):
            Document.objects.filter(pk=doc.pk).update(
                extracted_text=seal_document_text(doc.sha256, doc.level, doc.extracted_text))
            texts += 1
    return {"objects_sealed": objects, "texts_sealed": texts}
