"""Signed checkpoints of the access-log chain head (Ed25519, key kept outside the database).

A checkpoint states "entries 1..seq exist and entry seq hashes to head_hash", signed with a private key that
lives in ``settings.REGISTRY_KEYS_DIR`` (created on first use, mode 0600; the public key lies alongside).
Whoever rewrites or truncates the log in the database cannot re-sign the statements made before, so
``registry audit verify`` catches a rewritten history up to the last checkpoint, even one whose hashes were
all recomputed.

Order (fixed, relied on by verification): the head is signed *before* the AUDIT_CHECKPOINT entry is written.
The checkpoint covers entries 1..N; its own log entry is N+1 and names it (``extra.checkpoint_id``); that entry
is covered by the next checkpoint. Both happen in one transaction under the chain-head lock.
"""

import base64
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from registry.audit.chain import GENESIS_HASH
from registry.audit.context import RequestContext
from registry.models import ChainHead, Checkpoint

FORMAT = "registry-checkpoint-v1"
PRIVATE_KEY_FILE = "checkpoint-ed25519.key"
PUBLIC_KEY_SUFFIX = ".pub"  # public keys are kept as <key_id>.pub so old checkpoints stay verifiable


def keys_dir() -> Path:
    return Path(settings.REGISTRY_KEYS_DIR)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """sha256 of the raw 32-byte public key, first 16 hex digits."""
    return hashlib.sha256(_raw(public_key)).hexdigest()[:16]


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _write_new(path: Path, data: bytes, mode: int) -> bool:
    """Create ``path`` exclusively with ``mode``; False if another process created it first."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)
    return True


def _public_path(key_id: str) -> Path:
    return keys_dir() / f"{key_id}{PUBLIC_KEY_SUFFIX}"


def signing_key() -> tuple[Ed25519PrivateKey, str]:
    """The private key and its key_id, creating both files on first use."""
    folder = keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / PRIVATE_KEY_FILE
    if not path.exists():
        new = Ed25519PrivateKey.generate()
        pem = new.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _write_new(path, pem, 0o600)
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    key_id = key_id_of(private.public_key())
    public_path = _public_path(key_id)
    if not public_path.exists():
        pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
        _write_new(public_path, pem, 0o600)  # everything under REGISTRY_HOME is the registry's alone
    return private, key_id


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key kept in the keys folder, by key_id (old keys stay to verify old checkpoints)."""
    found = {}
    folder = keys_dir()
    if not folder.is_dir():
        return found
    for path in folder.glob(f"*{PUBLIC_KEY_SUFFIX}"):
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError:
            continue
        if isinstance(key, Ed25519PublicKey):
            found[key_id_of(key)] = key
    return found


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def signed_message(*, seq: int, head_hash: str, entries: int, created_at, key_id: str) -> bytes:
    """The exact bytes signed: a fixed format so an exported checkpoint can be checked by anyone."""
    stamp = _utc_iso(created_at)
    return f"{FORMAT}\nseq={seq}\nhead={head_hash}\nentries={entries}\nat={stamp}\nkey={key_id}\n".encode("ascii")


def message_of(checkpoint: Checkpoint) -> bytes:
    return signed_message(seq=checkpoint.seq, head_hash=checkpoint.head_hash, entries=checkpoint.entries,
                          created_at=checkpoint.created_at, key_id=checkpoint.key_id)


def create_signed_checkpoint(*, actor=None) -> Checkpoint:
    """Sign the current chain head and store the checkpoint (no log entry: the caller's action writes it).

    Must run inside the caller's transaction: the head row is locked until that transaction ends, so the
    checkpoint's own log entry comes right after the head it signs.
    """
    private, key_id = signing_key()
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    created_at = timezone.now()
    message = signed_message(seq=seq, head_hash=head_hash, entries=seq, created_at=created_at, key_id=key_id)
    return Checkpoint.objects.create(
        seq=seq,
        head_hash=head_hash,
        entries=seq,
        created_at=created_at,
        key_id=key_id,
        signature=private.sign(message).hex(),
        signed_by=getattr(actor, "username", "") or (actor if isinstance(actor, str) else ""),
    )


def sign_checkpoint(*, actor=None, ctx: RequestContext | None = None) -> Checkpoint:
    """Sign the current chain head and log AUDIT_CHECKPOINT (``registry.actions.auditing.do_sign_checkpoint``)."""
    from registry.actions.auditing import do_sign_checkpoint

    return do_sign_checkpoint(actor=actor, ctx=ctx)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-seq", "-id").first()


def signature_valid(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey] | None = None) -> bool:
    keys = public_keys() if keys is None else keys
    key = keys.get(checkpoint.key_id)
    if key is None:
        return False
    try:
        key.verify(bytes.fromhex(checkpoint.signature), message_of(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True


def export_checkpoint(checkpoint: Checkpoint) -> dict:
    """A self-contained JSON statement: checkable with the public key alone (compare its key_id to yours)."""
    keys = public_keys()
    key = keys.get(checkpoint.key_id)
    return {
        "format": FORMAT,
        "algorithm": "Ed25519",
        "id": checkpoint.pk,
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "entries": checkpoint.entries,
        "created_at": _utc_iso(checkpoint.created_at),
        "key_id": checkpoint.key_id,
        "public_key": base64.b64encode(_raw(key)).decode("ascii") if key else None,
        "signature": checkpoint.signature,
        "signed_by": checkpoint.signed_by,
        "message": message_of(checkpoint).decode("ascii"),
    }


def verify_export(data: dict | str, *, expected_key_id: str | None = None) -> bool:
    """Check an exported checkpoint on its own (optionally pinning the key_id one trusts)."""
    if isinstance(data, str):
        data = json.loads(data)
    try:
        raw = base64.b64decode(data["public_key"])
        key = Ed25519PublicKey.from_public_bytes(raw)
        created_at = datetime.fromisoformat(data["created_at"].replace("Z", "+00:00"))
        message = signed_message(seq=int(data["seq"]), head_hash=data["head_hash"], entries=int(data["entries"]),
                                 created_at=created_at, key_id=data["key_id"])
        if key_id_of(key) != data["key_id"] or (expected_key_id and expected_key_id != data["key_id"]):
            return False
        key.verify(bytes.fromhex(data["signature"]), message)
    except (KeyError, TypeError, ValueError, InvalidSignature):
        return False
    return True


__all__ = [
    "create_signed_checkpoint",
    "export_checkpoint",
    "key_id_of",
    "latest_checkpoint",
    "message_of",
    "public_keys",
    "sign_checkpoint",
    "signature_valid",
    "signed_message",
    "signing_key",
    "verify_export",
]
