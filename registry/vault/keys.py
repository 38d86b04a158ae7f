"""Key-encryption keys (KEKs): where they come from, and the one that wraps new data keys.

Sources, first match wins:
- ``REGISTRY_KEK`` (base64 of 32 bytes) or ``REGISTRY_KEK_FILE`` (a file holding that base64): the current
  KEK, supplied by the operator (production: a secret mounted from outside the instance). For a rotation the
  previous one goes in ``REGISTRY_KEK_PREVIOUS`` / ``REGISTRY_KEK_PREVIOUS_FILE`` until ``keys rotate`` ends.
- otherwise ``REGISTRY_KEYS_DIR/vault`` (default ``REGISTRY_HOME/keys/vault``): one ``<id>.kek`` file per
  key (mode 0600) and ``current`` naming the one in use; created on first use.

The keyring is read from its source on every use (a few small files), so a rotation run in another process
is seen at once and no process keeps wrapping with a retired key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from registry.errors import ErrorCode, RegistryError

KEY_BYTES = 32


class KeyUnavailableError(RegistryError):
    code = ErrorCode.KEY_UNAVAILABLE


def kek_id(key: bytes) -> str:
    """A short public name of a KEK (a hash: it reveals nothing of the key)."""
    return hashlib.sha256(b"registry-kek-id\0" + key).hexdigest()[:16]


def _decode(text: str, origin: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyUnavailableError(f"Khóa mã hóa chính ({origin}) không hợp lệ: cần 32 byte mã hóa base64.")
    return key


def new_key_text() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


@dataclass(frozen=True)
class Keyring:
    current: bytes
    keys: dict[str, bytes]  # id -> key, the current one included
    source: str  # "env" | "file" | "dir"

    @property
    def current_id(self) -> str:
        return kek_id(self.current)

    def get(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyUnavailableError(
                f"Không có khóa mã hóa chính {key_id} để mở khóa dữ liệu (khóa đã bị thay mà chưa đổi xong?)."
            ) from None


def vault_settings() -> dict:
    return getattr(settings, "REGISTRY_VAULT", {}) or {}


def keys_dir() -> Path:
    configured = vault_settings().get("KEYS_DIR")
    return Path(configured) if configured else Path(settings.REGISTRY_KEYS_DIR) / "vault"


def _write_private(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _dir_keys(folder: Path) -> dict[str, bytes]:
    keys = {}
    for item in sorted(folder.glob("*.kek")):
        key = _decode(item.read_text(), item.name)
        keys[kek_id(key)] = key
    return keys


def load_keyring(*, create: bool = True) -> Keyring:
    conf = vault_settings()
    env_key, env_file = conf.get("KEK", ""), conf.get("KEK_FILE", "")
    if env_key or env_file:
        current = _decode(env_key, "REGISTRY_KEK") if env_key else _decode(Path(env_file).read_text(), "REGISTRY_KEK_FILE")
        keys = {kek_id(current): current}
        previous = [p for p in str(conf.get("KEK_PREVIOUS", "")).split(",") if p.strip()]
        if conf.get("KEK_PREVIOUS_FILE"):
            previous.append(Path(conf["KEK_PREVIOUS_FILE"]).read_text())
        for text in previous:
            key = _decode(text, "REGISTRY_KEK_PREVIOUS")
            keys[kek_id(key)] = key
        return Keyring(current, keys, "env" if env_key else "file")
    folder = keys_dir()
    pointer = folder / "current"
    if not pointer.exists():
        if not create:
            raise KeyUnavailableError("Chưa có khóa mã hóa chính (thư mục khóa trống).")
        text = new_key_text()
        key = _decode(text, "new")
        _write_private(folder / f"{kek_id(key)}.kek", text)
        _write_private(pointer, kek_id(key))
    keys = _dir_keys(folder)
    current_id = pointer.read_text().strip()
    if current_id not in keys:
        raise KeyUnavailableError(f"Khóa mã hóa chính hiện hành {current_id} không có trong {folder}.")
    return Keyring(keys[current_id], keys, "dir")


def add_dir_key() -> str:
    """Create a new KEK in the keys folder and make it current; the old ones stay until retired."""
    folder = keys_dir()
    load_keyring()  # make sure the folder is initialised
    text = new_key_text()
    key = _decode(text, "new")
    _write_private(folder / f"{kek_id(key)}.kek", text)
    _write_private(folder / "current", kek_id(key))
    return kek_id(key)


def retire_dir_keys(keep: str) -> list[str]:
    """Delete every KEK file of the keys folder but ``keep``; returns the retired ids."""
    folder = keys_dir()
    retired = []
    for item in folder.glob("*.kek"):
        key = _decode(item.read_text(), item.name)
        if kek_id(key) != keep:
            item.unlink()
            retired.append(kek_id(key))
    return retired
