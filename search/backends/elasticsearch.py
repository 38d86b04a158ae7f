"""The Elasticsearch backend: the same behaviour as the embedded one, for a ministry-wide cluster.

Writes go to the alias ``<INDEX_PREFIX>-docs``, which points at one versioned index
``<INDEX_PREFIX>-docs-<timestamp>``. A rebuild bulk-loads a new versioned index, moves the alias in one
``update_aliases`` call (searches never see a half-built index), catches up documents changed meanwhile,
and deletes the old index.
"""

import datetime as dt
import re

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import Index

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
from search.documents import RegistryDoc, es_source
from search.types import FACET_FIELDS, MARK_END, MARK_START, EngineHit, EngineResult

BULK_CHUNK = 500
_REGEX_SPECIAL = re.compile(r'([.?+*|{}\[\]()"\\#@&<>~])')


def _lucene_regex_escape(text: str) -> str:
    return _REGEX_SPECIAL.sub(r"\\\1", text)


class SearchBackend(BaseSearchBackend):
    name = "elasticsearch"
    capabilities = frozenset({Capability.PHRASES, Capability.HIGHLIGHTS, Capability.FACETS, Capability.AUTOCOMPLETE,
                              Capability.ALIAS_SWAP, Capability.ATOMIC_REBUILD, Capability.MULTI_PROCESS})

    def __init__(self, config: dict, client: Elasticsearch | None = None):
        super().__init__(config)
        url = config.get("ELASTICSEARCH_URL")
        if client is None and not url:
            raise ValueError("REGISTRY_SEARCH['ELASTICSEARCH_URL'] is required for the elasticsearch backend")
        options = dict(config.get("ELASTICSEARCH_OPTIONS") or {})
        options.setdefault("request_timeout", 30)
        self.client = client or Elasticsearch(url, **options)
        self.prefix = config.get("INDEX_PREFIX") or "registry"
        self.alias = f"{self.prefix}-docs"
        self.refresh = config.get("REFRESH", "wait_for")
        self._ensured = False

    def close(self):
        self.client.close()

    # -- index lifecycle -----------------------------------------------------------------------------------
    def _new_index_name(self) -> str:
        return f"{self.alias}-{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%d%H%M%S%f')}"

    def _create_index(self, name: str, *, with_alias: bool = False) -> None:
        index = Index(name)
        index.settings(number_of_shards=1)
        index.document(RegistryDoc)
        if with_alias:
            index.aliases(**{self.alias: {}})
        index.create(using=self.client)

    def concrete_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def ensure_index(self) -> None:
        if self._ensured:
            return
        if not self.concrete_indices():
            # A fixed first name: processes racing to create it get "already exists" instead of two indices
            # behind one alias (which would refuse writes).
            try:
                self._create_index(f"{self.alias}-initial", with_alias=True)
            except BadRequestError as exc:
                if "resource_already_exists" not in str(exc):
                    raise
        self._ensured = True

    # -- writing -----------------------------------------------------------------------------------------
    def _actions(self, rows, index):
        for row in rows:
            yield {"_op_type": "index", "_index": index, "_id": str(row["id"]), "_source": es_source(row)}

    def index_rows(self, rows) -> int:
        rows = list(rows)
        if not rows:
            return 0
        self.ensure_index()
        ok, _errors = helpers.bulk(self.client, self._actions(rows, self.alias), chunk_size=BULK_CHUNK,
                                   refresh=self.refresh)
        return ok

    def delete_ids(self, ids) -> int:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        self.ensure_index()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": str(pk)} for pk in ids)
        ok, _errors = helpers.bulk(self.client, actions, refresh=self.refresh, raise_on_error=False)
        return ok

    def rebuild(self, rows, *, progress=None) -> int:
        old = self.concrete_indices()
        name = self._new_index_name()
        self._create_index(name)
        started = dt.datetime.now(dt.timezone.utc)
        count = 0
        try:
            for ok, _item in helpers.streaming_bulk(self.client, self._actions(rows, name), chunk_size=BULK_CHUNK):
                count += 1
                if progress is not None:
                    progress(1)
            self.client.indices.refresh(index=name)
            actions = [{"remove": {"index": o, "alias": self.alias}} for o in old]
            actions.append({"add": {"index": name, "alias": self.alias}})
            self.client.indices.update_aliases(actions=actions)  # one atomic switch
        except BaseException:
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        self._ensured = True
        for o in old:
            self.client.indices.delete(index=o, ignore_unavailable=True)
        self._catch_up(started)
        return count

    def _catch_up(self, since):
        """Documents changed while the rebuild streamed were written to the old index: write them again."""
        from registry.models import Document
        from search.projection import iter_rows

        changed = list(Document.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
        if changed:
            self.index_rows(iter_rows(changed))

    def clear(self) -> None:
        for name in self.concrete_indices():
            self.client.indices.delete(index=name, ignore_unavailable=True)
        self._ensured = False
        self.ensure_index()

    # -- queries ---------------------------------------------------------------------------------------------
    @staticmethod
    def clearance_query(principals) -> dict:
        """(level ∈ open) OR (level ∈ need-to-know AND (id ∈ granted OR dossier ∈ granted dossiers))."""
        options = []
        if principals.open_levels:
            options.append({"terms": {"level": list(principals.open_levels)}})
        granted = []
        if principals.granted_document_ids:
            granted.append({"terms": {"id": list(principals.granted_document_ids)}})
        if principals.granted_dossier_ids:
            granted.append({"terms": {"dossier_id": list(principals.granted_dossier_ids)}})
        if principals.ntk_levels and granted:
            options.append({"bool": {"filter": [{"terms": {"level": list(principals.ntk_levels)}},
                                                {"bool": {"should": granted, "minimum_should_match": 1}}]}})
        if not options:
            return {"bool": {"must_not": {"match_all": {}}}}
        return {"bool": {"should": options, "minimum_should_match": 1}}

    @staticmethod
    def filter_clauses(filters) -> list[dict]:
        out = []
        if filters.levels:
            out.append({"terms": {"level": list(filters.levels)}})
        if filters.doc_types:
            out.append({"terms": {"doc_type": list(filters.doc_types)}})
        if filters.issuer:
            out.append({"term": {"issuer": filters.issuer}})
        if filters.direction:
            out.append({"term": {"direction": filters.direction}})
        if filters.register_id is not None:
            out.append({"term": {"register_id": int(filters.register_id)}})
        if filters.place:
            out.append({"term": {"places": filters.place}})
        if filters.date_from or filters.date_to:
            bounds = {}
            if filters.date_from:
                bounds["gte"] = filters.date_from.isoformat()
            if filters.date_to:
                bounds["lte"] = filters.date_to.isoformat()
            out.append({"range": {"issue_date": bounds}})
        return out

    @staticmethod
    def _match(field, value, boost):
        return {"match": {field: {"query": value, "boost": boost}}}

    def _term_clause(self, term) -> dict:
        weights = (("title", WEIGHT_TITLE), ("summary", WEIGHT_SUMMARY), ("text", WEIGHT_TEXT))
        options = [self._match(f"{name}.folded", term.folded, w) for name, w in weights]
        options.append(self._match("issuer.folded", term.folded, WEIGHT_ISSUER))
        options.append({"term": {"number_tokens": {"value": term.folded, "boost": WEIGHT_NUMBER_TOKEN}}})
        if term.has_diacritics:
            options += [self._match(name, term.exact, w * EXACT_BOOST) for name, w in weights]
        return {"bool": {"should": options, "minimum_should_match": 1}}

    def _phrase_clause(self, phrase) -> dict:
        weights = (("title", WEIGHT_TITLE), ("summary", WEIGHT_SUMMARY), ("text", WEIGHT_TEXT))
        folded = " ".join(t.folded for t in phrase)
        options = [{"match_phrase": {f"{name}.folded": {"query": folded, "boost": w}}} for name, w in weights]
        if any(t.has_diacritics for t in phrase):
            exact = " ".join(t.exact for t in phrase)
            options += [{"match_phrase": {name: {"query": exact, "boost": w * EXACT_BOOST}}} for name, w in weights]
        return {"bool": {"should": options, "minimum_should_match": 1}}

    def text_query(self, plan) -> dict | None:
        if plan.empty:
            return None
        must = [self._term_clause(t) for t in plan.terms] + [self._phrase_clause(p) for p in plan.phrases]
        should = []
        if len(plan.terms) > 1:
            adjacent = " ".join(t.folded for t in plan.terms)
            should += [{"match_phrase": {f"{name}.folded": {"query": adjacent, "boost": w * PROXIMITY_BOOST}}}
                       for name, w in (("title", WEIGHT_TITLE), ("summary", WEIGHT_SUMMARY), ("text", WEIGHT_TEXT))]
        if plan.number_like:
            number = {"bool": {"filter": [{"term": {"number_tokens": tok}} for tok in plan.number_tokens]}}
            should.append({"constant_score": {"filter": number, "boost": NUMBER_MATCH_SCORE}})
        query = {"bool": {"must": must, "should": should}}
        return query

    def full_query(self, plan, principals, filters) -> tuple[dict, dict | None]:
        text = self.text_query(plan)
        query = {"bool": {"filter": [self.clearance_query(principals), *self.filter_clauses(filters)]}}
        if text is not None:
            query["bool"]["must"] = [text]
        return query, text

    def build_body(self, plan, principals, filters, *, offset, limit, facets) -> dict:
        """The whole request body of a search: trimmed query, page, highlights, facet aggregations."""
        query, text = self.full_query(plan, principals, filters)
        body = {"query": query, "from": offset, "size": limit, "track_total_hits": True, "_source": ["id"]}
        if text is None:
            body["sort"] = [{"id": "desc"}]
        else:
            body["highlight"] = {
                "pre_tags": [MARK_START], "post_tags": [MARK_END], "require_field_match": False,
                "highlight_query": text,
                "fields": {f"{name}.folded": {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS[name],
                                              "no_match_size": 0} for name in HIGHLIGHT_FIELDS},
            }
        if facets:
            body["aggs"] = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
        return body

    def search(self, plan, principals, filters, *, offset, limit, facets):
        self.ensure_index()
        body = self.build_body(plan, principals, filters, offset=offset, limit=limit, facets=facets)
        response = self.client.search(index=self.alias, body=body)
        hits = []
        for item in response["hits"]["hits"]:
            highlight = {}
            for name in HIGHLIGHT_FIELDS:
                fragments = (item.get("highlight") or {}).get(f"{name}.folded")
                if fragments and MARK_START in fragments[0]:
                    highlight[name] = fragments[0]
            hits.append(EngineHit(int(item["_source"]["id"]), float(item.get("_score") or 0.0), highlight))
        facet_counts = {}
        if facets:
            aggs = response.get("aggregations") or {}
            facet_counts = {name: {str(b["key"]): int(b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])}
                            for name in FACET_FIELDS}
        return EngineResult(int(response["hits"]["total"]["value"]), hits, facet_counts)

    def suggest(self, folded_prefix, principals, *, limit):
        self.ensure_index()
        body = {
            "size": 0,
            "query": {"bool": {"filter": [self.clearance_query(principals),
                                          {"prefix": {"suggest": folded_prefix}}]}},
            # Terms are counted over the trimmed query only: words of invisible documents never appear.
            "aggs": {"suggest": {"terms": {"field": "suggest", "size": limit,
                                           "include": _lucene_regex_escape(folded_prefix) + ".*"}}},
        }
        response = self.client.search(index=self.alias, body=body)
        buckets = (response.get("aggregations") or {}).get("suggest", {}).get("buckets", [])
        return [(b["key"], int(b["doc_count"])) for b in buckets]

    def indexed_versions(self):
        self.ensure_index()
        out = {}
        for item in helpers.scan(self.client, index=self.alias, query={"query": {"match_all": {}}},
                                 _source=["id", "updated", "digest"], size=1000):
            src = item["_source"]
            out[int(src["id"])] = (int(src.get("updated") or 0), int(src.get("digest") or 0))
        return out

    def info(self):
        self.ensure_index()
        return {"backend": self.name, "alias": self.alias, "indices": self.concrete_indices(),
                "documents": int(self.client.count(index=self.alias)["count"])}
