"""Turning engine fragments into HTML that is safe to show: everything escaped except our highlight marks."""

from django.utils.html import escape

from search.types import MARK_END, MARK_START


def strip_marks(text: str) -> str:
    """Remove mark characters from indexed text so that only the engines can place them."""
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")


def safe_fragment(fragment: str) -> str:
    html = escape(fragment)
    return html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def marks_from_byte_ranges(fragment: str, ranges) -> str:
    """Insert marks into ``fragment`` at UTF-8 byte ranges (what tantivy's Snippet reports)."""
    data = fragment.encode("utf-8")
    out, pos = [], 0
    for start, end in sorted(ranges):
        if start < pos:
            continue
        out.append(data[pos:start].decode("utf-8", "ignore"))
        out.append(MARK_START + data[start:end].decode("utf-8", "ignore") + MARK_END)
        pos = end
    out.append(data[pos:].decode("utf-8", "ignore"))
    return "".join(out)
