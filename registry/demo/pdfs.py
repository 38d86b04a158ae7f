"""Real PDFs with Vietnamese text for the demo office (reportlab + the bundled DejaVu fonts)."""

import io
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from registry.fonts import register_reportlab_fonts

SEED_PARAGRAPHS = [p.strip() for p in (Path(__file__).with_name("seed_vi.txt")).read_text("utf-8").split("\n") if p.strip()]


def _styles():
    register_reportlab_fonts()
    base = dict(fontName="RegistrySerif", fontSize=12.5, leading=17)
    return {
        "header": ParagraphStyle("header", fontName="RegistrySerif-Bold", fontSize=11, leading=14, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName="RegistrySerif-Bold", fontSize=14, leading=19, alignment=TA_CENTER,
                                spaceBefore=8, spaceAfter=10),
        "body": ParagraphStyle("body", alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=6, **base),
        "small": ParagraphStyle("small", fontName="RegistrySerif", fontSize=10, leading=13, alignment=TA_CENTER),
    }


def congress_document_pdf(*, issuer: str, number: str, place_date: str, type_label: str, title: str,
                          paragraphs: list[str], signer: str = "", pages: int = 2) -> bytes:
    """A party document laid out as offices do: header block, number, title, body, signature."""
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=30 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title="", author="", subject="", creator="")
    header = Table(
        [[Paragraph(escape(issuer.upper()), st["header"]), Paragraph("ĐẢNG CỘNG SẢN VIỆT NAM", st["header"])],
         [Paragraph(f"Số {escape(number)}", st["small"]), Paragraph(f"<i>{escape(place_date)}</i>", st["small"])]],
        colWidths=[75 * mm, 85 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [header, Spacer(1, 8 * mm), Paragraph(escape(type_label.upper()), st["title"]),
             Paragraph(escape(title), st["title"])]
    body = paragraphs or SEED_PARAGRAPHS
    for page in range(pages):
        for paragraph in body:
            story.append(Paragraph(escape(paragraph), st["body"]))
        if page < pages - 1:
            story.append(PageBreak())
    if signer:
        story += [Spacer(1, 10 * mm), Paragraph(f"<b>{escape(signer)}</b>", st["small"])]
    doc.build(story)
    return buf.getvalue()
