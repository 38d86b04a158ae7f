"""What the registry accepts, decided from the content (libmagic), never from the file name's extension."""

import re
import zipfile
from pathlib import Path

import magic

# MIME type (as libmagic reports it) → (kind, canonical extension of the stored original)
ALLOWED = {
    "application/pdf": ("pdf", "pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "docx"),
    "application/vnd.oasis.opendocument.text": ("odt", "odt"),
    "text/plain": ("text", "txt"),
    "image/png": ("image", "png"),
    "image/jpeg": ("image", "jpg"),
    "image/tiff": ("image", "tif"),
}
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

_sniffer = None


def sniff(path: Path) -> str:
    """The MIME type of the file's content. ZIP containers libmagic cannot place are looked into."""
    global _sniffer
    if _sniffer is None:
        _sniffer = magic.Magic(mime=True)
    mime = _sniffer.from_file(str(path))
    if mime in ("application/zip", "application/octet-stream"):
        mime = _office_container(path) or mime
    return mime


def _office_container(path: Path) -> str | None:
    """Some writers order a DOCX/ODT archive so that libmagic only sees "a ZIP": look at its members."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DOCX
            if "mimetype" in names and "content.xml" in names:
                with archive.open("mimetype") as f:
                    if f.read(64).strip() == ODT.encode():
                        return ODT
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None
    return None


# libmagic's answers for content it cannot place; a PDF reader may still prove such a file is a PDF.
_UNPLACED = ("text/plain", "application/octet-stream", "text/x-", "application/x-empty")
_OBJECT = re.compile(rb"\d{1,10}\s+\d{1,5}\s+obj\b")


def might_be_pdf(path: Path, mime: str) -> bool:
    """Cheap look before asking a PDF reader: unplaced content with PDF object syntax in its first 64 KiB
    (a header-less PDF, or one whose header is buried after junk)."""
    if not mime.startswith(_UNPLACED):
        return False
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    return bool(_OBJECT.search(head)) and (b"endobj" in head or b"/Type" in head)


def kind_of(mime: str) -> tuple[str, str] | None:
    return ALLOWED.get(mime)
