"""CSV that a spreadsheet cannot turn into a formula (CSV/formula injection, OWASP).

Every CSV the product writes goes through ``safe_writer`` (or ``safe_cell``): a cell that starts with
``= + - @``, a tab or a carriage return is prefixed with an apostrophe, so that Excel and LibreOffice show
the text instead of evaluating it. Numbers stay numbers (a negative number is not text to neutralise).
"""

import csv

_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text.startswith(_DANGEROUS_FIRST):
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` with every cell neutralised."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_writer(stream, **kwargs) -> SafeWriter:
    return SafeWriter(stream, **kwargs)
