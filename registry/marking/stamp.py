"""Stamping a PDF: the marks' blocks drawn once as Form XObjects, placed upright on every page where it is clear.

Each block (head: level stamp and copy number; handling stamps; trace line) is drawn once with reportlab and
reused on every page. Where it goes on a page comes from the page's layout (``layout.py``: clear areas of the
rendered page, stored with the rendition), in the page's *displayed* orientation and size (the CropBox clipped
to the MediaBox, swapped for /Rotate 90/270); a matrix undoes the rotation and moves it to the box's origin,
so the marks are upright, inside the visible area and off the page's own text whatever the page's geometry.
"""

import io
import secrets
from dataclasses import dataclass

import pikepdf
from pikepdf import Dictionary, Name

from registry.errors import ErrorCode, RegistryError
from registry.fonts import register_reportlab_fonts

from . import layout
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


def _draw_head(canvas, marks: Marks, fonts, width: float, height: float):
    """Level stamp in its double border, "Bản số" below it; top left of the block."""
    regular, bold = fonts
    pad = layout.STAMP_PAD
    # A long stamp ("GIẢI MẬT ngày … theo …") keeps its first two words in the box; the rest goes small below.
    label, rest = marks.level_stamp, ""
    if canvas.stringWidth(label, bold, layout.HEAD_STAMP_SIZE) > width - 2 * pad - 4 and len(label.split()) > 2:
        words = label.split()
        label, rest = " ".join(words[:2]), " ".join(words[2:]).lstrip("—–-: ")
    size = _fit(canvas, label, bold, layout.HEAD_STAMP_SIZE, width - 2 * pad - 4)
    text_w = canvas.stringWidth(label, bold, size)
    box_w, box_h = text_w + 2 * pad + 4, layout.HEAD_STAMP_SIZE + 2 * pad + 2
    top = height
    canvas.setLineWidth(1.4)
    canvas.rect(0.7, top - box_h, box_w - 1.4, box_h - 0.7, stroke=1, fill=0)
    inset = 2.6
    canvas.setLineWidth(0.8)
    canvas.rect(0.7 + inset, top - box_h + inset, box_w - 1.4 - 2 * inset, box_h - 0.7 - 2 * inset, stroke=1, fill=0)
    canvas.setFont(bold, size)
    canvas.drawString(pad + 2, top - box_h + pad + 1.2 + 0.18 * size, label)
    size = _fit(canvas, marks.copy_number_text, bold, layout.HEAD_COPY_SIZE, width)
    canvas.setFont(bold, size)
    baseline = top - box_h - 4 - size
    canvas.drawString(0, baseline, marks.copy_number_text)
    if rest:
        small = _fit(canvas, rest, regular, layout.HEAD_NOTE_SIZE, width)
        canvas.setFont(regular, small)
        canvas.drawString(0, baseline - 2 - small, rest)


def _draw_handling(canvas, marks: Marks, fonts, width: float, height: float):
    _regular, bold = fonts
    pad = layout.HANDLING_PAD
    y = height
    canvas.setLineWidth(1.0)
    for text in marks.handling_stamps:
        size = _fit(canvas, text, bold, layout.HANDLING_SIZE, width - 2 * pad)
        w = canvas.stringWidth(text, bold, size) + 2 * pad
        h = layout.HANDLING_SIZE + 2 * pad
        canvas.rect(width - w + 0.5, y - h + 0.5, w - 1, h - 1, stroke=1, fill=0)
        canvas.setFont(bold, size)
        canvas.drawString(width - w + pad, y - h + pad + 0.18 * size, text)
        y -= h + 3


def _draw_trace(canvas, marks: Marks, fonts, width: float, height: float):
    regular, _bold = fonts
    canvas.setFillColorRGB(*DARK_RED)
    size = _fit(canvas, marks.trace_line, regular, layout.TRACE_SIZE, width)
    canvas.setFont(regular, size)
    canvas.drawString(0, height * 0.3, marks.trace_line)


_BLOCKS = (("head", _draw_head), ("handling", _draw_handling), ("trace", _draw_trace))


def build_blocks(marks: Marks) -> dict[str, bytes]:
    """The blocks this copy carries, each drawn once at scale 1 as a page of one reportlab PDF.

    Returns the PDF and the block names in page order. Placement per page comes from the layout.
    """
    from reportlab.pdfgen.canvas import Canvas

    fonts = register_reportlab_fonts()
    sizes = layout.block_sizes()
    wanted = [name for name, _ in _BLOCKS if (name != "head" or marks.level_stamp)
              and (name != "handling" or marks.handling_stamps)]
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=getattr(sizes, wanted[0]), pageCompression=1, invariant=0)
    for name, draw in _BLOCKS:
        if name not in wanted:
            continue
        width, height = getattr(sizes, name)
        canvas.setPageSize((width, height))
        canvas.setFillColorRGB(*RED)
        canvas.setStrokeColorRGB(*RED)
        draw(canvas, marks, fonts, width, height)
        canvas.showPage()
    canvas.save()
    return {"pdf": buf.getvalue(), "names": wanted}


def _page_resources(page: pikepdf.Page) -> Dictionary:
    """The page's own /Resources, copying an inherited one down first (pikepdf would create an empty one)."""
    if "/Resources" not in page.obj:
        inherited = _inherited(page.obj, "/Resources")
        page.obj.Resources = Dictionary(inherited.items()) if isinstance(inherited, Dictionary) else Dictionary()
    resources = page.obj.Resources
    if "/XObject" not in resources:
        resources.XObject = Dictionary()
    return resources


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _block_ops(name: Name, slot: layout.Slot, size: tuple[float, float], sx: float, sy: float) -> str:
    """Content operators placing one block (display space), on an opaque bordered panel where the page is busy."""
    x, y, scale = slot.x * sx, slot.y * sy, slot.scale * min(sx, sy)
    w, h = size[0] * scale, size[1] * scale
    ops = []
    if slot.panel:
        m = 2.5 * scale
        ops.append(f"q 1 1 1 rg {_num(RED[0])} 0 0 RG {_num(0.6 * scale)} w "
                   f"{_num(x - m)} {_num(y - m)} {_num(w + 2 * m)} {_num(h + 2 * m)} re B Q")
    ops.append(f"q {_num(scale)} 0 0 {_num(scale)} {_num(x)} {_num(y)} cm {name} Do Q")
    return "\n".join(ops)


def _apply(pdf: pikepdf.Pdf, marks: Marks, layouts: list[layout.PageLayout]):
    geometries = [page_geometry(page) for page in pdf.pages]
    blocks = build_blocks(marks)
    blocks_pdf = pikepdf.open(io.BytesIO(blocks["pdf"]))
    sizes = layout.block_sizes()
    tag = secrets.token_hex(3)
    forms = {}
    for index, block in enumerate(blocks["names"]):
        formx = blocks_pdf.pages[index].as_form_xobject()
        forms[block] = (Name(f"/RegMark{tag}{index}"), pdf.copy_foreign(formx))
    for page, geometry, page_layout in zip(pdf.pages, geometries, layouts):
        resources = _page_resources(page)
        for name, formx in forms.values():
            resources.XObject[name] = formx
        width, height = geometry.display_size
        # The layout was measured on the rendered page; follow the page if its box differs (old layouts).
        sx = width / page_layout.width if page_layout.width else 1.0
        sy = height / page_layout.height if page_layout.height else 1.0
        ops = [_block_ops(name, getattr(page_layout, block), getattr(sizes, block), sx, sy)
               for block, (name, _formx) in forms.items()]
        matrix = " ".join(_num(v) for v in geometry.placement())
        # Isolate the page's own graphics state so an unbalanced stream cannot move or hide the stamp.
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(f"\nQ\nq {matrix} cm\n{chr(10).join(ops)}\nQ\n".encode("ascii"))


def stamp_pdf(source: bytes, marks: Marks, *, password: str | None = None, stamp_layout: dict | None = None) -> bytes:
    """Stamp every page of ``source`` with ``marks``; encrypt with AES-256 (R=6) when ``password`` is given.

    ``stamp_layout`` is the stored result of ``layout.analyse_pdf(source)``; without it (or if it does not fit
    this file) the pages are analysed now.
    """
    try:
        pdf = pikepdf.open(io.BytesIO(source))
    except pikepdf.PasswordError as exc:
        raise StampError("Bản đọc PDF bị khóa mật khẩu, không thể đóng dấu.", code=ErrorCode.PDF_ENCRYPTED) from exc
    except pikepdf.PdfError as exc:
        raise StampError("Bản đọc PDF bị hỏng, không thể đóng dấu.") from exc
    with pdf:
        if len(pdf.pages) == 0:
            raise StampError("Bản đọc PDF không có trang nào.")
        layouts = layout.page_layouts(stamp_layout, len(pdf.pages))
        if layouts is None:
            try:
                layouts = layout.page_layouts(layout.analyse_pdf(source), len(pdf.pages))
            except Exception:  # pdfium cannot render what pikepdf opened: blank-page layouts (top-left, foot)
                layouts = None
            if layouts is None:
                layouts = [layout.analyse_page(_blank(g), *g.display_size) for g in map(page_geometry, pdf.pages)]
        _apply(pdf, marks, layouts)
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


def _blank(geometry: Geometry):
    import numpy as np

    width, height = geometry.display_size
    return np.full((max(1, int(height * layout.PX_PER_PT)), max(1, int(width * layout.PX_PER_PT))), 255, np.uint8)


__all__ = ["COPY_ID_KEY", "Geometry", "StampError", "build_blocks", "page_geometry", "stamp_pdf"]
