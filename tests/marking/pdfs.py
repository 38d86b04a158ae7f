"""Real PDFs for marking and reading tests, and a way to register a document that has one as its rendition."""

import hashlib
import io
import itertools

import pikepdf
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from reportlab.lib.pagesizes import A3, A4, landscape, letter
from reportlab.pdfgen.canvas import Canvas

from registry.actions.documents import StoredFile
from tests.factories import make_document

_unique = itertools.count(1)


def make_pdf(pages: int = 1, *, sizes=(A4,), text: str = "Nội dung trang") -> bytes:
    """A plain PDF with ``pages`` pages cycling through ``sizes``; body text in black only."""
    from registry.fonts import register_reportlab_fonts

    regular, _bold = register_reportlab_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=sizes[0])
    for index in range(pages):
        width, height = sizes[index % len(sizes)]
        canvas.setPageSize((width, height))
        canvas.setFont(regular, 11)
        canvas.drawString(width * 0.3, height * 0.5, f"{text} {index + 1}")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def odd_geometry_pdf() -> bytes:
    """Pages rotated 90/180/270, A3, letter, landscape, a tiny page with a non-zero origin and a CropBox."""
    sizes = [A4, A3, letter, landscape(A4), (144, 144), A4, A4]
    pdf = pikepdf.open(io.BytesIO(make_pdf(len(sizes), sizes=sizes)))
    pdf.pages[1].obj.Rotate = 90
    pdf.pages[2].obj.Rotate = 180
    pdf.pages[3].obj.Rotate = 270
    pdf.pages[4].obj.MediaBox = pikepdf.Array([100, 200, 244, 344])
    pdf.pages[5].obj.CropBox = pikepdf.Array([50, 60, 400, 500])
    pdf.pages[6].obj.MediaBox = pikepdf.Array([-300, -400, 295, 442])
    pdf.pages[6].obj.Rotate = 90
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def stored_pdf(content: bytes, name: str = "tai-lieu.pdf") -> StoredFile:
    """Save ``content`` as both original and rendition, as intake would for a clean PDF."""
    digest = hashlib.sha256(content).hexdigest()
    original = default_storage.save(f"originals/{digest}.pdf", ContentFile(content))
    rendition = default_storage.save(f"renditions/{digest}.pdf", ContentFile(content))
    return StoredFile(name=original, sha256=digest, size=len(content), mime_type="application/pdf",
                      original_filename=name, rendition_name=rendition, page_count=None)


def make_pdf_document(*, clerk=None, pages: int = 2, content: bytes | None = None, **overrides):
    content = content if content is not None else make_pdf(pages, text=f"Tài liệu mẫu {next(_unique)} trang")
    return make_document(clerk=clerk, stored=stored_pdf(content), **overrides)
