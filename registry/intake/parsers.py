"""The parsing-heavy work of intake: structure checks, sanitised PDF renditions, page counts, text.

Runs inside the sandbox child (``registry.intake.sandbox``), so it must not import Django. Every
function takes a path to the original bytes (never modified) and the path where a rendition may be
written, and returns an ``Analysis`` or raises a typed ``IntakeError``.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

from registry.fonts import register_reportlab_fonts

from .errors import (
    DocumentDamagedError,
    ExtractionFailedError,
    IntakeError,
    PdfDamagedError,
    PdfEncryptedError,
    ResourceLimitError,
    UnsupportedTypeError,
)

# Extracted text is for search and preview; beyond this it only weighs on the database and the index.
MAX_TEXT_CHARS = 2_000_000
# A text rendition is a reading aid: longer texts are cut (the original is always kept whole).
MAX_TEXT_RENDITION_PAGES = 300

# Actions a reader may follow inside the rendition: internal jumps only. Everything else (JavaScript,
# launching programs, submitting forms, remote or embedded go-tos, URIs in an air-gapped office) goes.
_SAFE_ACTIONS = {"/GoTo"}
_DROPPED_KEYS = ("/AA", "/OpenAction", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/Metadata",
                 "/AcroForm", "/Names", "/PieceInfo", "/Next")
_DROPPED_ANNOTATIONS = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}


@dataclass(frozen=True)
class Analysis:
    page_count: int | None
    text: str
    rendition: bool  # whether a rendition was written


def analyse(path: str, kind: str, rendition_path: str) -> Analysis:
    """Check, render and extract one file of a known kind (see ``registry.intake.formats``)."""
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise UnsupportedTypeError(f"Không xử lý được loại tệp «{kind}».")
    try:
        return handler(path, rendition_path)
    except IntakeError as exc:
        # Parser messages start with the (temporary) path: keep server paths out of what people see.
        exc.message = exc.message.replace(f"{path}: ", "").replace(path, "tệp")
        exc.args = (exc.message,)
        raise


# --- PDF ---------------------------------------------------------------------------------------------


def analyse_pdf(path: str, rendition_path: str) -> Analysis:
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise PdfEncryptedError("Tệp PDF có mật khẩu; hãy gửi bản không đặt mật khẩu.") from None
    except MemoryError:
        raise
    except Exception as exc:  # qpdf reports every kind of damage as a PdfError (or worse)
        _raise_if_out_of_memory(str(exc))
        raise PdfDamagedError(f"Tệp PDF bị hỏng, không mở được: {_short(exc)}") from None
    with pdf:
        if pdf.is_encrypted:
            raise PdfEncryptedError("Tệp PDF được mã hóa (có mật khẩu chủ); hãy gửi bản không mã hóa.")
        try:
            problems = pdf.get_warnings() + pdf.check_pdf_syntax()
        except MemoryError:
            raise
        except Exception as exc:
            _raise_if_out_of_memory(str(exc))
            raise PdfDamagedError(f"Tệp PDF bị hỏng: {_short(exc)}") from None
        for problem in problems:
            _raise_if_out_of_memory(problem)
        if problems:
            # qpdf repairs what it can and says so: a repaired file is not the file that was sent.
            raise PdfDamagedError(f"Tệp PDF bị hỏng ({len(problems)} lỗi cấu trúc): {_short(problems[0])}",
                                  problems=len(problems))
        page_count = len(pdf.pages)
        try:
            _write_sanitised_copy(pdf, rendition_path)
        except MemoryError:
            raise
        except Exception as exc:
            _raise_if_out_of_memory(str(exc))
            raise PdfDamagedError(f"Không dựng lại được tệp PDF: {_short(exc)}") from None
    return Analysis(page_count=page_count, text=pdf_text(rendition_path), rendition=True)


def _raise_if_out_of_memory(message: str) -> None:
    """qpdf turns a failed allocation (the sandbox's memory cap) into an exception or a mere warning."""
    if "bad_alloc" in message or "out of memory" in message.lower():
        raise ResourceLimitError("Tệp cần nhiều bộ nhớ hơn giới hạn cho phép để xử lý.", limit="memory")


def _write_sanitised_copy(pdf: pikepdf.Pdf, target: str) -> None:
    """A new PDF holding only the pages: no catalog extras (JavaScript name tree, OpenAction, attachments,
    forms, XMP, outlines), no document info, and annotations and objects scrubbed of active content."""
    clean = pikepdf.Pdf.new()
    for page in pdf.pages:
        clean.pages.append(page)
    for page in clean.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            kept = [a for a in annots
                    if isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") not in _DROPPED_ANNOTATIONS]
            page.obj.Annots = pikepdf.Array(kept)
    _scrub(clean)
    if "/Info" in clean.trailer:
        del clean.trailer["/Info"]
    clean.save(target, fix_metadata_version=False, compress_streams=True)


def _scrub(pdf: pikepdf.Pdf) -> None:
    """Walk every object reachable from the pages and drop active or hidden content keys."""
    seen: set[tuple[int, int]] = set()
    stack = [pdf.Root]
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            key = obj.objgen
            if key in seen:
                continue
            seen.add(key)
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for name in _DROPPED_KEYS:
                if name in obj:
                    del obj[name]
            action = obj.get("/A")
            if isinstance(action, pikepdf.Dictionary) and str(action.get("/S", "")) not in _SAFE_ACTIONS:
                del obj["/A"]
            if obj.get("/S") == "/JavaScript" or "/JS" in obj:
                # an action dictionary reached some other way (e.g. an array of actions)
                for name in list(obj.keys()):
                    del obj[name]
                continue
            for name in list(obj.keys()):
                if name in ("/Parent", "/P"):  # back-references: reached from above anyway
                    continue
                child = obj.get(name)
                if isinstance(child, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
                    stack.append(child)
        elif isinstance(obj, pikepdf.Array):
            for child in obj:
                if isinstance(child, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
                    stack.append(child)


def pdf_text(path: str) -> str:
    """Text of every page (pdfium), pages separated by a form feed, NFC."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise ExtractionFailedError(f"Không trích được chữ từ tệp PDF: {_short(exc)}") from None
    parts = []
    total = 0
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    chunk = textpage.get_text_range()
                finally:
                    textpage.close()
            finally:
                page.close()
            parts.append(chunk)
            total += len(chunk)
            if total > MAX_TEXT_CHARS:
                break
    except pdfium.PdfiumError as exc:
        raise ExtractionFailedError(f"Không trích được chữ từ tệp PDF: {_short(exc)}") from None
    finally:
        document.close()
    return clean_text("\f".join(parts))


# --- Images ------------------------------------------------------------------------------------------


def analyse_image(path: str, rendition_path: str) -> Analysis:
    """A scan (PNG/JPEG/TIFF, every TIFF page) becomes a PDF, one page per frame, at the scan's size."""
    pages = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                pdf = canvas.Canvas(rendition_path, pageCompression=1, invariant=1)
                for frame in ImageSequence.Iterator(image):
                    frame.load()
                    page_image = _printable(ImageOps.exif_transpose(frame))
                    dpi_x, dpi_y = _dpi(frame)
                    width, height = page_image.size[0] * 72 / dpi_x, page_image.size[1] * 72 / dpi_y
                    pdf.setPageSize((width, height))
                    pdf.drawImage(ImageReader(page_image), 0, 0, width, height)
                    pdf.showPage()
                    pages += 1
                pdf.save()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ResourceLimitError(f"Ảnh quá lớn để xử lý an toàn: {_short(exc)}") from None
    except MemoryError:
        raise
    except IntakeError:
        raise
    except Exception as exc:  # PIL raises OSError, SyntaxError, ValueError… for broken images
        raise DocumentDamagedError(f"Ảnh bị hỏng, không đọc được: {_short(exc)}") from None
    if not pages:
        raise DocumentDamagedError("Ảnh không có trang nào.")
    return Analysis(page_count=pages, text="", rendition=True)


def _printable(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L", "1"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I"):  # 16/32-bit greyscale scans: scale down to 8 bits
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return image.convert("RGB")


def _dpi(image: Image.Image) -> tuple[float, float]:
    dpi = image.info.get("dpi") or (72, 72)
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return 72.0, 72.0
    return (x if 10 <= x <= 4800 else 72.0), (y if 10 <= y <= 4800 else 72.0)


# --- Word processing and text ------------------------------------------------------------------------


def analyse_docx(path: str, rendition_path: str) -> Analysis:
    import docx

    try:
        document = docx.Document(path)
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append("\t".join(cell.text for cell in row.cells))
    except MemoryError:
        raise
    except Exception as exc:
        raise DocumentDamagedError(f"Tệp DOCX bị hỏng, không đọc được: {_short(exc)}") from None
    text = clean_text("\n".join(parts))
    pages = _zip_statistic(path, "docProps/app.xml", rb"<(?:\w+:)?Pages>(\d+)<")
    return Analysis(page_count=pages, text=text, rendition=text_rendition(text, rendition_path))


def analyse_odt(path: str, rendition_path: str) -> Analysis:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    try:
        document = load(path)
        parts = []
        stack = [document.text]
        while stack:
            node = stack.pop()
            if getattr(node, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
                parts.append(teletype.extractText(node))
                continue
            stack.extend(reversed(getattr(node, "childNodes", [])))
    except MemoryError:
        raise
    except Exception as exc:
        raise DocumentDamagedError(f"Tệp ODT bị hỏng, không đọc được: {_short(exc)}") from None
    text = clean_text("\n".join(parts))
    pages = _zip_statistic(path, "meta.xml", rb'page-count="(\d+)"')
    return Analysis(page_count=pages, text=text, rendition=text_rendition(text, rendition_path))


def analyse_text(path: str, rendition_path: str) -> Analysis:
    with open(path, "rb") as f:
        data = f.read()
    text = clean_text(decode_text(data))
    return Analysis(page_count=None, text=text, rendition=text_rendition(text, rendition_path))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or the tell-tale NUL bytes), else Vietnamese cp1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) * 4 >= len(sample):
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        return data.decode("utf-16-le" if odd_nuls >= even_nuls else "utf-16-be", errors="replace")
    return data.decode("cp1258", errors="replace")


def text_rendition(text: str, target: str) -> bool:
    """A plain A4 reading copy of ``text`` in the bundled DejaVu font (Vietnamese-complete)."""
    if not text.strip():
        return False
    regular, _bold = register_reportlab_fonts()
    width, height = 595.27, 841.89  # A4 in points
    margin, size, leading = 56.0, 10.5, 14.0
    pdf = canvas.Canvas(target, pagesize=(width, height), pageCompression=1, invariant=1)
    y = height - margin
    pages = 1
    pdf.setFont(regular, size)
    for paragraph in text.replace("\f", "\n").split("\n"):
        lines = simpleSplit(paragraph.expandtabs(4), regular, size, width - 2 * margin) or [""]
        for line in lines:
            if y < margin:
                pdf.showPage()
                pages += 1
                if pages > MAX_TEXT_RENDITION_PAGES:
                    pdf.setFont(regular, size)
                    pdf.drawString(margin, height - margin, "… (bản đọc bị cắt; xem tệp gốc để có toàn văn)")
                    pdf.showPage()
                    pdf.save()
                    return True
                pdf.setFont(regular, size)
                y = height - margin
            pdf.drawString(margin, y, line)
            y -= leading
    pdf.showPage()
    pdf.save()
    return True


def warm_up() -> None:
    """Run each parser once on a tiny file made here, so a process that forks children has them warm."""
    import io
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="registry-warm-") as folder:
        source, target = Path(folder) / "warm.txt", Path(folder) / "warm.pdf"
        source.write_text("Khởi động bộ đọc tài liệu — Đảng ủy", encoding="utf-8")
        analyse_text(str(source), str(target))  # reportlab + the bundled font
        analyse_pdf(str(target), str(Path(folder) / "warm-rendition.pdf"))  # qpdf + pdfium
        image = io.BytesIO()
        Image.new("L", (8, 8), 255).save(image, "PNG")
        (Path(folder) / "warm.png").write_bytes(image.getvalue())
        analyse_image(str(Path(folder) / "warm.png"), str(Path(folder) / "warm-image.pdf"))


# --- helpers -----------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """NFC, Unix line ends, no control characters (PostgreSQL refuses NUL), bounded length."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return text[:MAX_TEXT_CHARS].strip()


def _zip_statistic(path: str, member: str, pattern: bytes) -> int | None:
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open(member) as f:
                head = f.read(64 * 1024)
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError):
        return None
    match = re.search(pattern, head)
    return int(match.group(1)) if match and 0 < int(match.group(1)) < 1_000_000 else None


def _short(value, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_HANDLERS = {
    "pdf": analyse_pdf,
    "image": analyse_image,
    "docx": analyse_docx,
    "odt": analyse_odt,
    "text": analyse_text,
}
