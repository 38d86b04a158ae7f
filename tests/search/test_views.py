"""The staff search page and its autocomplete endpoint in the Wagtail admin."""

import pytest
from django.urls import reverse

from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry
from tests.factories import make_document, make_user
from tests.search.corpus import SECRET_TUYET, build_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, engine):
    user = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(user)
    client.user = user
    return client


def test_search_page_lists_highlighted_results_and_facets(staff_client):
    corpus = build_corpus()
    before = AccessLogEntry.objects.count()
    response = staff_client.get(reverse("registry_search:index"), {"q": "bao ve chinh tri"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Bảo</mark> <mark>vệ</mark>" in html
    assert "Độ mật" in html and "Tìm kiếm tài liệu" in html
    assert corpus["qd126"].number_raw in html
    entries = AccessLogEntry.objects.order_by("seq")[before:]
    assert [e.action for e in entries] == [Action.SEARCH]
    assert entries[0].actor_id == staff_client.user.pk and entries[0].ip == "127.0.0.1"


def test_search_page_escapes_document_text(staff_client):
    build_corpus()
    evil = make_document(level=Level.THUONG, title='Tờ trình <img src=x onerror="alert(1)"> kiểm phiếu')
    import search

    search.index_document(evil)
    html = staff_client.get(reverse("registry_search:index"), {"q": "kiem phieu"}).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    html = staff_client.get(reverse("registry_search:index"), {"q": "", "direction": "den"}).content.decode()
    assert "<img src=x" not in html


def test_search_page_filters_and_pagination(staff_client):
    corpus = build_corpus()
    url = reverse("registry_search:index")
    html = staff_client.get(url, {"level": "mat"}).content.decode()
    assert corpus["mat"].title in html and corpus["qd126"].title not in html
    html = staff_client.get(url, {"q": "", "page": "2"}).content.decode()
    assert "trang 2/1" not in html  # 8 visible documents fit on one page
    response = staff_client.get(url, {"from": "not-a-date"})
    assert response.status_code == 200 and "YYYY-MM-DD" in response.content.decode()


def test_search_page_hides_what_the_user_may_not_see(staff_client):
    build_corpus()
    html = staff_client.get(reverse("registry_search:index"), {"q": SECRET_TUYET}).content.decode()
    results_part = html.split("rs-layout\"", 1)[1]  # what follows the echoed query box
    assert SECRET_TUYET not in results_part and "0 kết quả" in results_part
    assert "Tuyệt mật" not in results_part


def test_autocomplete_endpoint_is_trimmed(staff_client):
    build_corpus()
    url = reverse("registry_search:autocomplete")
    data = staff_client.get(url, {"q": "chin"}).json()
    assert "chính" in [s["word"] for s in data["suggestions"]]
    data = staff_client.get(url, {"q": SECRET_TUYET[:5]}).json()
    assert data["suggestions"] == []


def test_anonymous_is_sent_to_login(client, engine):
    response = client.get(reverse("registry_search:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_menu_item_is_registered(staff_client):
    html = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Tìm kiếm" in html and reverse("registry_search:index") in html


def test_hits_link_to_the_record_page(staff_client):
    from django.urls import NoReverseMatch

    corpus = build_corpus()
    try:
        expected = reverse("registry_document_detail", args=[corpus["qd126"].pk])
    except NoReverseMatch:
        expected = "#"
    html = staff_client.get(reverse("registry_search:index"), {"q": "126-QĐ/TW"}).content.decode()
    assert f'<a href="{expected}">' in html
