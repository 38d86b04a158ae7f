"""Bulk intake from a CSV manifest (``registry intake --manifest FILE.csv``).

The columns are the registration schema's (``registry.intake.schema.MANIFEST_COLUMNS``: ``file,direction,
level,number,type,issuer,date,title`` plus any optional ones, ``pdf_password`` and ``allow_same_number``
included; ``-`` or ``_`` and case alike). A column the schema does not know stops the run before any row,
naming the accepted ones (a misspelt ``allow_same_numbr`` must not be ignored silently).
``file`` is relative to the CSV's folder unless absolute. Each row is registered, refused with its code,
or skipped as a duplicate; a bad row never stops the run, and rerunning a manifest is safe (every row
already registered comes back as a duplicate).
"""

from __future__ import annotations

import contextlib
import csv
import logging
import sys
from pathlib import Path

from django.conf import settings
from tqdm import tqdm

from registry.actions.documents import DocumentMetadata
from registry.errors import DuplicateError, ErrorCode, MetadataError, RegistryError

from . import register_file
from .schema import MANIFEST_COLUMNS, field_for_column, split_values

log = logging.getLogger(__name__)

def manifest_header() -> list[str]:
    """The header of a manifest with every column (``registry intake --manifest-template``)."""
    return list(MANIFEST_COLUMNS)


def unknown_columns(header) -> list[str]:
    return [name for name in header if name is not None and name.strip() and field_for_column(name) is None]


def values_from_row(row: dict) -> dict:
    """A CSV row (or CLI options) keyed by field name, whatever spelling its columns use."""
    values = {}
    for column, value in row.items():
        name = field_for_column(column) if column is not None else None
        if name is not None and value is not None:
            values[name] = value
    return values


def metadata_from_row(row: dict) -> DocumentMetadata:
    """DocumentMetadata from CLI options or a CSV row (keys in any spelling); MetadataError names the field."""
    return DocumentMetadata.from_mapping(split_values(values_from_row(row))[0])


def record_summary(document) -> dict:
    return {
        "id": document.pk,
        "register": document.register.code,
        "serial": document.serial,
        "sha256": document.sha256,
    }


def run_manifest(manifest: Path, *, actor, ctx=None, progress: bool = True, stderr=None) -> dict:
    """Register every row of ``manifest``; returns ``{"registered": […], "refused": […], "duplicates": […]}``."""
    stderr = stderr or sys.stderr
    manifest = Path(manifest)
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = reader.fieldnames or []
    except FileNotFoundError:
        raise RegistryError(f"Không tìm thấy tệp danh sách «{manifest}».", code=ErrorCode.FILE_NOT_FOUND) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RegistryError(f"Tệp danh sách không đọc được (cần CSV UTF-8): {exc}",
                            code=ErrorCode.INVALID_METADATA) from None
    unknown = unknown_columns(header)
    if unknown:
        raise RegistryError(
            f"Tệp danh sách có cột không nhận: {', '.join(unknown)}. Các cột nhận: {', '.join(MANIFEST_COLUMNS)}.",
            code=ErrorCode.INVALID_METADATA)
    base = manifest.resolve().parent
    summary = {"registered": [], "refused": [], "duplicates": []}
    with deferred_search_indexing() as to_index:
        _run_rows(rows, base, summary, to_index, actor=actor, ctx=ctx, progress=progress, stderr=stderr)
    return summary


@contextlib.contextmanager
def deferred_search_indexing():
    """Index a bulk run's documents in one batch at the end instead of one index commit per document.

    Documents are registered and committed one by one as usual; only the search index update waits. If
    the batch fails it is logged: ``registry search reconcile`` repairs the drift.
    """
    search = getattr(settings, "REGISTRY_SEARCH", None)
    if not isinstance(search, dict) or not search.get("AUTO_INDEX", True):
        yield []
        return
    ids: list[int] = []
    settings.REGISTRY_SEARCH = {**search, "AUTO_INDEX": False}
    try:
        yield ids
    finally:
        settings.REGISTRY_SEARCH = search
        if ids:
            try:
                from search.service import index_documents

                index_documents(ids)
            except Exception:
                log.exception("search: batch indexing of %d documents failed; run `registry search reconcile`",
                              len(ids))


def _run_rows(rows, base, summary, registered_ids, *, actor, ctx, progress, stderr):
    for row in tqdm(rows, desc="Đăng ký", unit="tệp", file=stderr, disable=not progress):
        values, options, file_value = split_values(values_from_row(row))
        file_value = (file_value or "").strip()
        try:
            if not file_value:
                raise MetadataError("Thiếu đường dẫn tệp (cột file).", field="file")
            meta = DocumentMetadata.from_mapping(values)
            path = base / file_value
            document = register_file(path, filename=path.name, meta=meta, actor=actor, ctx=ctx, **options)
        except DuplicateError as exc:
            summary["duplicates"].append({"file": file_value, "existing_id": exc.existing_id})
        except RegistryError as exc:
            message = exc.message
            if exc.code == ErrorCode.SAME_NUMBER:
                message += " Trong danh sách: ghi 1 ở cột allow_same_number của dòng này."
            summary["refused"].append({"file": file_value, "code": str(exc.code), "message": message,
                                       **({"existing_ids": exc.details["existing_ids"]}
                                          if exc.details.get("existing_ids") else {})})
        except Exception as exc:  # one bad row (or a transient database error) must not stop a bulk run
            log.exception("intake of %s failed unexpectedly", file_value)
            summary["refused"].append({"file": file_value, "code": str(ErrorCode.INTERNAL_ERROR),
                                       "message": f"Lỗi hệ thống khi đăng ký: {type(exc).__name__}: {exc}"})
        else:
            summary["registered"].append({"file": file_value, **record_summary(document)})
            registered_ids.append(document.pk)
