"""The stamp is on every page, upright and inside the visible area, whatever the page's geometry."""

import io

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops

from registry.constants import Level
from registry.marking import (
    COPY_ID_KEY,
    NAMED_ADDRESSEE_TEXT,
    RECALL_TEXT,
    Marks,
    StampError,
    new_copy_id,
    new_password,
    read_copy_id,
    stamp_pdf,
)
from tests.marking.pdfs import make_pdf, odd_geometry_pdf


def marks(level=Level.MAT, **overrides):
    values = dict(level=level, copy_number=7, copy_id=new_copy_id(), username="nguyenvana",
                  full_name="Nguyễn Văn A", recall=False, named_addressee_only=False)
    values.update(overrides)
    return Marks(**values)


def red_pixels(image: Image.Image, box: tuple[float, float, float, float]) -> int:
    """Red-ish pixels (the stamp's colours) in a box given as fractions of the image (left, top, right, bottom)."""
    w, h = image.size
    region = image.convert("RGB").crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    r, g, b = region.split()
    # Red dominates green and blue clearly: solid or anti-aliased red, never black, grey or white.
    mask = ImageChops.multiply(
        ImageChops.subtract(r, g).point(lambda v: 255 if v > 50 else 0),
        ImageChops.subtract(r, b).point(lambda v: 255 if v > 50 else 0),
    )
    return mask.histogram()[255]


def render(data: bytes, index: int, scale: float = 0.5, password=None) -> Image.Image:
    document = pdfium.PdfDocument(data, password=password)
    try:
        page = document[index]
        image = page.render(scale=scale).to_pil()
        page.close()
        return image
    finally:
        document.close()


def page_texts(data: bytes, password=None) -> list[str]:
    document = pdfium.PdfDocument(data, password=password)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


TOP_LEFT = (0.0, 0.0, 0.45, 0.16)
BOTTOM = (0.0, 0.9, 1.0, 1.0)
MIDDLE = (0.0, 0.3, 1.0, 0.7)


def test_stamp_on_every_page_of_a_100_page_document():
    source = pikepdf.open(io.BytesIO(make_pdf(100)))
    source.pages[60].obj.Rotate = 90
    buf = io.BytesIO()
    source.save(buf)
    stamped = stamp_pdf(buf.getvalue(), marks(Level.TUYET_MAT))
    assert red_pixels(render(buf.getvalue(), 0), (0, 0, 1, 1)) == 0  # the body itself has no red
    for index in (0, 49, 60, 99):  # first, middle, rotated, last: look closely
        image = render(stamped, index)
        if index == 60:
            assert image.width > image.height  # rendered in its rotated (landscape) orientation
        assert red_pixels(image, TOP_LEFT) > 200, f"no level stamp on page {index + 1}"
        assert red_pixels(image, BOTTOM) > 20, f"no trace line on page {index + 1}"
        assert red_pixels(image, MIDDLE) == 0
    texts = page_texts(stamped)
    assert len(texts) == 100
    for index, text in enumerate(texts):
        assert "TUYỆT MẬT" in text and "Bản số: 7" in text, f"page {index + 1}"


def test_each_block_is_drawn_once_for_the_whole_document():
    stamped = stamp_pdf(make_pdf(30), marks())
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        forms = {
            value.objgen
            for page in pdf.pages
            for name, value in page.obj.Resources.XObject.items()
            if name.startswith("/RegMark")
        }
        assert len(forms) == 2  # head (level stamp + copy number) and trace line, shared by all 30 pages


@pytest.mark.parametrize("index", range(7))
def test_odd_geometries_get_an_upright_stamp_inside_the_visible_area(index):
    source = odd_geometry_pdf()
    stamped = stamp_pdf(source, marks(Level.TOI_MAT, recall=True))
    image = render(stamped, index, scale=1.0)
    # Everything is drawn inside the visible area: the top-left corner holds the level stamp and the bottom
    # strip the trace line, in the page's displayed orientation.
    assert red_pixels(image, (0, 0, 0.6, 0.25)) > 30
    # (at twice the scale: on the 2-inch page the trace line, whose copy id is random, is only a few pixels)
    assert red_pixels(render(stamped, index, scale=2.0), (0, 0.85, 1, 1)) > 10
    if min(image.size) >= 200:  # a 2-inch page has no margins: its marks fill it, legibly
        assert red_pixels(image, (0.0, 0.35, 1.0, 0.65)) == 0
    text = page_texts(stamped)[index]
    assert "TỐI MẬT" in text and RECALL_TEXT in text


def test_stamp_is_upright_on_rotated_pages():
    """The level stamp's text runs left to right in the displayed page: its box is wider than tall."""
    stamped = stamp_pdf(odd_geometry_pdf(), marks(Level.MAT))
    for index in (1, 2, 3, 6):
        image = render(stamped, index, scale=1.0)
        w, h = image.size
        region = image.convert("RGB").crop((0, 0, int(w * 0.5), int(h * 0.2)))
        r, g, b = region.split()
        mask = ImageChops.multiply(r.point(lambda v: 255 if v > 110 else 0), g.point(lambda v: 255 if v < 90 else 0))
        left, top, right, bottom = mask.getbbox()
        assert right - left > bottom - top, f"stamp on page {index + 1} is not upright"


def test_unclassified_copy_has_only_the_trace_line():
    stamped = stamp_pdf(make_pdf(2), marks(Level.THUONG))
    image = render(stamped, 0)
    assert red_pixels(image, TOP_LEFT) == 0
    assert red_pixels(image, BOTTOM) > 20
    text = page_texts(stamped)[0]
    assert "MẬT" not in text.replace("Mã bản sao", "") and "Bản số: 7" in text


def test_handling_stamps_and_trace_text():
    m = marks(Level.MAT, recall=True, named_addressee_only=True)
    text = page_texts(stamp_pdf(make_pdf(1), m))[0]
    for expected in ("MẬT", "Bản số: 7", RECALL_TEXT, NAMED_ADDRESSEE_TEXT, m.copy_id, "nguyenvana", "Nguyễn Văn A"):
        assert expected in text


def test_copy_id_read_back_from_metadata_and_from_text_when_stripped():
    m = marks()
    stamped = stamp_pdf(make_pdf(3), m)
    assert read_copy_id(stamped) == m.copy_id
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        assert str(pdf.docinfo[COPY_ID_KEY]) == m.copy_id
        del pdf.trailer["/Info"]
        del pdf.Root["/Metadata"]
        out = io.BytesIO()
        pdf.save(out)
    assert m.copy_id.encode() not in out.getvalue()  # not in any plain-text place any more
    assert read_copy_id(out.getvalue()) == m.copy_id
    assert read_copy_id(make_pdf(1)) is None


def test_encrypted_copy_opens_with_its_password_only():
    m = marks(Level.TOI_MAT)
    password = new_password()
    stamped = stamp_pdf(make_pdf(2), m, password=password)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(stamped))
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(stamped), password="sai-mat-khau")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(stamped)
    with pikepdf.open(io.BytesIO(stamped), password=password) as pdf:
        assert pdf.encryption.R == 6 and pdf.encryption.stream_method.name == "aesv3" and pdf.encryption.bits == 256
        assert len(pdf.pages) == 2
    assert "TỐI MẬT" in page_texts(stamped, password=password)[0]
    # The copy id stays traceable without the password (unencrypted XMP).
    assert read_copy_id(stamped) == m.copy_id


def test_damaged_source_is_refused():
    with pytest.raises(StampError):
        stamp_pdf(b"%PDF-1.7 not really", marks())


def test_inherited_page_attributes_are_kept():
    """MediaBox, Rotate and Resources inherited from the page tree: the body keeps its fonts, the stamp fits."""
    pdf = pikepdf.open(io.BytesIO(make_pdf(2)))
    root = pdf.Root.Pages
    first = pdf.pages[0].obj
    root.MediaBox, root.Rotate, root.Resources = first.MediaBox, 90, first.Resources
    for page in pdf.pages:
        for key in ("/MediaBox", "/Resources", "/Rotate"):
            if key in page.obj:
                del page.obj[key]
    buf = io.BytesIO()
    pdf.save(buf)
    stamped = stamp_pdf(buf.getvalue(), marks(Level.MAT))
    texts = page_texts(stamped)
    assert all("Nội dung trang" in t and "MẬT" in t for t in texts)
    image = render(stamped, 1)
    assert image.width > image.height and red_pixels(image, TOP_LEFT) > 100


def test_page_without_contents_is_stamped():
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 400))
    if "/Contents" in pdf.pages[0].obj:
        del pdf.pages[0].obj["/Contents"]
    buf = io.BytesIO()
    pdf.save(buf)
    stamped = stamp_pdf(buf.getvalue(), marks(Level.MAT))
    assert red_pixels(render(stamped, 0), TOP_LEFT) > 50
