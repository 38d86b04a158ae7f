"""Fonts bundled with the app (DejaVu: full Vietnamese coverage, free licence). Nothing is fetched at run time."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
SANS = FONT_DIR / "DejaVuSans.ttf"
SANS_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
SERIF = FONT_DIR / "DejaVuSerif.ttf"
SERIF_BOLD = FONT_DIR / "DejaVuSerif-Bold.ttf"


def register_reportlab_fonts() -> tuple[str, str]:
    """Register the bundled fonts with reportlab once; returns (regular, bold) font names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "RegistrySerif-Bold" not in pdfmetrics.getRegisteredFontNames():  # the last one: all four are there
        pdfmetrics.registerFont(TTFont("RegistrySans", str(SANS)))
        pdfmetrics.registerFont(TTFont("RegistrySans-Bold", str(SANS_BOLD)))
        pdfmetrics.registerFont(TTFont("RegistrySerif", str(SERIF)))
        pdfmetrics.registerFont(TTFont("RegistrySerif-Bold", str(SERIF_BOLD)))
    return "RegistrySans", "RegistrySans-Bold"
