"""What the registry accepts, decided from the content (libmagic), never from the file name's extension."""

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


def kind_of(mime: str) -> tuple[str, str] | None:
    return ALLOWED.get(mime)
