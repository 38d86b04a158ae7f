"""Backup and restore of one instance: a tar file with a manifest, the database, the stored objects (as
stored: ciphertext), the public keys of the signed checkpoints, and the secret keys only when asked.

Consistency: the database is copied first, as one snapshot (SQLite: the online backup API; PostgreSQL:
``dumpdata`` inside one REPEATABLE READ transaction), and the objects copied are the ones that snapshot
names. Stored objects are content-addressed and never rewritten, so the set is consistent with the
snapshot even while the instance keeps working.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = "registry-backup-v1"
SECRET_KEY_PATTERNS = ("*.key", "vault/*.kek", "vault/current")
PUBLIC_KEY_PATTERNS = ("*.pub",)
DUMP_EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class BackupError(Exception):
    pass


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, manifest: dict):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
    manifest["files"][name] = hashlib.sha256(data).hexdigest()


def _sqlite_snapshot(target: Path) -> None:
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        connection.connection.backup(dest)
    finally:
        dest.close()


def _sqlite_object_names(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT file, rendition FROM registry_document").fetchall()
    finally:
        con.close()
    return sorted({name for row in rows for name in row if name})


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; the access log's hashes cover microseconds."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


@contextlib.contextmanager
def _precise_json():
    from django.core.serializers import json as json_serializer

    saved = json_serializer.DjangoJSONEncoder
    json_serializer.DjangoJSONEncoder = _PreciseEncoder
    try:
        yield
    finally:
        json_serializer.DjangoJSONEncoder = saved


def _pg_dump() -> bytes:
    out = io.StringIO()
    with transaction.atomic(), _precise_json():
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command("dumpdata", "--natural-foreign", "--natural-primary", *[f"--exclude={e}" for e in DUMP_EXCLUDE],
                     stdout=out)
    return out.getvalue().encode()


def _pg_object_names(dump: bytes) -> list[str]:
    names = set()
    for obj in json.loads(dump):
        if obj.get("model") == "registry.document":
            for field in ("file", "rendition"):
                if obj["fields"].get(field):
                    names.add(obj["fields"][field])
    return sorted(names)


def _keys_dir() -> Path:
    return Path(settings.REGISTRY_KEYS_DIR)


def make_backup(out: Path, *, include_keys: bool) -> dict:
    from registry.vault.storage import inner_storage

    storage = inner_storage()
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "vendor": connection.vendor,
                "include_keys": include_keys, "files": {}, "objects": 0, "missing_objects": []}
    out.parent.mkdir(parents=True, exist_ok=True)
    mode = "w:gz" if out.name.endswith((".tar.gz", ".tgz")) else "w"
    with tempfile.TemporaryDirectory(prefix="registry-backup-") as work, tarfile.open(out, mode) as tar:
        if connection.vendor == "sqlite":
            snapshot = Path(work) / "db.sqlite3"
            _sqlite_snapshot(snapshot)
            _add_bytes(tar, "database/db.sqlite3", snapshot.read_bytes(), manifest)
            names = _sqlite_object_names(snapshot)
        elif connection.vendor == "postgresql":
            dump = _pg_dump()
            _add_bytes(tar, "database/data.json", dump, manifest)
            names = _pg_object_names(dump)
        else:
            raise BackupError(f"unsupported database {connection.vendor}")
        for name in names:
            try:
                with storage.open(name, "rb") as fh:
                    data = fh.read()
            except (FileNotFoundError, OSError):
                manifest["missing_objects"].append(name)
                continue
            _add_bytes(tar, f"objects/{name}", data, manifest)
            manifest["objects"] += 1
        keys = _keys_dir()
        patterns = PUBLIC_KEY_PATTERNS + (SECRET_KEY_PATTERNS if include_keys else ())
        for pattern in patterns:
            for path in sorted(keys.glob(pattern)):
                if path.is_file():
                    _add_bytes(tar, f"keys/{path.relative_to(keys)}", path.read_bytes(), manifest)
        _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False).encode(), {"files": {}})
    out.chmod(0o600)
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    except KeyError:
        raise BackupError("không phải tệp sao lưu của hệ thống (thiếu manifest.json)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"định dạng sao lưu không được hỗ trợ: {manifest.get('format')}")
    return manifest


def _member(tar, name, manifest) -> bytes:
    data = tar.extractfile(name).read()
    if hashlib.sha256(data).hexdigest() != manifest["files"].get(name):
        raise BackupError(f"tệp sao lưu bị hỏng: {name}")
    return data


def _instance_is_empty() -> bool:
    from registry.models import AccessLogEntry, Document

    try:
        return not Document.objects.exists() and not AccessLogEntry.objects.exists()
    except Exception:  # no tables yet
        return True


def restore_backup(source: Path, *, force_keys: bool = False) -> dict:
    from registry.vault.storage import inner_storage

    with tarfile.open(source, "r:*") as tar:
        manifest = _read_manifest(tar)
        for name in manifest["files"]:
            _member(tar, name, manifest)  # check every member before changing anything
        vendor = connection.vendor
        if manifest["vendor"] != vendor:
            raise BackupError(f"bản sao lưu của {manifest['vendor']}, không khôi phục vào {vendor} được")
        # keys first: nothing else reads without them
        keys = _keys_dir()
        restored_keys = []
        for name in manifest["files"]:
            if not name.startswith("keys/"):
                continue
            target = keys / name[len("keys/"):]
            if target.exists() and target.read_bytes() != _member(tar, name, manifest) and not force_keys:
                if target.suffix == ".pub":
                    continue
                raise BackupError(f"khóa {target.name} đã có và khác bản sao lưu; dùng --force-keys để thay")
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            target.write_bytes(_member(tar, name, manifest))
            target.chmod(0o600)
            restored_keys.append(name[len("keys/"):])
        if vendor == "sqlite":
            db_path = Path(settings.DATABASES["default"]["NAME"])
            connections.close_all()
            for suffix in ("-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            tmp = db_path.with_name(db_path.name + ".restoring")
            tmp.write_bytes(_member(tar, "database/db.sqlite3", manifest))
            tmp.replace(db_path)
            call_command("migrate", "--noinput", verbosity=0)
        else:
            call_command("migrate", "--noinput", verbosity=0)
            if not _instance_is_empty():
                raise BackupError("cơ sở dữ liệu đích đã có dữ liệu: chỉ khôi phục vào một cơ sở dữ liệu trống")
            with tempfile.TemporaryDirectory(prefix="registry-restore-") as work:
                dump = Path(work) / "data.json"
                dump.write_bytes(_member(tar, "database/data.json", manifest))
                with transaction.atomic():
                    call_command("loaddata", str(dump), verbosity=0)
        storage = inner_storage()
        objects = 0
        for name in manifest["files"]:
            if name.startswith("objects/"):
                storage_name = name[len("objects/"):]
                data = _member(tar, name, manifest)
                if storage.exists(storage_name):
                    storage.delete(storage_name)
                from django.core.files.base import ContentFile

                saved = storage._save(storage_name, ContentFile(data, name=storage_name))
                if saved != storage_name:
                    raise BackupError(f"không đặt lại được {storage_name} đúng tên")
                objects += 1
    from registry.tasks import run_queued
    from search import rebuild

    indexed = rebuild()
    # Work that was still queued when the backup was taken (e.g. a new file's text): run it now.
    caught_up = len(run_queued(stale_running_after=0))
    return {"vendor": vendor, "objects": objects, "keys": restored_keys, "indexed": indexed, "tasks": caught_up,
            "created_at": manifest["created_at"], "missing_objects": manifest["missing_objects"]}


def clear_dir(path: Path):
    if path.exists():
        shutil.rmtree(path)
