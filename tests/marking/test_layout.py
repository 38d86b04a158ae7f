"""Marks are placed where they can be read: in clear areas of the rendered page, never over the page's text.

The test page is an ordinary Vietnamese letter head (21 mm margins, "ĐẢNG CỘNG SẢN VIỆT NAM" at the top right,
the issuing body at the top left) and, for the hard case, a page whose margins are full of text too.
Rendered, the stamp's pixels (red) must not overlap any of the page's own text boxes (from pdfium's text page).
"""

import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from registry.constants import Level
from registry.fonts import register_reportlab_fonts
from registry.marking import Marks, stamp_pdf
from registry.marking.layout import analyse_pdf, page_layouts

MM = 72 / 25.4
LINE = "Căn cứ Điều lệ Đảng, Quy chế làm việc của Ban Chấp hành Đảng bộ nhiệm kỳ 2020 – 2025 và hướng dẫn số 19"


def letter(full_margins: bool = False, rotate: int = 0) -> bytes:
    regular, bold = register_reportlab_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    width, height = A4
    margin = 21 * MM
    canvas.setFont(bold, 12)
    canvas.drawCentredString(width - margin - 110, height - margin, "ĐẢNG CỘNG SẢN VIỆT NAM")
    canvas.drawCentredString(margin + 90, height - margin, "ĐẢNG BỘ BỘ CÔNG THƯƠNG")
    canvas.setFont(regular, 11)
    canvas.drawCentredString(margin + 90, height - margin - 16, "ĐẢNG ỦY")
    canvas.drawCentredString(margin + 90, height - margin - 32, "Số 110-HD/ĐU")
    y = height - margin - 80
    while y > margin:
        canvas.drawString(margin, y, LINE[:86])
        y -= 16
    if full_margins:
        # Text in every margin: running headers and footers, side notes, a filing stamp.
        canvas.setFont(regular, 8)
        for y in range(20, int(height) - 10, 11):
            canvas.drawString(6, y, "Lưu hồ sơ ·")
            canvas.drawRightString(width - 6, y, "· Văn phòng")
        for x in range(10, int(width) - 60, 70):
            canvas.drawString(x, height - 12, "Bản lưu")
            canvas.drawString(x, 10, "Trang 1/1")
    canvas.showPage()
    canvas.save()
    data = buf.getvalue()
    if rotate:
        pdf = pikepdf.open(io.BytesIO(data))
        pdf.pages[0].obj.Rotate = rotate
        out = io.BytesIO()
        pdf.save(out)
        data = out.getvalue()
    return data


def marks() -> Marks:
    return Marks(level=Level.TUYET_MAT, copy_number=12345, copy_id="RC-0123456789ABCDEF", username="canbo.tuyetmat",
                 full_name="Hoàng Minh Tuấn", recall=True, named_addressee_only=True)


def text_boxes(source: bytes, scale: float) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (left, top, right, bottom) of the source page's own characters, as rendered at ``scale``."""
    pdf = pdfium.PdfDocument(source)
    page = pdf[0]
    width, height = page.get_size()
    textpage = page.get_textpage()
    boxes = []
    for index in range(textpage.count_chars()):
        if textpage.get_text_range(index, 1).strip() == "":
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        # pdfium gives the box in page space; map through the page's rotation to the displayed image.
        x0, y0 = page_to_device(page, left, top, scale)
        x1, y1 = page_to_device(page, right, bottom, scale)
        boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return boxes


def page_to_device(page, x, y, scale):
    import pypdfium2.raw as raw
    import ctypes

    width, height = page.get_size()
    dx, dy = ctypes.c_int(), ctypes.c_int()
    raw.FPDF_PageToDevice(page, 0, 0, int(width * scale), int(height * scale), 0, x, y, dx, dy)
    return dx.value, dy.value


def red_mask(image):
    red = []
    pixels = image.load()
    for y in range(image.size[1]):
        for x in range(image.size[0]):
            r, g, b = pixels[x, y][:3]
            if r > 120 and g < 90 and b < 90:
                red.append((x, y))
    return red


def overlaps(points, boxes, grow=1):
    hits = 0
    for x, y in points:
        for left, top, right, bottom in boxes:
            if left - grow <= x <= right + grow and top - grow <= y <= bottom + grow:
                hits += 1
                break
    return hits


def render(data: bytes, scale: float):
    pdf = pdfium.PdfDocument(data)
    return pdf[0].render(scale=scale).to_pil().convert("RGB")


def block_rect(slot, size, page_height, scale):
    """The block's pixel rectangle (left, top, right, bottom) in the rendered image."""
    w, h = size[0] * slot.scale, size[1] * slot.scale
    return (slot.x * scale, (page_height - slot.y - h) * scale, (slot.x + w) * scale, (page_height - slot.y) * scale)


def inside(points, rect):
    left, top, right, bottom = rect
    return [(x, y) for x, y in points if left - 2 <= x <= right + 2 and top - 2 <= y <= bottom + 2]


def dark_pixels(image, rect):
    left, top, right, bottom = (int(v) for v in rect)
    pixels = image.load()
    return sum(1 for y in range(max(0, top), min(image.size[1], bottom)) for x in range(max(0, left), min(image.size[0], right))
               if max(pixels[x, y][:3]) < 80)


@pytest.mark.parametrize("full_margins", [False, True], ids=["letter", "margins-full-of-text"])
@pytest.mark.parametrize("rotate", [0, 90], ids=["upright", "rotated"])
def test_copy_number_is_legible_and_never_over_the_pages_text(full_margins, rotate, tmp_path):
    from registry.marking.layout import block_sizes

    source = letter(full_margins, rotate)
    layout = page_layouts(analyse_pdf(source), 1)[0]
    stamped = stamp_pdf(source, marks())
    scale = 1.5
    image = render(stamped, scale)
    image.save(tmp_path / f"stamp-{'full' if full_margins else 'letter'}-{rotate}.png")
    red = red_mask(image)
    boxes = text_boxes(source, scale)
    sizes = block_sizes()
    # The level stamp and copy number always find a clear area on these pages.
    assert not layout.head.panel
    head = inside(red, block_rect(layout.head, sizes.head, layout.height, scale))
    assert len(head) > 300, "the level stamp and copy number were not drawn"
    assert overlaps(head, boxes) == 0, f"copy number over the page's text (see {tmp_path})"
    for name in ("handling", "trace"):
        slot = getattr(layout, name)
        rect = block_rect(slot, getattr(sizes, name), layout.height, scale)
        if slot.panel:
            # No clear area: the block sits on an opaque panel, so no page text shows through it.
            assert dark_pixels(image, rect) == 0, f"{name}: page text shows under the marks (see {tmp_path})"
        else:
            assert overlaps(inside(red, rect), boxes) == 0, f"{name} over the page's text (see {tmp_path})"
    # Legible: the copy number and the level are in the copy's text layer, whole.
    text = pdfium.PdfDocument(stamped)[0].get_textpage().get_text_range()
    assert "Bản số: 12345" in text and "TUYỆT MẬT" in text


def test_a_letterhead_page_keeps_every_mark_off_its_text_without_a_panel():
    layout = analyse_pdf(letter())
    page = page_layouts(layout, 1)[0]
    assert not (page.head.panel or page.handling.panel or page.trace.panel)
    assert page.head.scale > 0.7  # the copy number keeps a readable size


def test_the_layout_is_found_once_and_reused(monkeypatch):
    source = letter(full_margins=True)
    stored = analyse_pdf(source)
    import registry.marking.layout as layout_module

    def fail(*args, **kwargs):
        raise AssertionError("analysed again although a layout was stored")

    monkeypatch.setattr(layout_module, "analyse_pdf", fail)
    stamp_pdf(source, marks(), stamp_layout=stored)
