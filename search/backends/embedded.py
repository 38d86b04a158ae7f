"""The embedded backend: a tantivy index in a folder under REGISTRY_HOME. Nothing but Python needed.

Tantivy allows one writer per index. Every write here takes an inter-process ``fcntl.flock`` on
``writer.lock`` (and a thread lock), opens a writer, commits and releases it, so CLI commands, web workers
and the indexing signal queue instead of failing. Readers are cheap and many: before each search the reader
reloads if ``meta.json`` changed, so a commit by another process is seen by the next search.
A rebuild deletes and re-adds everything in one commit: readers see the old index until that commit.
"""

import contextlib
import datetime as dt
import fcntl
import os
import threading
from pathlib import Path

import tantivy

from search.backends.base import (
    EXACT_BOOST,
    FACET_SIZE,
    HIGHLIGHT_FIELDS,
    NUMBER_MATCH_SCORE,
    PROXIMITY_BOOST,
    SNIPPET_CHARS,
    WEIGHT_ISSUER,
    WEIGHT_NUMBER_TOKEN,
    WEIGHT_SUMMARY,
    WEIGHT_TEXT,
    WEIGHT_TITLE,
    BaseSearchBackend,
    Capability,
)
from search.highlight import marks_from_byte_ranges
from search.types import FACET_FIELDS, EngineHit, EngineResult

SCHEMA_VERSION = 1
EXACT = "vi_exact"  # words, lower-case, diacritics kept
FOLDED = "vi_fold"  # words, lower-case, diacritics folded (đ→d)
TEXT_FIELDS = ("title", "summary", "text")
RAW_FIELDS = ("level", "doc_type", "issuer", "direction", "year")
WRITER_HEAP = 50_000_000
REBUILD_HEAP = 200_000_000
SUGGEST_SCAN = 1000  # prefix terms examined before ranking by frequency
Must, Should = tantivy.Occur.Must, tantivy.Occur.Should
Q = tantivy.Query


def _analyzers():
    def words():
        return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(80)).filter(
            tantivy.Filter.lowercase())

    return {EXACT: words().build(), FOLDED: words().filter(tantivy.Filter.ascii_fold()).build()}


def build_schema():
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_integer_field("dossier_id", indexed=True, fast=True)
    sb.add_integer_field("register_id", indexed=True, fast=True)
    for name in RAW_FIELDS:
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    sb.add_text_field("places", tokenizer_name="raw")
    sb.add_text_field("number", stored=True, tokenizer_name="raw")
    sb.add_text_field("number_tokens", tokenizer_name="raw")
    sb.add_text_field("suggest", tokenizer_name="raw")
    for name in TEXT_FIELDS:
        sb.add_text_field(f"{name}_x", tokenizer_name=EXACT)
        sb.add_text_field(f"{name}_f", stored=True, tokenizer_name=FOLDED)
    sb.add_text_field("issuer_f", tokenizer_name=FOLDED)
    sb.add_date_field("issue_date", indexed=True, fast=True)
    sb.add_integer_field("voided", stored=True, indexed=True)
    sb.add_integer_field("updated", stored=True, fast=True)
    sb.add_integer_field("digest", stored=True, fast=True)
    return sb.build()


def _datetime(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


class SearchBackend(BaseSearchBackend):
    name = "embedded"
    capabilities = frozenset({Capability.PHRASES, Capability.HIGHLIGHTS, Capability.FACETS, Capability.AUTOCOMPLETE,
                              Capability.ATOMIC_REBUILD, Capability.MULTI_PROCESS})

    def __init__(self, config: dict):
        super().__init__(config)
        self.root = Path(config.get("INDEX_DIR") or "index")
        self.path = self.root / f"v{SCHEMA_VERSION}"
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock_path = self.root / "writer.lock"
        self.schema = build_schema()
        self._thread_lock = threading.RLock()
        with self._writer_lock():
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        for name, analyzer in _analyzers().items():
            self.index.register_tokenizer(name, analyzer)
        self.index.config_reader(reload_policy="manual")
        self._meta_mtime = None
        self._refresh()

    # -- locking and freshness ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writer_lock(self):
        with self._thread_lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.lock_path, "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _meta_stamp(self):
        try:
            st = os.stat(self.path / "meta.json")
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _refresh(self):
        stamp = self._meta_stamp()
        if stamp != self._meta_mtime:
            self.index.reload()
            self._meta_mtime = stamp

    def searcher(self):
        self._refresh()
        return self.index.searcher()

    @contextlib.contextmanager
    def _writer(self, heap=WRITER_HEAP, threads=1):
        with self._writer_lock():
            writer = self.index.writer(heap_size=heap, num_threads=threads)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self._refresh()

    # -- writing -------------------------------------------------------------------------------------------
    def _document(self, row: dict) -> tantivy.Document:
        doc = tantivy.Document()
        for name in ("id", "dossier_id", "register_id", "updated", "digest"):
            doc.add_integer(name, int(row[name]))
        doc.add_integer("voided", 1 if row["voided"] else 0)
        for name in RAW_FIELDS:
            if row[name]:
                doc.add_text(name, row[name])
        for name in ("places", "number_tokens", "suggest"):
            for value in row[name]:
                doc.add_text(name, value)
        doc.add_text("number", row["number"])
        for name in TEXT_FIELDS:
            doc.add_text(f"{name}_x", row[name])
            doc.add_text(f"{name}_f", row[name])
        doc.add_text("issuer_f", row["issuer"])
        if row["issue_date"]:
            doc.add_date("issue_date", _datetime(row["issue_date"]))
        return doc

    def index_rows(self, rows) -> int:
        rows = list(rows)
        if not rows:
            return 0
        with self._writer() as writer:
            for row in rows:
                writer.delete_documents_by_term("id", int(row["id"]))
                writer.add_document(self._document(row))
        return len(rows)

    def delete_ids(self, ids) -> int:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        with self._writer() as writer:
            for pk in ids:
                writer.delete_documents_by_term("id", pk)
        return len(ids)

    def rebuild(self, rows, *, progress=None) -> int:
        count = 0
        with self._writer(heap=REBUILD_HEAP, threads=2) as writer:
            writer.delete_all_documents()
            for row in rows:
                writer.add_document(self._document(row))
                count += 1
                if progress is not None:
                    progress(1)
        return count

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    # -- queries ---------------------------------------------------------------------------------------
    def _term(self, field, value):
        return Q.term_query(self.schema, field, value)

    def _terms(self, field, values):
        return Q.term_set_query(self.schema, field, list(values))

    def clearance_query(self, principals):
        """(level ∈ open) OR (level ∈ need-to-know AND (id ∈ granted OR dossier ∈ granted dossiers))."""
        options = []
        if principals.open_levels:
            options.append(self._terms("level", principals.open_levels))
        granted = []
        if principals.granted_document_ids:
            granted.append(self._terms("id", principals.granted_document_ids))
        if principals.granted_dossier_ids:
            granted.append(self._terms("dossier_id", principals.granted_dossier_ids))
        if principals.ntk_levels and granted:
            options.append(Q.boolean_query([(Must, self._terms("level", principals.ntk_levels)),
                                            (Must, Q.boolean_query([(Should, q) for q in granted]))]))
        if not options:
            return Q.empty_query()
        return Q.boolean_query([(Should, q) for q in options])

    def filter_queries(self, filters):
        out = []
        if filters.levels:
            out.append(self._terms("level", filters.levels))
        if filters.doc_types:
            out.append(self._terms("doc_type", filters.doc_types))
        if filters.issuer:
            out.append(self._term("issuer", filters.issuer))
        if filters.direction:
            out.append(self._term("direction", filters.direction))
        if filters.register_id is not None:
            out.append(self._term("register_id", int(filters.register_id)))
        if filters.place:
            out.append(self._term("places", filters.place))
        if filters.date_from or filters.date_to:
            out.append(Q.range_query(
                self.schema, "issue_date", tantivy.FieldType.Date,
                _datetime(filters.date_from) if filters.date_from else tantivy.MIN_DATETIME,
                _datetime(filters.date_to) if filters.date_to else tantivy.MAX_DATETIME,
            ))
        return out

    def _term_clause(self, term):
        weights = (("title", WEIGHT_TITLE), ("summary", WEIGHT_SUMMARY), ("text", WEIGHT_TEXT))
        options = [Q.boost_query(self._term(f"{name}_f", term.folded), w) for name, w in weights]
        options.append(Q.boost_query(self._term("issuer_f", term.folded), WEIGHT_ISSUER))
        options.append(Q.boost_query(self._term("number_tokens", term.folded), WEIGHT_NUMBER_TOKEN))
        if term.has_diacritics:
            options += [Q.boost_query(self._term(f"{name}_x", term.exact), w * EXACT_BOOST) for name, w in weights]
        return Q.boolean_query([(Should, q) for q in options])

    def _phrase_clause(self, phrase):
        weights = (("title", WEIGHT_TITLE), ("summary", WEIGHT_SUMMARY), ("text", WEIGHT_TEXT))
        folded = [t.folded for t in phrase]
        options = [Q.boost_query(Q.phrase_query(self.schema, f"{name}_f", folded), w) for name, w in weights]
        if any(t.has_diacritics for t in phrase):
            exact = [t.exact for t in phrase]
            options += [Q.boost_query(Q.phrase_query(self.schema, f"{name}_x", exact), w * EXACT_BOOST)
                        for name, w in weights]
        return Q.boolean_query([(Should, q) for q in options])

    def text_query(self, plan):
        """The scoring part of a query (also what highlights are drawn from); None for a browse."""
        if plan.empty:
            return None
        clauses = [(Must, self._term_clause(t)) for t in plan.terms]
        clauses += [(Must, self._phrase_clause(p)) for p in plan.phrases]
        if len(plan.terms) > 1:
            adjacent = [t.folded for t in plan.terms]
            clauses += [(Should, Q.boost_query(Q.phrase_query(self.schema, f"{name}_f", adjacent), w * PROXIMITY_BOOST))
                        for name, w in (("title", WEIGHT_TITLE), ("summary", WEIGHT_SUMMARY), ("text", WEIGHT_TEXT))]
        text = Q.boolean_query(clauses)
        if plan.number_like:
            number = Q.boolean_query([(Must, self._term("number_tokens", tok)) for tok in plan.number_tokens])
            text = Q.boolean_query([(Must, text), (Should, Q.const_score_query(number, NUMBER_MATCH_SCORE))])
        return text

    def full_query(self, plan, principals, filters):
        text = self.text_query(plan)
        restrictions = [self.clearance_query(principals), *self.filter_queries(filters)]
        clauses = [(Must, Q.const_score_query(r, 0.0)) for r in restrictions]
        if text is not None:
            clauses.insert(0, (Must, text))
        return Q.boolean_query(clauses), text

    def search(self, plan, principals, filters, *, offset, limit, facets):
        searcher = self.searcher()
        query, text = self.full_query(plan, principals, filters)
        if text is None:
            result = searcher.search(query, limit=limit, offset=offset, count=True, order_by_field="id",
                                     order=tantivy.Order.Desc)
        else:
            result = searcher.search(query, limit=limit, offset=offset, count=True)
        hits = []
        generators = {}
        if text is not None and result.hits:
            for name in HIGHLIGHT_FIELDS:
                gen = tantivy.SnippetGenerator.create(searcher, text, self.schema, f"{name}_f")
                gen.set_max_num_chars(SNIPPET_CHARS[name])
                generators[name] = gen
        for score, address in result.hits:
            doc = searcher.doc(address)
            highlight = {}
            for name, gen in generators.items():
                snippet = gen.snippet_from_doc(doc)
                ranges = [(r.start, r.end) for r in snippet.highlighted()]
                if ranges:
                    highlight[name] = marks_from_byte_ranges(snippet.fragment(), ranges)
            hits.append(EngineHit(int(doc.get_first("id")), float(score if text is not None else 0.0), highlight))
        facet_counts = self._facets(searcher, query) if facets else {}
        return EngineResult(int(result.count or 0), hits, facet_counts)

    def _facets(self, searcher, query):
        spec = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
        raw = searcher.aggregate(query, spec)
        return {name: {b["key"]: int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", [])}
                for name in FACET_FIELDS}

    def suggest(self, folded_prefix, principals, *, limit):
        """Entries with the prefix that occur in visible rows, most frequent first.

        The term dictionary is walked in byte order, but every term is counted only over the documents the
        clearance query admits; a term no visible document contains is never returned.
        """
        searcher = self.searcher()
        found = searcher.terms_with_prefix("suggest", folded_prefix, filter_query=self.clearance_query(principals),
                                           limit=max(SUGGEST_SCAN, limit))
        found.sort(key=lambda item: -item[1])
        return [(term, int(count)) for term, count in found[:limit]]

    def indexed_versions(self):
        searcher = self.searcher()
        total = searcher.num_docs
        if not total:
            return {}
        addresses = [a for _s, a in searcher.search(Q.all_query(), limit=total, count=False).hits]
        ids = searcher.fast_field_values("id", addresses)
        updated = searcher.fast_field_values("updated", addresses)
        digests = searcher.fast_field_values("digest", addresses)
        return {int(i): (int(u or 0), int(d or 0)) for i, u, d in zip(ids, updated, digests)}

    def info(self):
        return {"backend": self.name, "path": str(self.path), "documents": self.searcher().num_docs}
