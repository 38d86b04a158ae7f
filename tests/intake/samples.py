"""Test files built on the fly (nothing binary is committed): PDFs good and bad, office files, scans, text.

Django-free, so the benchmark and sandbox helpers can import it too.
"""

import io
import unicodedata

import pikepdf
from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas

from registry.fonts import register_reportlab_fonts

VI_TEXT = "Hướng dẫn rà soát tiêu chuẩn chính trị của nhân sự tham gia Ban Chấp hành Đảng bộ nhiệm kỳ 2025–2030"
VI_LINES = [
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Đảng ủy Bộ Công Thương",
    VI_TEXT,
    "Thực hiện Quy định số 126-QĐ/TW ngày 28/02/2018 của Bộ Chính trị về bảo vệ chính trị nội bộ Đảng.",
    "Các đồng chí cấp ủy viên nghiêm túc quán triệt, tổ chức thực hiện; báo cáo kết quả về Văn phòng Đảng ủy.",
]

ELF_HEADER = (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00"
              + b"\x78\x00\x40\x00\x00\x00\x00\x00" + b"\x40" + b"\x00" * 7 + b"\x00" * 8 + b"\x00" * 4
              + b"\x40\x00\x38\x00\x01\x00\x00\x00\x00\x00\x00\x00")


def text_pdf(lines=VI_LINES, *, pages=1, marker="") -> bytes:
    """A clean PDF with Vietnamese text on each page (DejaVu embedded)."""
    regular, bold = register_reportlab_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842), invariant=1)
    for page in range(pages):
        pdf.setFont(bold, 14)
        pdf.drawString(56, 780, f"Trang {page + 1} {marker}".strip())
        pdf.setFont(regular, 10)
        y = 750
        for line in lines:
            pdf.drawString(56, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def hostile_pdf() -> bytes:
    """A PDF carrying every active or hidden thing the rendition must drop: document JavaScript (name
    tree), OpenAction, page and annotation additional actions, a JavaScript link, an embedded file,
    XMP metadata and document info."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(marker="hostile")))
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x');")))
    pdf.Root.OpenAction = js
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("boot"), js])),
    )
    page = pdf.pages[0]
    page.obj.AA = pikepdf.Dictionary(O=js)
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array([50, 50, 200, 80]),
        A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("this.exportDataObject();")),
        AA=pikepdf.Dictionary(E=js),
    )
    launch = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array([50, 90, 200, 120]),
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/bin/sh")),
    )
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link), pdf.make_indirect(launch)]))
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ not really", mime_type="application/octet-stream")
    attachment = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=pikepdf.Array([0, 0, 10, 10]),
        FS=pdf.attachments["payload.exe"].obj,
    )
    page.obj.Annots.append(pdf.make_indirect(attachment))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = "Bí mật XMP"
    pdf.docinfo["/Title"] = "Bí mật DocInfo"
    pdf.docinfo["/Author"] = "Người soạn"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def encrypted_pdf(*, user: str = "matkhau", owner: str = "chu") -> bytes:
    pdf = pikepdf.open(io.BytesIO(text_pdf(marker="encrypted")))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user=user, owner=owner, R=6))
    return out.getvalue()


def truncated_pdf() -> bytes:
    data = text_pdf(pages=3, marker="truncated")
    return data[: len(data) * 2 // 3]


def damaged_pdf() -> bytes:
    """Complete (ends with startxref/%%EOF) but its cross-reference table is garbage."""
    data = bytearray(text_pdf(pages=2, marker="damaged"))
    start = data.rindex(b"\nxref\n") + 1
    end = data.rindex(b"trailer")
    for i in range(start + 5, end):
        if data[i : i + 1].isdigit():
            data[i] = ord("7")
    return bytes(data)


def docx_bytes(paragraphs=VI_LINES) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(unicodedata.normalize("NFD", paragraph))  # decomposed on purpose
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Nơi nhận"
    table.rows[0].cells[1].text = "Lưu Văn phòng"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(paragraphs=VI_LINES) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=paragraphs[0]))
    for paragraph in paragraphs[1:]:
        document.text.addElement(P(text=paragraph))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += base.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258")
    return bytes(out)


def scan(fmt: str, *, frames: int = 1, size=(320, 200)) -> bytes:
    images = []
    for i in range(frames):
        image = Image.new("RGB", size, "white")
        ImageDraw.Draw(image).text((10, 10 + 20 * i), f"scan page {i + 1}", fill="black")
        images.append(image)
    out = io.BytesIO()
    if frames > 1:
        images[0].save(out, fmt, save_all=True, append_images=images[1:], dpi=(200, 200))
    else:
        images[0].save(out, fmt, dpi=(200, 200))
    return out.getvalue()


SCAN_LINES = [
    "ĐẢNG BỘ BỘ CÔNG THƯƠNG",
    "Nghị quyết về công tác bảo vệ chính trị nội bộ",
    "Đồng chí Bí thư chủ trì hội nghị",
]


def vietnamese_scan(fmt: str = "PNG", *, lines=SCAN_LINES, dpi: int = 200, skew: float = 1.5, noise: int = 1200,
                    frames: int = 1, width_inches: float = 5.5) -> bytes:
    """A scanned page as a copier makes it: Vietnamese text in the bundled DejaVu at ~14 pt, ``dpi``,
    slightly skewed, with speckle noise (Pillow only; nothing binary is committed)."""
    import random

    from PIL import ImageFont

    from registry.fonts import SERIF

    rng = random.Random(42)
    font = ImageFont.truetype(str(SERIF), size=int(14 * dpi / 72))
    pixels_w = int(width_inches * dpi)
    line_h = int(24 * dpi / 72)
    images = []
    for frame in range(frames):
        image = Image.new("L", (pixels_w, line_h * (len(lines) + 2)), 255)
        draw = ImageDraw.Draw(image)
        for n, line in enumerate(lines):
            draw.text((int(0.4 * dpi), line_h * (n + 1)), line, font=font, fill=0)
        for _ in range(noise):
            x, y = rng.randrange(image.width), rng.randrange(image.height)
            draw.point((x, y), fill=rng.choice((0, 96, 160)))
        image = image.rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=255)
        images.append(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        images = [i.convert("RGB") for i in images]
    if frames > 1:
        images[0].save(out, fmt, save_all=True, append_images=images[1:], dpi=(dpi, dpi))
    else:
        images[0].save(out, fmt, dpi=(dpi, dpi))
    return out.getvalue()


def image_only_pdf(scan_bytes: bytes | None = None, *, dpi: int = 200) -> bytes:
    """A PDF whose only page is a scanned image (no text layer), as a scanner's "scan to PDF" writes it."""
    scan_bytes = scan_bytes or vietnamese_scan(dpi=dpi, width_inches=6)
    image = Image.open(io.BytesIO(scan_bytes))
    buffer = io.BytesIO()
    width, height = image.width * 72 / dpi, image.height * 72 / dpi
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    from reportlab.lib.utils import ImageReader

    pdf.drawImage(ImageReader(image), 0, 0, width, height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def unreadable_pdf() -> bytes:
    """Has a PDF's header and end, but no object any reader can find: damaged beyond repair."""
    import random

    noise = bytes(random.Random(7).randrange(256) for _ in range(4000)).replace(b"obj", b"xxx")
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + noise + b"\nstartxref\n4321\n%%EOF\n"


def jbig2_pdf(data: bytes = b"\x00\x00\x00\x00\x30\x00\x01\x00\x00\x00\x13garbage-not-jbig2", *,
              globals_data: bytes | None = None, marker: str = "jbig2") -> bytes:
    """A text page plus a JBIG2-coded image (here: a broken JBIG2 stream, which only jbig2dec would notice)."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(marker=marker)))
    parms = pikepdf.Dictionary()
    if globals_data is not None:
        parms.JBIG2Globals = pdf.make_stream(globals_data)
    image = pdf.make_stream(data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=64, Height=64,
                            ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=1, Filter=pikepdf.Name.JBIG2Decode,
                            DecodeParms=parms)
    page = pdf.pages[0]
    page.Resources.XObject = pikepdf.Dictionary(Jb=image)
    page.contents_add(pdf.make_stream(b"q 64 0 0 64 400 700 cm /Jb Do Q"))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
