"""The parsing-heavy work of intake: structure checks, sanitised PDF renditions, page counts, text.

Runs inside the sandbox child (``registry.intake.sandbox``), so it must not import Django. Every
function takes a path to the original bytes (never modified) and the path where a rendition may be
written, and returns an ``Analysis`` or raises a typed ``IntakeError``.
"""

from __future__ import annotations

import dataclasses
import os
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

from . import sanitise

from .errors import (
    DocumentDamagedError,
    ExtractionFailedError,
    IntakeError,
    PdfDamagedError,
    PdfEncryptedError,
    PdfTruncatedError,
    ResourceLimitError,
    UnsupportedTypeError,
)

# Extracted text is for search and preview; beyond this it only weighs on the database and the index.
MAX_TEXT_CHARS = 2_000_000
# A text rendition is a reading aid: longer texts are cut (the original is always kept whole).
MAX_TEXT_RENDITION_PAGES = 300

# Page content decoded at registration, at most (all pages together): a "decompression bomb" stops here, in
# the request, instead of in the background task that reads the text (a few MB on disk can inflate to GBs).
MAX_CONTENT_BYTES = 256 * 1024 * 1024
# A scan worth reading by OCR: an image-only document whose largest picture has at least this many pixels.
OCR_MIN_IMAGE_PIXELS = 250_000
# How many warnings a record keeps (qpdf can report thousands for one broken cross-reference table).
MAX_WARNINGS = 20
MISSING_END = ("Tệp PDF thiếu phần kết thúc (startxref/%%EOF): có thể bị cắt cụt khi gửi; "
               "đã đọc được phần còn lại.")


@dataclass(frozen=True)
class Analysis:
    page_count: int | None
    text: str
    rendition: bool  # whether a rendition was written
    warnings: tuple[str, ...] = ()  # what a reader had to repair to read the file
    restrictions: str = ""  # what the sender's PDF permissions restrict (owner password), for the record
    needs_ocr: bool = False  # image-only content: a text layer would make it searchable


def analyse(path: str, kind: str, rendition_path: str, password: str = "", extract_text: bool = True) -> Analysis:
    """Check, render and extract one file of a known kind (see ``registry.intake.formats``).

    ``password`` opens an encrypted PDF; it only ever travels through the sandbox pipe and is not kept.
    With ``extract_text`` off (registration: text comes later, from ``content_text`` in a task) a PDF's text
    is not read and ``needs_ocr`` means "a scan, if it turns out to have no text".
    """
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise UnsupportedTypeError(f"Không xử lý được loại tệp «{kind}».")
    try:
        if kind == "pdf":
            return handler(path, rendition_path, password, extract_text)
        analysis = handler(path, rendition_path)
        if not extract_text:
            analysis = dataclasses.replace(analysis, text="")
        if analysis.rendition:
            _resanitise(rendition_path)
        return analysis
    except IntakeError as exc:
        # Parser messages start with the (temporary) path: keep server paths out of what people see.
        exc.message = exc.message.replace(f"{path}: ", "").replace(path, "tệp")
        exc.args = (exc.message,)
        raise


# --- PDF ---------------------------------------------------------------------------------------------


def analyse_pdf(path: str, rendition_path: str, password: str = "", extract_text: bool = True) -> Analysis:
    """Open with repair (qpdf's recovery; pdfium when qpdf cannot), rebuild the pages as a sanitised
    rendition, and refuse only a file that no reader can use. What was repaired is reported, not refused."""
    failure = None
    pdf = None
    try:
        pdf = pikepdf.open(path, password=password, attempt_recovery=True)
    except pikepdf.PasswordError:
        # qpdf wants a password; pdfium may still open it (e.g. only the attachments are encrypted)
        return _analyse_with_pdfium(path, rendition_path, password, "qpdf: password required", extract_text)
    except MemoryError:
        raise
    except Exception as exc:  # qpdf reports every kind of damage as a PdfError (or worse)
        _raise_if_out_of_memory(str(exc))
        failure = exc
    if pdf is not None:
        try:
            with pdf:
                restrictions = _restrictions(pdf, password)
                page_count = len(pdf.pages)
                if page_count:
                    check_page_content(pdf)
                    built = sanitise.build(pdf, rendition_path)
                    return _finish(path, rendition_path, page_count, _tidy(built.warnings, path), restrictions,
                                   built.image_pixels, extract_text)
                failure = "no pages"
        except (IntakeError, MemoryError, RecursionError):
            raise
        except Exception as exc:
            _raise_if_out_of_memory(str(exc))
            failure = exc
    return _analyse_with_pdfium(path, rendition_path, password, failure, extract_text)


def check_page_content(pdf: pikepdf.Pdf, limit: int = MAX_CONTENT_BYTES) -> None:
    """Decode every page's content streams (bounded, Flate streams incrementally) so that what the text
    reader will decode later cannot exceed ``limit`` bytes: the bomb is refused while the clerk waits."""
    import zlib

    budget = limit
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        for stream in streams:
            if not isinstance(stream, pikepdf.Stream):
                continue
            filters = stream.get("/Filter")
            if filters == pikepdf.Name.FlateDecode and "/DecodeParms" not in stream:
                inflater, chunk = zlib.decompressobj(), 16 * 1024 * 1024  # counted, never held whole
                try:
                    size = len(inflater.decompress(stream.read_raw_bytes(), chunk))
                    while size <= budget and inflater.unconsumed_tail:
                        size += len(inflater.decompress(inflater.unconsumed_tail, chunk))
                except zlib.error:
                    continue  # a broken stream: the reader copes (or not) as with any damage, no bomb
            else:
                try:
                    size = len(stream.read_bytes())  # other filters: the sandbox's memory cap bounds this
                except (pikepdf.PdfError, ValueError, RuntimeError):
                    continue
            budget -= size
            if budget < 0:
                raise ResourceLimitError(
                    "Nội dung các trang của tệp PDF khi giải nén vượt quá giới hạn cho phép "
                    f"({limit // (1024 * 1024)} MB): có thể là tệp độc hại («bom giải nén»).", limit="memory")


def _resanitise(rendition_path: str) -> None:
    """Renditions drawn here (text, scans) go through the same allow-list as any PDF: one rule for all."""
    import os

    rebuilt = rendition_path + ".clean"
    with pikepdf.open(rendition_path) as pdf:
        sanitise.build(pdf, rebuilt, flatten=False)
    os.replace(rebuilt, rendition_path)


def _locked(password: str) -> PdfEncryptedError:
    if password:
        return PdfEncryptedError("Mật khẩu mở tệp PDF không đúng; hãy kiểm tra lại mật khẩu.", password_given=True)
    return PdfEncryptedError("Tệp PDF có mật khẩu mở; hãy nhập mật khẩu của tệp để đăng ký.", password_given=False)


_PERMISSIONS = (
    ("print_highres", "in"),
    ("extract", "sao chép nội dung"),
    ("modify_other", "sửa nội dung"),
    ("modify_annotation", "thêm ghi chú"),
    ("modify_form", "điền biểu mẫu"),
    ("modify_assembly", "ghép, tách trang"),
)


def _restrictions(pdf: pikepdf.Pdf, password: str) -> str:
    """A plain sentence for the record when the PDF is encrypted (never the password itself)."""
    if not pdf.is_encrypted:
        return ""
    try:
        denied = [label for attribute, label in _PERMISSIONS if not getattr(pdf.allow, attribute, True)]
    except Exception:
        denied = []
    parts = []
    if password:
        parts.append("Tệp PDF có mật khẩu mở; đã mở bằng mật khẩu văn thư cung cấp (mật khẩu không được lưu).")
    else:
        parts.append("Tệp PDF đặt mật khẩu chủ sở hữu (mở được không cần mật khẩu).")
    if denied:
        parts.append("Người gửi hạn chế: không cho " + ", ".join(denied) + ".")
    return " ".join(parts)


def _finish(path, rendition_path, page_count, warnings_, restrictions, image_pixels, extract_text=True) -> Analysis:
    text = ""
    try:
        if extract_text:
            text = pdf_text(rendition_path)
    except ExtractionFailedError as exc:
        warnings_ = [*warnings_, exc.message]
    if _missing_end(path):
        warnings_ = [MISSING_END, *warnings_]
    return Analysis(page_count=page_count, text=text, rendition=True, warnings=tuple(warnings_[:MAX_WARNINGS]),
                    restrictions=restrictions,
                    needs_ocr=not text.strip() and image_pixels >= OCR_MIN_IMAGE_PIXELS)


def _analyse_with_pdfium(path, rendition_path, password, failure, extract_text=True) -> Analysis:
    """qpdf could not use the file: pdfium's own repair may. Its re-saved copy is sanitised like any other;
    failing that, the pages pdfium renders become an image rendition."""
    import io

    try:
        document = pdfium.PdfDocument(path, password=password or None)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4:  # FPDF_ERR_PASSWORD
            raise _locked(password) from None
        raise _unusable(path, failure or exc) from None
    try:
        page_count = len(document)
        if not page_count:
            raise _unusable(path, failure or "no pages")
        try:
            page = document[0]
            page.render(scale=0.25).close()
            page.close()
        except Exception as exc:
            raise _unusable(path, exc) from None
        warnings_ = [f"qpdf: {_short(failure)}", "Đã đọc bằng trình đọc pdfium (qpdf không mở được)."]
        image_pixels = 0
        try:
            buffer = io.BytesIO()
            document.save(buffer, flags=pdfium.raw.FPDF_REMOVE_SECURITY)
            with pikepdf.open(io.BytesIO(buffer.getvalue())) as copy:
                if len(copy.pages) != page_count:
                    raise ValueError("page count differs")
                image_pixels = sanitise.build(copy, rendition_path).image_pixels
        except MemoryError:
            raise
        except Exception:
            _raster_rendition(document, rendition_path)
            _resanitise(rendition_path)
            warnings_.append("Bản đọc dựng lại từ ảnh các trang.")
        text = _pdfium_text(document) if extract_text else ""
    finally:
        document.close()
    warnings_ = _tidy(warnings_, path)
    if _missing_end(path):
        warnings_.insert(0, MISSING_END)
    return Analysis(page_count=page_count, text=text, rendition=True, warnings=tuple(warnings_[:MAX_WARNINGS]),
                    restrictions="", needs_ocr=not text.strip() and image_pixels >= OCR_MIN_IMAGE_PIXELS)


def _raster_rendition(document, rendition_path: str, dpi: int = 100) -> None:
    pdf = canvas.Canvas(rendition_path, pageCompression=1, invariant=1)
    for index in range(len(document)):
        width, height, image = 595, 842, Image.new("RGB", (8, 8), "white")
        try:
            page = document[index]
            try:
                width, height = page.get_size()
                bitmap = page.render(scale=dpi / 72)
                image = bitmap.to_pil().convert("RGB")
                bitmap.close()
            finally:
                page.close()
        except Exception:
            pass
        pdf.setPageSize((width, height))
        pdf.drawImage(ImageReader(image), 0, 0, width, height)
        pdf.showPage()
    pdf.save()


def _pdfium_text(document) -> str:
    parts, total = [], 0
    for index in range(len(document)):
        try:
            page = document[index]
            textpage = page.get_textpage()
            chunk = textpage.get_text_range()
            textpage.close()
            page.close()
        except Exception:
            chunk = ""
        parts.append(chunk)
        total += len(chunk)
        if total > MAX_TEXT_CHARS:
            break
    return clean_text("\f".join(parts))


def _unusable(path: str, failure) -> IntakeError:
    """No reader can use the file: truncated when its end is missing, damaged otherwise."""
    if _missing_end(path):
        return PdfTruncatedError("Tệp PDF bị cắt cụt (thiếu phần kết thúc startxref/%%EOF) và không đọc được; "
                                 "hãy gửi lại tệp đầy đủ.")
    return PdfDamagedError(f"Tệp PDF bị hỏng, không trình đọc nào mở được: {_short(failure)}")


def _missing_end(path: str, tail_size: int = 2048) -> bool:
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - tail_size))
        tail = f.read().rstrip(b"\x00\t\n\x0c\r ")
    return b"%%EOF" not in tail[-1024:] or b"startxref" not in tail


def _tidy(warnings_, path: str) -> list[str]:
    """qpdf's warnings without server paths, duplicates or runaway length."""
    seen, out = set(), []
    for warning in warnings_:
        text = _short(str(warning).replace(f"{path}: ", "").replace(path, "tệp"), 300)
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return out


def _raise_if_out_of_memory(message: str) -> None:
    """qpdf turns a failed allocation (the sandbox's memory cap) into an exception or a mere warning."""
    if "bad_alloc" in message or "out of memory" in message.lower():
        raise ResourceLimitError("Tệp cần nhiều bộ nhớ hơn giới hạn cho phép để xử lý.", limit="memory")


def content_text(original_path: str, kind: str, rendition_path: str) -> str:
    """The searchable text of a registered file (the background half of intake, ``intake.process_document``):
    a PDF's or a scan's from its sanitised rendition; a word-processing or text file's from the original,
    whose paragraphs and table cells the rendition no longer separates."""
    if kind in ("pdf", "image"):
        try:
            return pdf_text(rendition_path)
        except ExtractionFailedError:
            return ""
    handler = _HANDLERS.get(kind)
    if handler is None:
        return ""
    scratch = rendition_path + ".text-scratch.pdf"
    try:
        return handler(original_path, scratch).text
    finally:
        if os.path.exists(scratch):
            os.remove(scratch)


def prove_pdf(path: str) -> bool:
    """Whether a reader opens the file as a PDF with at least one page (type detection by content)."""
    try:
        with pikepdf.open(path, attempt_recovery=True) as pdf:
            if len(pdf.pages):
                return True
    except pikepdf.PasswordError:
        return True
    except MemoryError:
        raise
    except Exception:
        pass
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        return getattr(exc, "err_code", None) == 4
    try:
        return len(document) > 0
    finally:
        document.close()


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
