"""Vietnamese OCR for scans and image-only PDFs: OCRmyPDF + Tesseract ``vie+eng``, offline.

``recognise`` runs inside the sandbox child (``registry.intake.sandbox``), with the OCR time and memory
limits: OCRmyPDF adds an invisible text layer to the image rendition, and that result is then rebuilt by
the allow-list sanitiser like any other PDF (OCRmyPDF writes XMP and document info: they go). The text
is taken from the sanitised rendition and NFC-normalised for search.

Where the engine is missing (no ``tesseract`` on PATH, no Vietnamese data, no OCRmyPDF) a document still
registers, flagged "pending"; ``registry ocr --pending`` catches up later.

Django-free.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("vie", "eng")


@dataclass(frozen=True)
class OcrResult:
    text: str
    pages: int


def engine_available() -> bool:
    """Whether OCRmyPDF, Tesseract and its Vietnamese + English data are all here (for the current PATH)."""
    return _engine_available(os.environ.get("PATH", ""))


@functools.lru_cache(maxsize=8)
def _engine_available(path_variable: str) -> bool:
    tesseract = shutil.which("tesseract", path=path_variable)
    if not tesseract:
        return False
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return False
    try:
        listed = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    languages = set((listed.stdout + listed.stderr).split())
    return all(language in languages for language in LANGUAGES)


def recognise(source: str, rendition_path: str, tesseract_timeout: float = 180.0) -> OcrResult:
    """OCR the image PDF at ``source`` into a sanitised searchable rendition at ``rendition_path``."""
    import logging

    import ocrmypdf
    import pikepdf

    from . import sanitise
    from .errors import ExtractionFailedError
    from .parsers import pdf_text

    # One thread per Tesseract (the sandbox's address-space cap counts every thread's stack), quiet logs.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="registry-ocr-") as folder:
        searchable = Path(folder) / "ocr.pdf"
        try:
            ocrmypdf.ocr(
                source, searchable, language=list(LANGUAGES), jobs=1, use_threads=True, progress_bar=False,
                output_type="pdf", skip_text=True, optimize=0, tesseract_timeout=tesseract_timeout,
                rotate_pages=False, deskew=False, invalidate_digital_signatures=True,
            )
        except Exception as exc:  # OCRmyPDF's own exceptions carry an exit code, none a refusal
            raise ExtractionFailedError(f"Không nhận dạng được chữ: {type(exc).__name__}") from None
        with pikepdf.open(searchable) as pdf:
            pages = len(pdf.pages)
            sanitise.build(pdf, rendition_path, flatten=False)
    return OcrResult(text=pdf_text(rendition_path), pages=pages)
