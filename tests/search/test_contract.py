"""The search contract: one suite, every backend (embedded, osmem-backed Elasticsearch, a real cluster
when ELASTICSEARCH_URL is set). A backend's capability gap is a strict xfail via the ``gap`` fixture."""

import datetime as dt
import unicodedata

import pytest

import search
from registry.access import visible_documents
from registry.actions.documents import do_edit_document, do_void_entry
from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry, Document
from tests.factories import make_document, make_user
from search.projection import iter_rows
from tests.search.corpus import build_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(engine):
    return build_corpus()


@pytest.fixture
def reader(db):
    """Sees every thuong and mat document; no grants."""
    return make_user(role=Role.STAFF, clearance=Level.MAT)


def ids(results):
    return [h.id for h in results.hits]


# -- Vietnamese matching ------------------------------------------------------------------------------------
def test_folded_query_finds_diacritic_text(corpus, reader):
    results = search.search("bao ve chinh tri", reader)
    assert ids(results)[0] == corpus["qd126"].pk
    assert corpus["qd126"].pk in ids(search.search("BẢO VỆ CHÍNH TRỊ", reader))


def test_decomposed_input_is_normalised(corpus, reader):
    typed = unicodedata.normalize("NFD", "bảo vệ chính trị")
    assert ids(search.search(typed, reader))[0] == corpus["qd126"].pk
    decomposed = make_document(clerk=corpus.clerk, level=Level.THUONG,
                               title=unicodedata.normalize("NFD", "Tờ trình về kỷ luật"))
    search.index_document(decomposed)
    assert ids(search.search("kỷ luật", reader)) == [decomposed.pk]


def test_d_folds_to_dang(corpus, reader):
    found = ids(search.search("dang", reader))
    assert corpus["dang"].pk in found and corpus["qd126"].pk in found
    assert corpus["dang_ky"].pk in found  # "đăng" folds to "dang" too


def test_query_without_marks_finds_text_without_marks_and_with(corpus, reader):
    plain = make_document(clerk=corpus.clerk, level=Level.THUONG, title="Ho so dang vien khong dau")
    search.index_document(plain)
    found = ids(search.search("Đảng viên", reader))
    assert plain.pk in found, "a diacritic query must also find text typed without diacritics"


def test_exact_diacritics_rank_first(corpus, reader):
    results = ids(search.search("Đảng", reader))
    assert results.index(corpus["dang"].pk) < results.index(corpus["dang_ky"].pk)
    results = ids(search.search("đăng ký", reader))
    assert results[0] == corpus["dang_ky"].pk


@pytest.mark.parametrize("spelling", ["126-QĐ/TW", "126-QD/TW", "126 QĐ TW", "QĐ 126", "126/QĐ-TW"])
def test_number_spellings_find_the_document_first(corpus, reader, spelling):
    results = search.search(spelling, reader)
    assert results.hits, f"{spelling!r} found nothing"
    assert results.hits[0].id == corpus["qd126"].pk, f"{spelling!r} ranked {ids(results)}"


def test_state_number_found_first(corpus, reader):
    assert ids(search.search("26/2020/ND-CP", reader))[0] == corpus["nd26"].pk
    assert ids(search.search("NĐ 26 2020", reader))[0] == corpus["nd26"].pk


def test_quoted_phrase(corpus, reader):
    found = ids(search.search('"chính trị nội bộ"', reader))
    assert found == [corpus["qd126"].pk]
    assert ids(search.search('"noi bo chinh tri"', reader)) == []  # words present, not in that order
    assert ids(search.search('"chinh tri noi bo"', reader)) == [corpus["qd126"].pk]


def test_all_words_must_match(corpus, reader):
    assert ids(search.search("nghị quyết đảng", reader)) == [corpus["dang"].pk]


# -- autocomplete -----------------------------------------------------------------------------------------
def test_prefix_autocomplete(corpus, reader):
    words = [s["word"] for s in search.autocomplete("chin", reader)]
    assert "chính" in words
    words = [s["word"] for s in search.autocomplete("bảo v", reader)]
    assert "vệ" in words
    assert all(s["text"].startswith("bảo ") for s in search.autocomplete("bảo v", reader))
    assert [s["word"] for s in search.autocomplete("đả", reader)] == ["đảng"]
    assert any(s["word"] == "126-QĐ/TW" for s in search.autocomplete("126-q", reader))


# -- filters ------------------------------------------------------------------------------------------------
def test_filter_level(corpus, reader):
    found = search.search("", reader, {"level": "mat"})
    assert ids(found) == [corpus["mat"].pk] and found.total == 1


def test_filter_type(corpus, reader):
    assert set(ids(search.search("", reader, {"type": "QĐ"}))) == {corpus["qd126"].pk, corpus["qd12"].pk}


def test_filter_issuer(corpus, reader):
    found = set(ids(search.search("", reader, {"issuer": "Chính phủ"})))
    assert found == {corpus["nd26"].pk}


def test_filter_direction(corpus, reader):
    assert ids(search.search("", reader, {"direction": "di"})) == [corpus["hd126"].pk]


def test_filter_date_range(corpus, reader):
    found = set(ids(search.search("", reader, {"from": "2022-01-01", "to": "2022-12-31"})))
    assert found == {corpus["dang"].pk, corpus["dang_ky"].pk}
    found = set(ids(search.search("", reader, {"to": "2020-01-31"})))
    assert corpus["qd126"].pk in found and corpus["nd26"].pk not in found


def test_filter_register_and_place(corpus, reader):
    register = corpus["qd126"].register_id
    found = set(ids(search.search("", reader, {"register": register}, per_page=100)))
    expected = set(visible_documents(reader).filter(register_id=register).values_list("pk", flat=True))
    assert found == expected and len(expected) > 1
    assert ids(search.search("", reader, {"place": "KHO1"})) == [corpus["mat"].pk]  # P101 is inside KHO1
    assert ids(search.search("", reader, {"place": "H07"})) == []  # the toi_mat dossier: not visible


def test_filters_combine_with_query(corpus, reader):
    assert ids(search.search("nhân sự", reader, {"level": "mat"})) == [corpus["mat"].pk]


# -- facets, highlights, pagination ------------------------------------------------------------------------
def test_facet_counts(corpus, reader):
    results = search.search("", reader, per_page=5)
    assert results.total == 8
    assert results.facets["level"] == {"thuong": 7, "mat": 1}
    assert results.facets["doc_type"]["QĐ"] == 2
    assert results.facets["issuer"]["Chính phủ"] == 1
    assert results.facets["direction"] == {"den": 7, "di": 1}
    assert results.facets["year"]["2022"] == 2
    narrowed = search.search("quy định", reader)
    assert sum(narrowed.facets["level"].values()) == narrowed.total


def test_highlights_are_marked_and_escaped(corpus, reader):
    evil = make_document(clerk=corpus.clerk, level=Level.THUONG, title="Tờ trình <script>alert(1)</script> bầu cử")
    search.index_document(evil)
    hit = search.search("bau cu", reader).hits[0]
    assert hit.id == evil.pk
    assert "<script>" not in hit.highlight["title"] and "&lt;script&gt;" in hit.highlight["title"]
    assert "<mark>bầu</mark>" in hit.highlight["title"] and "<mark>cử</mark>" in hit.highlight["title"]
    top = search.search("phạm vi điều chỉnh", reader).hits[0]
    assert top.id == corpus["qd126"].pk
    assert "<mark>Phạm</mark> <mark>vi</mark>" in top.highlight["text"]
    assert "summary" in search.search("cấp ủy", reader).hits[0].highlight


def test_pagination(corpus, reader):
    seen = []
    for page in (1, 2, 3):
        results = search.search("", reader, page=page, per_page=3)
        assert results.total == 8 and results.pages == 3
        seen += ids(results)
    assert len(seen) == 8 and len(set(seen)) == 8
    assert search.search("", reader, page=4, per_page=3).hits == []


def test_voided_documents_are_found_and_flagged(corpus, reader):
    do_void_entry(corpus["qd12"], "Nhầm số", actor=corpus.clerk)
    search.index_document(corpus["qd12"])
    hit = next(h for h in search.search("tiểu ban văn kiện", reader).hits)
    assert hit.id == corpus["qd12"].pk and hit.voided


def test_every_search_writes_one_log_entry(corpus, reader):
    before = AccessLogEntry.objects.count()
    results = search.search("đảng", reader, {"level": "thuong"})
    entries = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action == Action.SEARCH and entry.actor_id == reader.pk and entry.query == "đảng"
    assert entry.result_count == results.total and entry.extra["filters"] == {"levels": ["thuong"]}
    # Suggestions are a search too: one entry per request, whatever the number of words suggested (issue #8).
    search.autocomplete("dan", reader)
    assert AccessLogEntry.objects.count() == before + 2
    assert AccessLogEntry.objects.order_by("-seq").first().action == Action.SEARCH


# -- consistency ------------------------------------------------------------------------------------------
def test_status_and_reconcile_repair_drift(corpus, reader):
    assert search.status().drift == 0
    fresh = make_document(clerk=corpus.clerk, level=Level.THUONG, title="Tài liệu chưa được đánh chỉ mục")
    edited = do_edit_document(corpus["dang"], {"title": "Nghị quyết về chỉnh đốn Đảng"}, actor=corpus.clerk)
    ghost = corpus["qd12"].pk
    Document.objects.filter(pk=ghost)._raw_delete("default")  # entries are never deleted: simulate a lost row
    report = search.status()
    assert report.missing == [fresh.pk] and report.stale == [edited.pk] and report.orphaned == [ghost]
    assert search.reconcile().drift == 3
    assert search.status(deep=True).drift == 0
    assert ids(search.search("chỉnh đốn", reader)) == [edited.pk]


def test_deep_status_finds_content_drift_without_timestamp_change(corpus):
    Document.objects.filter(pk=corpus["dang"].pk).update(title="Đổi mà không qua hành động")  # no auto_now
    assert search.status().drift == 0
    assert search.status(deep=True).stale == [corpus["dang"].pk]


def test_indexing_follows_commit(engine, django_capture_on_commit_callbacks, reader):
    with django_capture_on_commit_callbacks(execute=True):
        doc = make_document(level=Level.THUONG, title="Chương trình làm việc của đoàn kiểm tra")
    assert ids(search.search("doan kiem tra", reader)) == [doc.pk]


def test_stale_index_never_shows_a_raised_level(corpus, reader):
    """The index says mat; the database now says toi_mat: the hit is re-checked, repaired, not shown."""
    Document.objects.filter(pk=corpus["mat"].pk).update(level=Level.TOI_MAT)
    results = search.search("nhân sự", reader)
    assert corpus["mat"].pk not in ids(results)
    assert results.facets["level"].get("mat", 0) == 0
    assert search.status(deep=True).drift == 0


def test_rebuild(corpus, reader):
    Document.objects.filter(pk=corpus["dang"].pk).update(title="Tiêu đề sửa ngoài chỉ mục")
    count = search.rebuild()
    assert count == Document.objects.count()
    assert ids(search.search("sửa ngoài chỉ mục", reader)) == [corpus["dang"].pk]
    assert search.status(deep=True).drift == 0


def test_rebuild_swaps_alias(corpus, reader, engine, gap):
    gap("embedded", "one tantivy folder: rebuild is a single atomic commit, there is no alias to swap")
    backend = search.get_backend()
    before = backend.concrete_indices()
    search.rebuild()
    after = backend.concrete_indices()
    assert len(after) == 1 and after != before and after[0].startswith("registry-docs-")
    assert not any(backend.client.indices.exists(index=name) for name in before)
    assert search.search("bao ve", reader).total >= 1


def test_unknown_filter_value_is_an_error():
    with pytest.raises(ValueError):
        search.SearchFilters.from_mapping({"from": "31/12/2020x"})
    assert search.SearchFilters.from_mapping({"from": "2020-01-02"}).date_from == dt.date(2020, 1, 2)


def test_filter_values_are_validated_and_lenient():
    parsed = search.SearchFilters.from_mapping({"level": ["thuong,mat"], "type": ["QD", "HD"], "direction": "di"})
    assert parsed.levels == ("thuong", "mat") and parsed.doc_types == ("QĐ", "HD")
    for bad in ({"level": "secret"}, {"type": "XYZ"}, {"direction": "ra"}, {"register": "abc"}):
        with pytest.raises(ValueError):
            search.SearchFilters.from_mapping(bad)


def test_words_side_by_side_rank_above_scattered_words(corpus, reader):
    scattered = make_document(clerk=corpus.clerk, level=Level.THUONG, title="Chính hồ sơ bảo lưu trị vệ")
    adjacent = make_document(clerk=corpus.clerk, level=Level.THUONG, title="Bảo vệ chính trị hồ sơ lưu")
    search.index_documents([scattered.pk, adjacent.pk])
    found = ids(search.search("bao ve chinh tri ho so", reader))
    assert found == [adjacent.pk, scattered.pk]


def test_first_use_creates_one_index_even_when_two_processes_race(engine, gap):
    gap("embedded", "no index to create: the tantivy folder is opened in place")
    from search.backends import load_backend

    first, second = load_backend(), load_backend()  # two processes' backends, same settings
    second_looked = second.concrete_indices()  # both look before either creates
    assert second_looked == []
    first.ensure_index()
    second.concrete_indices = lambda: second_looked  # the second acts on what it saw
    second.ensure_index()
    del second.concrete_indices
    assert len(first.concrete_indices()) == 1
    second.index_rows(iter_rows())  # writes through the alias still work
    assert set(second.indexed_versions()) == set(Document.objects.values_list("pk", flat=True))
