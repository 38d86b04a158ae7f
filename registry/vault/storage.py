"""The default storage: seals every object written through it and authenticates every read.

It wraps the real backend (``OPTIONS["inner"]``: a STORAGES-style dict, local disk or S3), which only ever
sees ciphertext. Objects are never served by URL: every download goes through the application.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from .core import object_overhead, open_object, seal_object

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@deconstructible(path="registry.vault.storage.EncryptedStorage")
class EncryptedStorage(Storage):
    def __init__(self, inner: dict | None = None):
        spec = inner or LOCAL
        self.inner_spec = spec
        self.inner = import_string(spec["BACKEND"])(**spec.get("OPTIONS", {}))

    # reading and writing
    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted objects are written with save(), never opened for writing")
        with self.inner.open(name, "rb") as fh:
            sealed = fh.read()
        return ContentFile(open_object(name, sealed), name=name)

    def _save(self, name, content):
        if hasattr(content, "seek"):
            try:
                content.seek(0)
            except (OSError, ValueError):
                pass
        plain = content.read()
        if isinstance(plain, str):
            plain = plain.encode()
        return self.inner._save(name, ContentFile(seal_object(name, plain), name=name))

    def read_raw(self, name) -> bytes:
        """The stored ciphertext, as is (backup, tests)."""
        with self.inner.open(name, "rb") as fh:
            return fh.read()

    def write_raw(self, name, data: bytes) -> str:
        """Put ciphertext back under its own name (restore); it is bound to the name, so it must not move."""
        if self.inner.exists(name):
            self.inner.delete(name)
        return self.inner._save(name, ContentFile(data, name=name))

    # everything else is the backend's
    def delete(self, name):
        return self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        with self.inner.open(name, "rb") as fh:
            head = fh.read(300)
        return self.inner.size(name) - object_overhead(head)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.inner.get_valid_name(name)

    def generate_filename(self, filename):
        return self.inner.generate_filename(filename)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_accessed_time(self, name):
        return self.inner.get_accessed_time(name)

    def path(self, name):
        # A local path would hand out ciphertext to code expecting the document: there is none.
        raise NotImplementedError("encrypted storage has no direct file paths")

    def url(self, name):
        raise NotImplementedError("stored objects have no URL: downloads go through the application")


def walk(storage, top: str = ""):
    """Every object name under ``top`` (recursively)."""
    try:
        dirs, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for f in files:
        yield f"{top}/{f}" if top else f
    for d in dirs:
        yield from walk(storage, f"{top}/{d}" if top else d)


def inner_storage(storage=None):
    from django.core.files.storage import default_storage

    storage = storage or default_storage
    storage = getattr(storage, "_wrapped", storage)
    if storage is None or not hasattr(storage, "inner"):
        from django.core.files.storage import storages

        storage = storages["default"]
    return getattr(storage, "inner", storage)
