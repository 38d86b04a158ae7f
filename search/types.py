"""Value types of the search API: filters in, results and drift reports out. Backend-neutral."""

import datetime as dt
from dataclasses import asdict, dataclass, field

from registry.constants import DOCUMENT_TYPE_CODES, Direction, Level
from registry.text import clean_line, fold

# Folded, lower-case type code -> code; where two codes fold alike (QĐ, QĐi) the exact one must be typed.
_TYPE_BY_FOLDED = {fold(code).lower(): code for code in sorted(DOCUMENT_TYPE_CODES, key=len, reverse=True)}

FACET_FIELDS = ("level", "doc_type", "issuer", "direction", "year")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

# Highlight marks travel through the engines as private-use characters, so that everything else in a
# fragment can be HTML-escaped and only these become <mark>…</mark> (see search.highlight).
MARK_START = "\ue000"
MARK_END = "\ue001"


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing of a search. Empty values do not filter."""

    levels: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    issuer: str = ""
    direction: str = ""
    register_id: int | None = None
    place: str = ""  # StorageLocation code: the place and everything inside it
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_mapping(cls, data: dict | None) -> "SearchFilters":
        """From CLI options / GET parameters (strings or lists); raises ValueError naming the bad value."""
        data = data or {}

        def many(name):
            value = data.get(name)
            if value in (None, "", []):
                return ()
            if isinstance(value, str):
                value = [value]
            return tuple(part.strip() for v in value if v for part in str(v).split(",") if part.strip())

        def day(name):
            value = data.get(name)
            if value in (None, ""):
                return None
            if isinstance(value, dt.date):
                return value
            try:
                return dt.date.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(f"{name}: «{value}» không phải ngày dạng YYYY-MM-DD") from None

        register = data.get("register") or data.get("register_id")
        try:
            register_id = int(register) if register not in (None, "") else None
        except (TypeError, ValueError):
            raise ValueError(f"register: «{register}» không phải số") from None
        levels = many("level") or many("levels")
        unknown = [lv for lv in levels if lv not in Level.values]
        if unknown:
            raise ValueError(f"level: «{unknown[0]}» không phải độ mật ({', '.join(Level.values)})")
        doc_types = []
        for code in many("type") or many("doc_type") or many("doc_types"):
            known = _TYPE_BY_FOLDED.get(fold(code).lower())  # "QD" is typed for "QĐ"
            if code not in DOCUMENT_TYPE_CODES and known is None:
                raise ValueError(f"type: «{code}» không phải tên loại đã biết")
            doc_types.append(code if code in DOCUMENT_TYPE_CODES else known)
        direction = str(data.get("direction") or "").strip()
        if direction and direction not in Direction.values:
            raise ValueError(f"direction: «{direction}» (den hoặc di)")
        return cls(
            levels=levels,
            doc_types=tuple(doc_types),
            issuer=clean_line(str(data.get("issuer") or "")),
            direction=direction,
            register_id=register_id,
            place=str(data.get("place") or "").strip(),
            date_from=day("date_from") or day("from"),
            date_to=day("date_to") or day("to"),
        )

    def as_dict(self) -> dict:
        """Only the filters in use, JSON-ready (for the access log and links)."""
        out = {}
        for key, value in asdict(self).items():
            if value in ((), "", None):
                continue
            out[key] = value.isoformat() if isinstance(value, dt.date) else (list(value) if isinstance(value, tuple) else value)
        return out


@dataclass
class EngineHit:
    """What an engine returns for one hit, before the database re-check."""

    id: int
    score: float
    highlight: dict = field(default_factory=dict)  # field -> fragment with MARK_START/MARK_END


@dataclass
class EngineResult:
    total: int
    hits: list[EngineHit]
    facets: dict  # facet field -> {value: count}


@dataclass
class Hit:
    """One visible result. ``highlight`` maps title/summary/text to HTML-safe fragments with <mark>."""

    id: int
    number: str
    title: str
    level: str
    score: float
    highlight: dict
    doc_type: str = ""
    issuer: str = ""
    issue_date: dt.date | None = None
    direction: str = ""
    voided: bool = False
    url: str = "#"

    def as_dict(self) -> dict:
        return {"id": self.id, "number": self.number, "title": self.title, "level": self.level,
                "score": round(self.score, 4), "highlight": self.highlight, "voided": self.voided}


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    facets: dict
    page: int
    per_page: int
    filters: SearchFilters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict:
        return {"total": self.total, "hits": [h.as_dict() for h in self.hits], "facets": self.facets,
                "page": self.page, "pages": self.pages}


@dataclass
class DriftReport:
    """Differences between the database (truth) and the index (projection)."""

    in_database: int
    in_index: int
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    stale: list[int] = field(default_factory=list)  # indexed from an older version
    orphaned: list[int] = field(default_factory=list)  # in the index, gone from the database
    backend: str = ""

    @property
    def drift(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.orphaned)

    def as_dict(self, limit: int = 50) -> dict:
        return {"backend": self.backend, "in_database": self.in_database, "in_index": self.in_index,
                "drift": self.drift, "missing": self.missing[:limit], "stale": self.stale[:limit],
                "orphaned": self.orphaned[:limit], "missing_count": len(self.missing),
                "stale_count": len(self.stale), "orphaned_count": len(self.orphaned)}
