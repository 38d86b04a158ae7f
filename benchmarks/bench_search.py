"""Search benchmark: index N synthetic Vietnamese documents, then time queries through the public search API
next to the bare engine on the same index.

    .venv/bin/python benchmarks/bench_search.py [--docs 100000] [--repeat 30] [--es]

Embedded (tantivy) always; Elasticsearch too with --es (an osmem-server in memory) or when ELASTICSEARCH_URL
is set. The documents are created in a fresh SQLite database with bulk_create (the API re-checks hits there),
indexed from the synthetic rows directly, and queried as a real staff user (principals, grants, access log).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "bảo vệ chính trị nội bộ",
    "bao ve chinh tri noi bo",
    "dang uy",
    "126-QĐ/TW",
    "QĐ 126",
    '"nhân sự đại hội"',
    "rà soát tiêu chuẩn",
    "quyết định thành lập tiểu ban",
]
TYPES = ["NQ", "QĐ", "CT", "KL", "HD", "BC", "KH", "TB", "CV", "BB"]
ISSUERS = [("Ban Chấp hành Trung ương", "TW"), ("Đảng ủy Bộ Công Thương", "ĐU"), ("Ban Tổ chức Trung ương", "BTCTW"),
           ("Đảng ủy Khối các cơ quan Trung ương", "ĐUK"), ("Văn phòng Đảng ủy", "VPĐU"), ("Chính phủ", "CP")]
NUMBERS = [n for n in range(1, 2000) if n != 126]  # 126-QĐ/TW is planted once; no look-alikes
LEVELS = ["thuong"] * 12 + ["mat"] * 5 + ["toi_mat"] * 2 + ["tuyet_mat"]


def percentile(values, pct):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def setup_django(home):
    os.environ["REGISTRY_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "registry.settings.base"
    os.environ.setdefault("REGISTRY_LOG_LEVEL", "ERROR")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def vocabulary():
    from registry.text import clean_line

    text = (ROOT / "registry" / "demo" / "seed_vi.txt").read_text(encoding="utf-8")
    words = [w.strip(".,;:“”\"()") for w in clean_line(text).split()]
    return [w for w in words if w and not any(ch.isdigit() for ch in w)]


def make_documents(n, seed=7):
    """Synthetic register rows in the database (bulk_create), one known 126-QĐ/TW document among them."""
    from wagtail.models import Collection

    from registry.models import Document, Dossier
    from registry.registers.numbering import book_for

    rng = random.Random(seed)
    words = vocabulary()
    collection = Collection.get_first_root_node()
    dossiers = [Dossier.objects.create(code=f"HS-{i:03}", title=f"Hồ sơ {i}") for i in range(20)]
    books, serials = {}, {}
    batch, created = [], []
    for i in range(n):
        level = rng.choice(LEVELS)
        direction = rng.choice(["den", "di"])
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
        key = (direction, level != "thuong", day.year)
        if key not in books:
            books[key] = book_for(*key)
            serials[key] = 0
        serials[key] += 1
        issuer, code = rng.choice(ISSUERS)
        doc_type = rng.choice(TYPES)
        number = f"{rng.choice(NUMBERS)}-{doc_type}/{code}"
        if i == 7:  # early, so that --es-docs subsets hold it too
            number, doc_type, issuer, level = "126-QĐ/TW", "QĐ", "Ban Chấp hành Trung ương", "thuong"
        title = " ".join(rng.choices(words, k=rng.randrange(6, 13))).capitalize()
        summary = " ".join(rng.choices(words, k=rng.randrange(12, 25))) if level != "tuyet_mat" else ""
        text = " ".join(rng.choices(words, k=rng.randrange(80, 160)))
        batch.append(Document(
            title=title[:255], collection=collection, direction=direction, register=books[key], serial=serials[key],
            number_raw=number, number_normalized=number, doc_type=doc_type, issuer=issuer, issue_date=day,
            summary=summary, level=level, extracted_text=text,
            dossier=rng.choice(dossiers) if rng.random() < 0.05 else None,
        ))
        if len(batch) == 2000:
            created += Document.objects.bulk_create(batch)
            batch = []
    created += Document.objects.bulk_create(batch)
    return created, dossiers


def synthetic_rows(documents):
    from search.projection import build_row, micros

    now = micros(dt.datetime.now(dt.timezone.utc))
    for d in documents:
        yield build_row(id=d.pk, level=d.level, doc_type=d.doc_type, issuer=d.issuer, direction=d.direction,
                        register_id=d.register_id, dossier_id=d.dossier_id, number=d.number_raw, title=d.title,
                        summary=d.summary, text=d.extracted_text, issue_date=d.issue_date, updated=now)


def make_staff(documents, dossiers):
    from django.utils import timezone

    from registry.actions.people import do_add_grant, do_add_user

    user = do_add_user("bench_staff", role="staff", clearance="toi_mat", unit="VP", password="pw-bench-123")
    until = timezone.localdate() + dt.timedelta(days=30)
    secret = [d for d in documents if d.level == "toi_mat"][:50]
    for d in secret:
        do_add_grant(user, document=d, until=until, reason="Benchmark")
    do_add_grant(user, dossier=dossiers[0], until=until, reason="Benchmark")
    return user


def time_calls(fns, repeat):
    """Milliseconds per call for each function, interleaved (a, b, c, a, b, c, …) so that load from other
    processes on the machine falls on all of them alike."""
    for fn in fns:
        fn()  # warm-up
    samples = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, samples):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return samples


def engine_embedded(backend, user):
    """The same engine work as the API (trimmed query, top 20 with count, facets, snippets) in raw tantivy calls,
    with the query objects built beforehand: what the API costs on top of this is our Python layer."""
    import tantivy

    from registry.access import principals
    from search.backends.base import HIGHLIGHT_FIELDS
    from search.query import plan_query
    from search.types import FACET_FIELDS, SearchFilters

    who = principals(user)
    spec = {name: {"terms": {"field": name, "size": 50}} for name in FACET_FIELDS}

    def prepare(q):
        query, text = backend.full_query(plan_query(q), who, SearchFilters())

        def run():
            searcher = backend.index.searcher()
            result = searcher.search(query, limit=20, count=True)
            docs = [searcher.doc(a) for _s, a in result.hits]
            searcher.aggregate(query, spec)
            for name in HIGHLIGHT_FIELDS:
                gen = tantivy.SnippetGenerator.create(searcher, text, backend.schema, f"{name}_f")
                for doc in docs:
                    gen.snippet_from_doc(doc).highlighted()
            return result.count

        return run

    return prepare


def minimal_embedded(backend):
    """Tantivy's own query parser on the folded fields, top 20 with a count: no trimming, facets or snippets."""
    def prepare(q):
        query = backend.index.parse_query(q, ["title_f", "summary_f", "text_f"])

        def run():
            searcher = backend.index.searcher()
            result = searcher.search(query, limit=20, count=True)
            return [searcher.doc(a) for _s, a in result.hits]

        return run

    return prepare


def engine_elasticsearch(backend, user):
    from registry.access import principals
    from search.query import plan_query
    from search.types import SearchFilters

    who = principals(user)

    def prepare(q):
        body = backend.build_body(plan_query(q), who, SearchFilters(), offset=0, limit=20, facets=True)
        return lambda: backend.client.search(index=backend.alias, body=body)

    return prepare


def minimal_elasticsearch(backend):
    def prepare(q):
        body = {"query": {"multi_match": {"query": q, "fields": ["title.folded", "summary.folded", "text.folded"]}},
                "size": 20, "track_total_hits": True, "_source": ["id"]}
        return lambda: backend.client.search(index=backend.alias, body=body)

    return prepare


def bench_backend(label, config, documents, user, repeat):
    """Index ``documents`` (from synthetic rows, not the ORM), then time each query; returns API/engine p50."""
    from django.test import override_settings

    import search
    from search.backends import reset_backend

    reset_backend()
    with override_settings(REGISTRY_SEARCH=config):
        backend = search.get_backend()
        start = time.perf_counter()
        count = backend.rebuild(synthetic_rows(documents))
        index_seconds = time.perf_counter() - start
        print(f"\n== {label}: indexed {count} documents in {index_seconds:.1f} s "
              f"({count / index_seconds:.0f} docs/s)")
        if backend.name == "elasticsearch":
            engine, minimal = engine_elasticsearch(backend, user), minimal_elasticsearch(backend)
        else:
            engine, minimal = engine_embedded(backend, user), minimal_embedded(backend)
        print("API = search.search() as a staff user; engine = the same trimmed query + count + facets + snippets\n"
              "in raw engine calls; minimal = the engine's own parser, top 20 + count only (for scale). ms.")
        print(f"{'query':32} {'API p50':>8} {'API p95':>8} {'eng p50':>8} {'eng p95':>8} {'API/eng':>7} "
              f"{'min p50':>8}  hits (top)")
        api_all, eng_all, min_all = [], [], []
        for q in QUERIES:
            results = search.search(q, user)
            api, eng, low = time_calls([lambda: search.search(q, user), engine(q), minimal(q)], repeat)
            api_all += api
            eng_all += eng
            min_all += low
            ratio = statistics.median(api) / statistics.median(eng)
            top = results.hits[0].number if results.hits else "-"
            print(f"{q:32} {statistics.median(api):8.2f} {percentile(api, 95):8.2f} {statistics.median(eng):8.2f} "
                  f"{percentile(eng, 95):8.2f} {ratio:7.2f} {statistics.median(low):8.2f}  {results.total} ({top})")
        ratio = statistics.median(api_all) / statistics.median(eng_all)
        print(f"{'ALL QUERIES':32} {statistics.median(api_all):8.2f} {percentile(api_all, 95):8.2f} "
              f"{statistics.median(eng_all):8.2f} {percentile(eng_all, 95):8.2f} {ratio:7.2f} "
              f"{statistics.median(min_all):8.2f}")
    reset_backend()
    return ratio


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--es", action="store_true", help="also benchmark Elasticsearch on an osmem-server")
    parser.add_argument("--es-docs", type=int, default=None,
                        help="index only the first N documents into Elasticsearch (osmem bulk-loads slowly)")
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="registry-bench-"))
    setup_django(home)
    start = time.perf_counter()
    documents, dossiers = make_documents(args.docs)
    print(f"created {len(documents)} documents in SQLite in {time.perf_counter() - start:.1f} s ({home})")
    user = make_staff(documents, dossiers)

    ratio = bench_backend("embedded (tantivy)", {"BACKEND": "embedded", "INDEX_DIR": str(home / "index")},
                          documents, user, args.repeat)
    es_url = os.environ.get("ELASTICSEARCH_URL", "")
    if args.es or es_url:
        server = None
        if es_url:
            config = {"BACKEND": "elasticsearch", "ELASTICSEARCH_URL": es_url, "INDEX_PREFIX": "registry-bench"}
            label = f"elasticsearch ({es_url})"
        else:
            from elastic_transport import Urllib3HttpNode
            from osmem_server import OsmemServer

            class CompatHeaderNode(Urllib3HttpNode):
                def perform_request(self, method, target, body=None, headers=None, **kwargs):
                    headers = headers.copy()
                    for name in ("accept", "content-type"):
                        if name in headers and "compatible-with" in headers[name]:
                            headers[name] = "application/json"
                    return super().perform_request(method, target, body=body, headers=headers, **kwargs)

            server = OsmemServer.start(japanese=False)
            config = {"BACKEND": "elasticsearch", "ELASTICSEARCH_URL": server.url, "INDEX_PREFIX": "registry-bench",
                      "ELASTICSEARCH_OPTIONS": {"node_class": CompatHeaderNode, "request_timeout": 300}}
            label = "elasticsearch (osmem-server)"
        try:
            bench_backend(label, config, documents[: args.es_docs or len(documents)], user, args.repeat)
        finally:
            if server is not None:
                server.close()
    print(f"\nembedded API p50 / bare engine p50 = {ratio:.2f} (must stay within 2.0)")
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
