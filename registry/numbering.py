"""Document numbers and symbols (số, ký hiệu), domain.md §3.

Incoming symbols are accepted leniently: people type ``126-QĐ/TW``, ``126-QD/TW``, ``126 QĐ TW``,
``QĐ 126`` or ``126/QĐ-TW``. ``parse_number`` pulls out the number, the year (state legal texts), the
type and the issuer parts; ``number_tokens`` gives the folded tokens search matches on, whatever the
separators and diacritics. What the office issues itself is validated strictly (``validate_own_number``).
"""

import re
from dataclasses import dataclass, field

from registry.constants import DOCUMENT_TYPE_CODES
from registry.text import clean_line, fold

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+", re.UNICODE)
_FOLDED_TYPES = {fold(code).lower(): code for code in DOCUMENT_TYPE_CODES}
_PARTY = re.compile(r"^(?P<n>\d+)-(?P<type>[^\W\d_]+)/(?P<issuer>[^\W\d_][\w-]*)$", re.UNICODE)
_STATE_LEGAL = re.compile(r"^(?P<n>\d+)/(?P<year>\d{4})/(?P<type>[^\W\d_]+)-(?P<issuer>[\w-]+)$", re.UNICODE)
_STATE_ADMIN = re.compile(r"^(?P<n>\d+)/(?P<rest>[^\W\d_][\w-]*)$", re.UNICODE)


@dataclass(frozen=True)
class ParsedNumber:
    raw: str
    normalized: str
    value: int | None = None
    year: int | None = None
    type_code: str = ""
    issuer: str = ""
    tokens: tuple[str, ...] = field(default_factory=tuple)


def number_tokens(text: str) -> tuple[str, ...]:
    """Folded lower-case tokens of a number/symbol: ``126-QĐ/TW`` → ("126", "qd", "tw")."""
    return tuple(t.lower() for t in _TOKEN.findall(fold(clean_line(text))))


def parse_number(raw: str) -> ParsedNumber:
    text = clean_line(raw).replace(" ", "") if raw else ""
    tokens = number_tokens(raw or "")
    if not text:
        return ParsedNumber(raw="", normalized="", tokens=())
    m = _STATE_LEGAL.match(text)
    if m:
        return ParsedNumber(raw, text, int(m["n"]), int(m["year"]), m["type"], m["issuer"], tokens)
    m = _PARTY.match(text)
    if m:
        return ParsedNumber(raw, text, int(m["n"]), None, m["type"], m["issuer"], tokens)
    m = _STATE_ADMIN.match(text)
    if m:
        parts = m["rest"].split("-", 1)
        type_code = parts[0] if len(parts) == 2 and fold(parts[0]).lower() in _FOLDED_TYPES else ""
        issuer = parts[1] if type_code else m["rest"]
        return ParsedNumber(raw, text, int(m["n"]), None, type_code, issuer, tokens)
    # Lenient: first run of digits is the number; a known type abbreviation among the words is the type.
    value = next((int(t) for t in tokens if t.isdigit()), None)
    words = [t for t in tokens if not t.isdigit()]
    type_code = next((_FOLDED_TYPES[w] for w in words if w in _FOLDED_TYPES), "")
    return ParsedNumber(raw, clean_line(raw), value, None, type_code, "", tokens)


def format_party_number(value: int, type_code: str, issuer: str) -> str:
    return f"{value}-{type_code}/{issuer}"


def validate_own_number(text: str) -> ParsedNumber:
    """Strict check for a number the office issues itself: ``N-TYPE/ISSUER`` with a known type."""
    parsed = parse_number(text)
    if not _PARTY.match(parsed.normalized) or parsed.type_code not in DOCUMENT_TYPE_CODES:
        raise ValueError(f"'{text}' is not of the form N-TYPE/ISSUER with a known type")
    return parsed
