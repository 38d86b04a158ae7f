"""Where the marks go on each page: clear areas found from the rendered page, never over the page's own text.

A marked copy carries three blocks on every page: the *head* (level stamp in its double border and "Bản số"),
the *handling* stamps ("TÀI LIỆU THU HỒI", "CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ") and the *trace* line. Each page
is rendered small (pypdfium2, about 24 dpi, grey), every non-white pixel counts as ink, and each block is put
at the clear position nearest its usual place (head top left, handling top right, trace at the foot), using
an integral image so every candidate position is checked at once. If no clear area fits, the block is shrunk
(down to 65 %); if it still does not fit, it goes where it covers the least ink, on an opaque white panel with
a thin border, so the marks are always legible and never printed over text.

The analysis costs about 1–2 ms a page. It is done once per rendition and stored with the document
(``Document.stamp_layout``), so issuing a copy only places ready-made forms.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from registry.fonts import register_reportlab_fonts

from .marks import NAMED_ADDRESSEE_TEXT, RECALL_TEXT

LAYOUT_VERSION = 1
PX_PER_PT = 1 / 3  # render scale: 24 dpi, a pixel is 3 pt
INK_BELOW = 250  # grey level under which a pixel is ink: faint anti-aliased dots and small punctuation count
EDGE = 12.0  # pt kept clear of the paper's edge (printers cannot print closer than ~4 mm)
PAD = 4.0  # pt of clear space required around a block
SHRINK_STEPS = (1.0, 0.85, 0.72, 0.65)

# Worst-case texts: the block sizes must not depend on the copy being issued (layouts are computed once).
HEAD_STAMP_TEXT = "TUYỆT MẬT"
HEAD_COPY_TEXT = "Bản số: 00000"
TRACE_TEXT = ("Bản số: 00000 · Mã bản sao: RC-0000000000000000 · Cấp cho: canbo.xxxxxxxxxx "
              "(Nguyễn Thị Thanh Xuân Hương) · Lúc: 00/00/0000 00:00")
HEAD_STAMP_SIZE, HEAD_COPY_SIZE, HEAD_NOTE_SIZE, HANDLING_SIZE, TRACE_SIZE = 16.0, 11.0, 6.5, 10.0, 7.0
STAMP_PAD, HANDLING_PAD = 5.0, 3.5


@dataclass(frozen=True)
class Slot:
    """A block's place on the displayed page (origin bottom left, points), its scale and whether it needs a panel."""

    x: float
    y: float
    scale: float
    panel: bool

    def as_list(self) -> list:
        return [round(self.x, 2), round(self.y, 2), round(self.scale, 3), int(self.panel)]

    @classmethod
    def from_list(cls, value) -> Slot:
        x, y, scale, panel = value
        return cls(float(x), float(y), float(scale), bool(panel))


@dataclass(frozen=True)
class PageLayout:
    width: float
    height: float
    head: Slot
    handling: Slot
    trace: Slot

    def as_list(self) -> list:
        return [round(self.width, 2), round(self.height, 2), self.head.as_list(), self.handling.as_list(),
                self.trace.as_list()]

    @classmethod
    def from_list(cls, value) -> PageLayout:
        width, height, head, handling, trace = value
        return cls(float(width), float(height), Slot.from_list(head), Slot.from_list(handling), Slot.from_list(trace))


@dataclass(frozen=True)
class BlockSizes:
    """Width and height (points, scale 1) of the three blocks."""

    head: tuple[float, float]
    handling: tuple[float, float]
    trace: tuple[float, float]


_SIZES: BlockSizes | None = None


def block_sizes() -> BlockSizes:
    """The blocks' sizes at scale 1, measured with the bundled font (the same formulas as the drawing)."""
    global _SIZES
    if _SIZES is None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        regular, bold = register_reportlab_fonts()
        stamp_w = stringWidth(HEAD_STAMP_TEXT, bold, HEAD_STAMP_SIZE) + 2 * STAMP_PAD + 4
        stamp_h = HEAD_STAMP_SIZE + 2 * STAMP_PAD + 2
        copy_w = stringWidth(HEAD_COPY_TEXT, bold, HEAD_COPY_SIZE)
        # The head keeps room for a small note line under the copy number (a declassification's date and decision).
        head = (max(stamp_w, copy_w), stamp_h + 4 + HEAD_COPY_SIZE * 1.1 + 2 + HEAD_NOTE_SIZE * 1.2)
        handling_w = max(stringWidth(t, bold, HANDLING_SIZE) for t in (RECALL_TEXT, NAMED_ADDRESSEE_TEXT))
        handling = (handling_w + 2 * HANDLING_PAD, 2 * (HANDLING_SIZE + 2 * HANDLING_PAD) + 3)
        trace = (stringWidth(TRACE_TEXT, regular, TRACE_SIZE), TRACE_SIZE * 1.4)
        _SIZES = BlockSizes(head, handling, trace)
    return _SIZES


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    return gray < INK_BELOW


class _Page:
    """The rendered page as an ink mask with an integral image, in pixels (row 0 at the top)."""

    def __init__(self, ink: np.ndarray, width: float, height: float):
        self.ink = ink.astype(np.int32)
        self.width, self.height = width, height
        self.rows, self.cols = ink.shape
        self._refresh()

    def _refresh(self):
        integral = np.zeros((self.rows + 1, self.cols + 1), dtype=np.int64)
        integral[1:, 1:] = self.ink.cumsum(0).cumsum(1)
        self.integral = integral

    def occupy(self, x: float, y: float, w: float, h: float):
        """Mark a placed block as ink, so the next blocks keep clear of it."""
        c0, r0, c1, r1 = self._px_rect(x, y, w, h, PAD)
        self.ink[r0:r1, c0:c1] = 1
        self._refresh()

    def _px_rect(self, x, y, w, h, pad):
        c0 = max(0, int(np.floor((x - pad) * PX_PER_PT)))
        c1 = min(self.cols, int(np.ceil((x + w + pad) * PX_PER_PT)))
        top = self.height - (y + h)  # distance from the top edge, points
        r0 = max(0, int(np.floor((top - pad) * PX_PER_PT)))
        r1 = min(self.rows, int(np.ceil((top + h + pad) * PX_PER_PT)))
        return c0, r0, c1, r1

    def ink_sums(self, w: float, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ink under a (w, h) block (plus padding) at every pixel position that keeps it EDGE from the edges.

        Returns (sums, xs, ys): sums[i, j] for the block whose bottom-left corner is at (xs[j], ys[i]) points.
        """
        bw = int(np.ceil((w + 2 * PAD) * PX_PER_PT))
        bh = int(np.ceil((h + 2 * PAD) * PX_PER_PT))
        edge = int(np.ceil((EDGE - PAD) * PX_PER_PT))
        c_first, r_first = max(0, edge), max(0, edge)
        c_last, r_last = self.cols - bw - edge, self.rows - bh - edge
        if c_last < c_first or r_last < r_first:
            return np.empty((0, 0)), np.empty(0), np.empty(0)
        cs = np.arange(c_first, c_last + 1)
        rs = np.arange(r_first, r_last + 1)
        I = self.integral  # noqa: E741
        sums = I[rs[:, None] + bh, cs[None, :] + bw] - I[rs[:, None], cs[None, :] + bw] \
            - I[rs[:, None] + bh, cs[None, :]] + I[rs[:, None], cs[None, :]]
        xs = cs / PX_PER_PT + PAD
        tops = rs / PX_PER_PT + PAD  # block's top edge from the page top, points
        ys = self.height - tops - h
        return sums, xs, ys


def _place(page: _Page, size: tuple[float, float], anchor: str) -> Slot:
    """The clear position nearest ``anchor`` ('top-left', 'top-right', 'bottom-left'), shrinking if needed."""
    fit = min(1.0, (page.width - 2 * EDGE) / size[0], (page.height - 2 * EDGE) / size[1])
    fit = max(fit, 0.05)
    best_panel = None
    for step in SHRINK_STEPS:
        scale = fit * step
        w, h = size[0] * scale, size[1] * scale
        sums, xs, ys = page.ink_sums(w, h)
        if sums.size == 0:
            continue
        ax = EDGE if anchor != "top-right" else page.width - EDGE - w
        ay = page.height - EDGE - h if anchor.startswith("top") else EDGE
        # Stay near the usual place; moving along the edge costs less than moving into the page.
        cost = np.abs(xs[None, :] - ax) + 2.5 * np.abs(ys[:, None] - ay)
        clear = sums == 0
        if clear.any():
            i, j = np.unravel_index(np.where(clear, cost, np.inf).argmin(), cost.shape)
            slot = Slot(float(xs[j]), float(ys[i]), scale, False)
            page.occupy(slot.x, slot.y, w, h)
            return slot
        if best_panel is None:
            # No clear area at full size: remember where a panel would hide the least, near the usual place.
            score = sums + cost / (cost.max() or 1.0)
            i, j = np.unravel_index(score.argmin(), score.shape)
            best_panel = Slot(float(xs[j]), float(ys[i]), scale, True)
    if best_panel is None:  # a page too small for any block at any scale: the corner, on a panel
        best_panel = Slot(min(EDGE, page.width * 0.02), page.height - size[1] * fit - min(EDGE, page.height * 0.02)
                          if anchor.startswith("top") else min(EDGE, page.height * 0.02), fit, True)
    page.occupy(best_panel.x, best_panel.y, size[0] * best_panel.scale, size[1] * best_panel.scale)
    return best_panel


def analyse_page(gray: np.ndarray, width: float, height: float) -> PageLayout:
    """Place the three blocks on one rendered page (``gray``: rows × cols, 0 black … 255 white)."""
    sizes = block_sizes()
    page = _Page(_ink_mask(gray), width, height)
    head = _place(page, sizes.head, "top-left")
    handling = _place(page, sizes.handling, "top-right")
    trace = _place(page, sizes.trace, "bottom-left")
    return PageLayout(width, height, head, handling, trace)


def analyse_pdf(source: bytes, password: str | None = None) -> dict:
    """The layout of every page of ``source``, as stored in ``Document.stamp_layout``."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(io.BytesIO(source), password=password)
    pages = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                width, height = page.get_size()  # displayed size: crop box, rotation applied
                bitmap = page.render(scale=PX_PER_PT, grayscale=True, draw_annots=True)
                try:
                    gray = bitmap.to_numpy()
                    if gray.ndim == 3:  # some builds hand back BGR(A) even when asked for grey
                        gray = gray[..., :3].min(axis=2)
                    pages.append(analyse_page(gray, float(width), float(height)).as_list())
                finally:
                    bitmap.close()
            finally:
                page.close()
    finally:
        pdf.close()
    return {"v": LAYOUT_VERSION, "pages": pages}


def page_layouts(layout: dict | None, page_count: int) -> list[PageLayout] | None:
    """Stored layouts if they are current and cover every page; None means: analyse again."""
    if not layout or layout.get("v") != LAYOUT_VERSION:
        return None
    pages = layout.get("pages") or []
    if len(pages) != page_count:
        return None
    try:
        return [PageLayout.from_list(p) for p in pages]
    except (TypeError, ValueError):
        return None
