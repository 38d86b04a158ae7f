"""Reading the copy id back from a (possibly leaked, re-saved or metadata-stripped) marked copy."""

import io

import pikepdf

from .marks import COPY_ID_RE
from .stamp import COPY_ID_KEY, XMP_COPY_ID


def _from_metadata(pdf: pikepdf.Pdf) -> str | None:
    value = pdf.docinfo.get(COPY_ID_KEY) if pdf.trailer.get("/Info") is not None else None
    if value is not None:
        found = COPY_ID_RE.search(str(value))
        if found:
            return found.group(0)
    try:
        meta = pdf.open_metadata()
        found = COPY_ID_RE.search(str(meta.get(XMP_COPY_ID, "")))
    except Exception:  # damaged XMP is no reason to stop: the visible text is next
        return None
    return found.group(0) if found else None


def _from_text(data: bytes, password: str | None, max_pages: int) -> str | None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data, password=password)
    try:
        for index in range(min(len(document), max_pages)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                found = COPY_ID_RE.search(textpage.get_text_range().replace("\r", "").replace("\n", ""))
            finally:
                textpage.close()
                page.close()
            if found:
                return found.group(0)
    finally:
        document.close()
    return None


def read_copy_id(data: bytes, *, password: str | None = None, max_pages: int = 20) -> str | None:
    """The copy id of a marked copy, or None.

    Looks in the document information dictionary, then in the XMP metadata (left unencrypted, so an encrypted
    copy is traced without its password), then in the visible text of the first pages (when the metadata was
    stripped), and finally in the raw bytes.
    """
    try:
        with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
            found = _from_metadata(pdf)
            if found:
                return found
    except (pikepdf.PasswordError, pikepdf.PdfError):
        pass  # encrypted without the password, or damaged: try the other places
    try:
        found = _from_text(data, password, max_pages)
    except Exception:  # pdfium refuses damaged/locked files; the raw scan below still has a chance
        found = None
    if found:
        return found
    raw = COPY_ID_RE.search(data.decode("latin-1"))
    return raw.group(0) if raw else None
