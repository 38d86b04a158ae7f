"""The contract every search backend fulfils. The service layer (search.service) talks only to this.

Backends never decide who may see what: they receive the user's ``Principals`` and must apply them inside
the engine query, so that totals, facet counts, highlights and suggestions come only from visible rows.
"""

from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Iterable, Iterator

from registry.access.policy import Principals
from search.query import QueryPlan
from search.types import EngineResult, SearchFilters


class Capability(StrEnum):
    PHRASES = "phrases"
    HIGHLIGHTS = "highlights"
    FACETS = "facets"
    AUTOCOMPLETE = "autocomplete"
    ALIAS_SWAP = "alias_swap"  # rebuild into a new versioned index and flip an alias atomically
    ATOMIC_REBUILD = "atomic_rebuild"  # readers see the old index until the rebuilt one replaces it
    MULTI_PROCESS = "multi_process"  # several processes may read and write the same index


class BaseSearchBackend(ABC):
    name = "base"
    capabilities: frozenset = frozenset()

    def __init__(self, config: dict):
        self.config = config

    # -- writing ---------------------------------------------------------------------------------------
    @abstractmethod
    def index_rows(self, rows: Iterable[dict]) -> int:
        """Add or replace rows (keyed by ``id``); visible to searches when this returns."""

    @abstractmethod
    def delete_ids(self, ids: Iterable[int]) -> int:
        ...

    @abstractmethod
    def rebuild(self, rows: Iterator[dict], *, progress=None) -> int:
        """Replace the whole index with ``rows``; searches keep answering from the old one meanwhile."""

    @abstractmethod
    def clear(self) -> None:
        ...

    # -- reading ---------------------------------------------------------------------------------------
    @abstractmethod
    def search(self, plan: QueryPlan, principals: Principals, filters: SearchFilters, *, offset: int, limit: int,
               facets: bool) -> EngineResult:
        ...

    @abstractmethod
    def suggest(self, folded_prefix: str, principals: Principals, *, limit: int) -> list[tuple[str, int]]:
        """Suggestion entries (``folded<US>original``) starting with ``folded_prefix`` in visible rows."""

    @abstractmethod
    def indexed_versions(self) -> dict[int, tuple[int, int]]:
        """{id: (updated micros, digest)} for every row in the index."""

    def info(self) -> dict:
        return {"backend": self.name}

    def close(self) -> None:
        """Release resources (clients, readers)."""


# Weights shared by the backends so they rank alike.
WEIGHT_TITLE = 3.0
WEIGHT_SUMMARY = 1.5
WEIGHT_TEXT = 0.6
WEIGHT_ISSUER = 1.0
WEIGHT_NUMBER_TOKEN = 2.0
EXACT_BOOST = 3.0  # extra weight for a term typed with diacritics matching them exactly
PROXIMITY_BOOST = 2.0  # the query's words side by side, in order, outrank the same words scattered
NUMBER_MATCH_SCORE = 1000.0  # every number token matched: that document comes first
SNIPPET_CHARS = {"title": 200, "summary": 300, "text": 240}
HIGHLIGHT_FIELDS = ("title", "summary", "text")
FACET_SIZE = 50
