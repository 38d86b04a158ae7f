"""The Elasticsearch mapping of an index row: analyzers and a DSL Document (no ICU plugin needed).

* ``vi_exact``: standard tokenizer + lowercase (diacritics kept) — scores terms typed with diacritics.
* ``vi_fold``: standard tokenizer + lowercase + asciifolding(preserve_original) — folds đ→d and the tone
  marks, keeping the original token too, so both spellings match and highlight on the stored text.
* ``vi_edge``: vi_fold + edge n-grams, on ``title.prefix`` for as-you-type document matches.
* ``number_tokens`` and ``suggest`` are keywords (lower-case, folded in Python by the projection).
"""

from elasticsearch.dsl import Boolean, Date, Document, Integer, Keyword, Long, Text, analyzer, normalizer, token_filter

fold_filter = token_filter("vi_asciifolding", "asciifolding", preserve_original=True)
edge_filter = token_filter("vi_edge_ngram", "edge_ngram", min_gram=1, max_gram=20)

vi_exact = analyzer("vi_exact", tokenizer="standard", filter=["lowercase"])
vi_fold = analyzer("vi_fold", tokenizer="standard", filter=["lowercase", fold_filter])
vi_edge = analyzer("vi_edge", tokenizer="standard", filter=["lowercase", fold_filter, edge_filter])
folded_keyword = normalizer("vi_keyword", filter=["lowercase", "asciifolding"])


def _text():
    return Text(analyzer=vi_exact, fields={"folded": Text(analyzer=vi_fold)})


class RegistryDoc(Document):
    """One registered document as the engine sees it (built by search.projection.build_row)."""

    id = Long()
    dossier_id = Long()
    register_id = Long()
    level = Keyword()
    doc_type = Keyword()
    issuer = Keyword(fields={"folded": Text(analyzer=vi_fold)})
    direction = Keyword()
    year = Keyword()
    places = Keyword()
    number = Keyword(fields={"normalized": Keyword(normalizer=folded_keyword)})
    number_tokens = Keyword(normalizer=folded_keyword)
    title = Text(analyzer=vi_exact, fields={"folded": Text(analyzer=vi_fold),
                                            "prefix": Text(analyzer=vi_edge, search_analyzer=vi_fold)})
    summary = _text()
    text = _text()
    issue_date = Date(format="yyyy-MM-dd")
    voided = Boolean()
    suggest = Keyword()
    updated = Long()
    digest = Long()
    schema_version = Integer()


SCHEMA_VERSION = 1


def es_source(row: dict) -> dict:
    source = dict(row)
    source["issue_date"] = row["issue_date"].isoformat() if row["issue_date"] else None
    source["schema_version"] = SCHEMA_VERSION
    return source
