"""The intake pipeline's shape: a frozen input, a working state, small steps, and the loop that runs them.

A step (Paperless-ngx style) is a small class built for one file: ``able_to_run()`` says whether it applies
(e.g. only PDFs get the truncation check), ``run()`` does its one job or raises a typed ``IntakeError``,
``cleanup()`` undoes whatever it left behind. When a step fails, every step that ran is cleaned up in
reverse order, so a refused file leaves nothing anywhere.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .errors import FileTooLargeError, IntakeFileNotFoundError

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class IntakeInput:
    """The file as received: where its bytes are (read-only for the pipeline) and what the client called it."""

    path: Path
    original_filename: str
    size: int
    # Opens an encrypted PDF. Only ever passed to the sandboxed parser: never stored, logged or shown.
    pdf_password: str = field(default="", repr=False, compare=False)


@dataclass
class IntakeState:
    """What the steps learn about one file, in order. Steps read earlier fields and fill their own."""

    input: IntakeInput
    workdir: Path
    filename: str = ""  # cleaned base name (CheckFilename)
    sha256: str = ""  # of the original bytes (HashContent)
    mime_type: str = ""  # sniffed from the content (SniffType)
    kind: str = ""  # pdf / image / docx / odt / text (SniffType)
    extension: str = ""  # canonical extension of the kind, for the stored name
    page_count: int | None = None  # (Analyse)
    rendition_path: Path | None = None  # sanitised PDF in workdir (Analyse)
    repair_warnings: tuple = ()  # what a reader had to repair to read the file (Analyse)
    pdf_restrictions: str = ""  # the sender's PDF permissions, in words (Analyse)
    needs_ocr: bool = False  # a scan, or large pictures: OCR if it holds no text (Analyse; decided by the task)
    ocr_status: str = ""  # "pending" for such a file until the task has looked (Analyse)
    # Registration (the front door fills these)
    meta: Any = None
    actor: Any = None
    ctx: Any = None
    document: Any = None
    created: list[str] = field(default_factory=list)  # storage names this run created

    @property
    def rendition_target(self) -> Path:
        return self.workdir / "rendition.pdf"


class Step(ABC):
    """One small intake step for one file. Subclasses set ``name`` and implement ``run``."""

    name = "step"

    def __init__(self, state: IntakeState):
        self.state = state

    def able_to_run(self) -> bool:
        return True

    @abstractmethod
    def run(self) -> None:
        """Do this step's work on ``self.state``; raise an IntakeError subclass to refuse the file."""

    def cleanup(self) -> None:
        """Undo what ``run`` left behind; called (in reverse order) when a later step fails."""


def run_steps(steps, state: IntakeState) -> IntakeState:
    """Run ``steps`` (classes) in order on ``state``; on failure clean up the ones that ran, then re-raise."""
    ran: list[Step] = []
    try:
        for step_class in steps:
            step = step_class(state)
            if not step.able_to_run():
                continue
            ran.append(step)
            step.run()
    except BaseException:
        for step in reversed(ran):
            try:
                step.cleanup()
            except Exception:  # a failing cleanup must not hide the refusal that caused it
                log.exception("intake cleanup of %s failed for %s", step.name, state.input.original_filename)
        raise
    return state


@contextlib.contextmanager
def open_source(source, *, filename: str | None = None, pdf_password: str = ""):
    """Yield an ``IntakeState`` for a path or a binary file object; its working folder is removed after.

    A path is read in place. A file object is spooled to the working folder (stopping as soon as it goes
    over ``REGISTRY_MAX_UPLOAD_BYTES``), unless it is a Django upload already on disk.
    """
    from django.conf import settings

    workdir = Path(tempfile.mkdtemp(prefix="registry-intake-"))
    try:
        path, given_name = _materialise(source, workdir, settings.REGISTRY_MAX_UPLOAD_BYTES)
        try:
            size = path.stat().st_size
        except OSError:
            raise IntakeFileNotFoundError(f"Không đọc được tệp «{given_name}».") from None
        name = given_name if filename is None else filename
        given = IntakeInput(path=path, original_filename=name, size=size, pdf_password=pdf_password or "")
        yield IntakeState(input=given, workdir=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _materialise(source, workdir: Path, limit: int) -> tuple[Path, str]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise IntakeFileNotFoundError(f"Không tìm thấy tệp «{path.name or path}».")
        return path, path.name
    temporary = getattr(source, "temporary_file_path", None)
    name = os.path.basename(str(getattr(source, "name", "") or ""))
    if callable(temporary):
        return Path(temporary()), name
    return _spool(source, workdir / "source", limit), name


def _spool(stream: BinaryIO, target: Path, limit: int) -> Path:
    if getattr(stream, "seekable", lambda: False)():
        stream.seek(0)
    chunks = stream.chunks(CHUNK) if hasattr(stream, "chunks") else iter(lambda: stream.read(CHUNK), b"")
    written = 0
    with open(target, "wb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise FileTooLargeError(
                    f"Tệp vượt quá dung lượng cho phép ({limit:,} byte).", limit=limit
                )
            out.write(chunk)
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
