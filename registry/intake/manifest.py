"""Bulk intake from a CSV manifest (``registry intake --manifest FILE.csv``) and the shared field mapping.

The CSV header names the same fields as the CLI options (``file,direction,level,number,type,issuer,date,
title`` plus any optional ones, ``-`` or ``_`` alike). ``file`` is relative to the CSV's folder unless
absolute. Each row is registered, refused with its code, or skipped as a duplicate; a bad row never stops
the run, and rerunning a manifest is safe (every row already registered comes back as a duplicate).
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

log = logging.getLogger(__name__)

# CLI option / CSV column → DocumentMetadata field (where the names differ).
FIELD_ALIASES = {
    "type": "doc_type",
    "date": "issue_date",
    "copies": "copies_count",
    "named": "named_addressee_only",
    "arrival": "arrival_date",
}
METADATA_FIELDS = (
    "direction", "level", "number", "doc_type", "issuer", "issue_date", "title", "summary", "urgency",
    "signer", "arrival_date", "level_decided_on", "protection_years", "copies_count", "recall",
    "named_addressee_only", "recipients", "location", "dossier", "unit", "notes", "summary_authorised_by",
    "sequence",
)


def column_key(name: str) -> str:
    key = (name or "").strip().lower().replace("-", "_").replace(" ", "_")
    return FIELD_ALIASES.get(key, key)


def metadata_from_row(row: dict) -> DocumentMetadata:
    """DocumentMetadata from CLI options or a CSV row (keys in either spelling); MetadataError names the field."""
    values = {}
    for name, value in row.items():
        key = column_key(name)
        if key in METADATA_FIELDS and value is not None:
            values[key] = value.strip() if isinstance(value, str) else value
    return DocumentMetadata.from_mapping(values)


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
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise RegistryError(f"Không tìm thấy tệp danh sách «{manifest}».", code=ErrorCode.FILE_NOT_FOUND) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RegistryError(f"Tệp danh sách không đọc được (cần CSV UTF-8): {exc}",
                            code=ErrorCode.INVALID_METADATA) from None
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
        fields = {column_key(k): v for k, v in row.items() if k is not None}
        file_value = (fields.pop("file", None) or "").strip()
        try:
            if not file_value:
                raise MetadataError("Thiếu đường dẫn tệp (cột file).", field="file")
            meta = metadata_from_row(fields)
            path = base / file_value
            document = register_file(path, filename=path.name, meta=meta, actor=actor, ctx=ctx)
        except DuplicateError as exc:
            summary["duplicates"].append({"file": file_value, "existing_id": exc.existing_id})
        except RegistryError as exc:
            summary["refused"].append({"file": file_value, "code": str(exc.code), "message": exc.message})
        except Exception as exc:  # one bad row (or a transient database error) must not stop a bulk run
            log.exception("intake of %s failed unexpectedly", file_value)
            summary["refused"].append({"file": file_value, "code": str(ErrorCode.INTERNAL_ERROR),
                                       "message": f"Lỗi hệ thống khi đăng ký: {type(exc).__name__}: {exc}"})
        else:
            summary["registered"].append({"file": file_value, **record_summary(document)})
            registered_ids.append(document.pk)
