"""Stamping a PDF: one reportlab overlay per (visible size, rotation), placed upright on every page.

The overlay is drawn in the page's *displayed* orientation and size (the CropBox clipped to the MediaBox,
swapped for /Rotate 90/270) and placed with a matrix that undoes the rotation and moves it to the box's
origin, so the stamp is upright and inside the visible area whatever the page's geometry. The trace text is
the same on every page, so each distinct geometry is drawn once and reused as a Form XObject.
"""

import io
import secrets
from dataclasses import dataclass

import pikepdf
from pikepdf import Dictionary, Name

from registry.errors import ErrorCode, RegistryError
from registry.fonts import register_reportlab_fonts

from .marks import Marks

COPY_ID_KEY = "/RegistryCopyId"
XMP_COPY_ID = "pdfx:RegistryCopyId"  # also kept in XMP, left unencrypted so a locked copy can still be traced

RED = (0.80, 0.0, 0.0)
DARK_RED = (0.55, 0.0, 0.0)
A4_SHORT_SIDE = 595.0


class StampError(RegistryError):
    code = ErrorCode.DOCUMENT_DAMAGED


@dataclass(frozen=True)
class Geometry:
    """Where a page is seen: its visible box in user space and its rotation (0/90/180/270)."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotation: int

    @property
    def display_size(self) -> tuple[float, float]:
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (h, w) if self.rotation in (90, 270) else (w, h)

    @property
    def key(self) -> tuple[float, float]:
        # Overlays depend only on the displayed size; rotation and origin go into the placement matrix.
        w, h = self.display_size
        return (round(w, 2), round(h, 2))

    def placement(self) -> tuple[float, ...]:
        """Matrix (a b c d e f) from overlay space (upright display, origin bottom-left) to user space."""
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        return {
            0: (1, 0, 0, 1, x0, y0),
            90: (0, 1, -1, 0, x1, y0),
            180: (-1, 0, 0, -1, x1, y1),
            270: (0, -1, 1, 0, x0, y1),
        }[self.rotation]


def _inherited(page_obj, key: str):
    node, depth = page_obj, 0
    while node is not None and depth < 64:  # a page tree deeper than this is malformed
        if key in node:
            return node[key]
        node = node.get("/Parent")
        depth += 1
    return None


def _box(value) -> tuple[float, float, float, float] | None:
    try:
        a, b, c, d = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return min(a, c), min(b, d), max(a, c), max(b, d)


def page_geometry(page: pikepdf.Page) -> Geometry:
    media = _box(_inherited(page.obj, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    crop = _box(_inherited(page.obj, "/CropBox")) or media
    x0, y0 = max(media[0], crop[0]), max(media[1], crop[1])
    x1, y1 = min(media[2], crop[2]), min(media[3], crop[3])
    if x1 - x0 < 1 or y1 - y0 < 1:  # a CropBox outside the MediaBox: viewers fall back to the MediaBox
        x0, y0, x1, y1 = media
    try:
        rotation = int(_inherited(page.obj, "/Rotate") or 0) % 360
    except (TypeError, ValueError):
        rotation = 0
    if rotation % 90:
        rotation = 0
    return Geometry(x0, y0, x1, y1, rotation)


def _fit(canvas, text, font, size, max_width) -> float:
    width = canvas.stringWidth(text, font, size)
    return size if width <= max_width or width == 0 else size * max_width / width


def _draw_overlay_page(canvas, width: float, height: float, marks: Marks, fonts: tuple[str, str]):
    regular, bold = fonts
    s = max(0.25, min(1.0, min(width, height) / A4_SHORT_SIDE))
    margin = 18 * s
    room = width - 2 * margin
    canvas.setFillColorRGB(*RED)
    canvas.setStrokeColorRGB(*RED)
    top = height - margin
    left_bottom = top
    left_width = 0.0
    if marks.level_stamp:
        # Level stamp: bold capitals in a double border, top left.
        pad = 5 * s
        size = _fit(canvas, marks.level_stamp, bold, 16 * s, room - 2 * pad - 4 * s)
        text_w = canvas.stringWidth(marks.level_stamp, bold, size)
        box_w, box_h = text_w + 2 * pad + 4 * s, size + 2 * pad + 2 * s
        canvas.setLineWidth(1.4 * s)
        canvas.rect(margin, top - box_h, box_w, box_h, stroke=1, fill=0)
        inset = 2.6 * s
        canvas.setLineWidth(0.8 * s)
        canvas.rect(margin + inset, top - box_h + inset, box_w - 2 * inset, box_h - 2 * inset, stroke=1, fill=0)
        canvas.setFont(bold, size)
        canvas.drawString(margin + pad + 2 * s, top - box_h + pad + 1.2 * s + 0.18 * size, marks.level_stamp)
        size = _fit(canvas, marks.copy_number_text, bold, 11 * s, room)
        canvas.setFont(bold, size)
        canvas.drawString(margin, top - box_h - 4 * s - size, marks.copy_number_text)
        left_bottom = top - box_h - 4 * s - size
        left_width = max(box_w, canvas.stringWidth(marks.copy_number_text, bold, size))
    # Handling stamps: top right when they fit beside the level stamp, else below it.
    stamps = marks.handling_stamps
    if stamps:
        pad = 3.5 * s
        sizes = [_fit(canvas, t, bold, 10 * s, room - 2 * pad) for t in stamps]
        widths = [canvas.stringWidth(t, bold, z) + 2 * pad for t, z in zip(stamps, sizes)]
        beside = left_width + max(widths) + margin <= room
        y = top if beside else left_bottom - 6 * s
        canvas.setLineWidth(1.0 * s)
        for text, size, w in zip(stamps, sizes, widths):
            x = (width - margin - w) if beside else margin
            h = size + 2 * pad
            canvas.rect(x, y - h, w, h, stroke=1, fill=0)
            canvas.setFont(bold, size)
            canvas.drawString(x + pad, y - h + pad + 0.18 * size, text)
            y -= h + 3 * s
    # Trace line at the foot: who, when, which copy (and the machine-readable copy id).
    canvas.setFillColorRGB(*DARK_RED)
    line = marks.trace_line
    size = _fit(canvas, line, regular, 7 * s, room)
    canvas.setFont(regular, size)
    canvas.drawString(margin, max(2.0, margin * 0.5), line)


def build_overlays(sizes: list[tuple[float, float]], marks: Marks) -> bytes:
    """One reportlab PDF with a page per displayed size, in the order given."""
    from reportlab.pdfgen.canvas import Canvas

    fonts = register_reportlab_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=sizes[0], pageCompression=1, invariant=0)
    for width, height in sizes:
        canvas.setPageSize((width, height))
        _draw_overlay_page(canvas, width, height, marks, fonts)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _page_resources(page: pikepdf.Page) -> Dictionary:
    """The page's own /Resources, copying an inherited one down first (pikepdf would create an empty one)."""
    if "/Resources" not in page.obj:
        inherited = _inherited(page.obj, "/Resources")
        page.obj.Resources = Dictionary(inherited.items()) if isinstance(inherited, Dictionary) else Dictionary()
    resources = page.obj.Resources
    if "/XObject" not in resources:
        resources.XObject = Dictionary()
    return resources


def _apply(pdf: pikepdf.Pdf, marks: Marks):
    geometries = [page_geometry(page) for page in pdf.pages]
    sizes = list(dict.fromkeys(g.key for g in geometries))
    overlay_pdf = pikepdf.open(io.BytesIO(build_overlays(sizes, marks)))
    tag = secrets.token_hex(3)
    forms = {}
    for index, size in enumerate(sizes):
        formx = overlay_pdf.pages[index].as_form_xobject()
        forms[size] = (Name(f"/RegMark{tag}{index}"), pdf.copy_foreign(formx))
    for page, geometry in zip(pdf.pages, geometries):
        name, formx = forms[geometry.key]
        resources = _page_resources(page)
        resources.XObject[name] = formx
        matrix = " ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in geometry.placement())
        # Isolate the page's own graphics state so an unbalanced stream cannot move or hide the stamp.
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(f"\nQ\nq {matrix} cm {name} Do Q\n".encode("ascii"))


def stamp_pdf(source: bytes, marks: Marks, *, password: str | None = None) -> bytes:
    """Stamp every page of ``source`` with ``marks``; encrypt with AES-256 (R=6) when ``password`` is given."""
    try:
        pdf = pikepdf.open(io.BytesIO(source))
    except pikepdf.PasswordError as exc:
        raise StampError("Bản đọc PDF bị khóa mật khẩu, không thể đóng dấu.", code=ErrorCode.PDF_ENCRYPTED) from exc
    except pikepdf.PdfError as exc:
        raise StampError("Bản đọc PDF bị hỏng, không thể đóng dấu.") from exc
    with pdf:
        if len(pdf.pages) == 0:
            raise StampError("Bản đọc PDF không có trang nào.")
        _apply(pdf, marks)
        pdf.docinfo[Name(COPY_ID_KEY)] = marks.copy_id
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta[XMP_COPY_ID] = marks.copy_id
        out = io.BytesIO()
        if password:
            encryption = pikepdf.Encryption(
                owner=secrets.token_urlsafe(24),
                user=password,
                R=6,
                aes=True,
                metadata=False,
                allow=pikepdf.Permissions(modify_annotation=False, modify_assembly=False, modify_form=False,
                                          modify_other=False, extract=False, accessibility=True),
            )
            pdf.save(out, encryption=encryption)
        else:
            pdf.save(out)
        return out.getvalue()


__all__ = ["COPY_ID_KEY", "Geometry", "StampError", "build_overlays", "page_geometry", "stamp_pdf"]
