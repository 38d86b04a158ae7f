"""The leak matrix (issue #3): users at each clearance, with and without need-to-know grants, × documents at
each level × every read path. Each path must show exactly the expected visibility; a hidden document answers
404 and adds nothing to titles, counts, facets, highlights or autocomplete. Failures name the leaking path.
"""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

import search
from registry.access import visible_documents
from registry.actions.documents import DocumentMetadata
from registry.constants import LEVEL_RANK, NEED_TO_KNOW_LEVELS, Level, Role
from registry.demo.pdfs import congress_document_pdf
from tests.tasks import register_file_committed as register_file
from registry.models import AccessLogEntry, Grant, RegisterBook
from registry.registers.books import book_rows
from tests.factories import grant, make_user

pytestmark = [pytest.mark.django_db]

# One unusual word per level: in the title, the summary (where allowed) and the PDF text.
MARKERS = {Level.THUONG: "lokithuong", Level.MAT: "lokimat", Level.TOI_MAT: "lokitoimat",
           Level.TUYET_MAT: "lokituyetmat"}


def _register(clerk, level, tmp: Path):
    marker = MARKERS[level]
    pdf = congress_document_pdf(issuer="Đảng ủy Bộ Công Thương", number=f"9{LEVEL_RANK[level]}-BC/ĐU",
                                place_date="Hà Nội, ngày 2 tháng 3 năm 2020", type_label="Báo cáo",
                                title=f"Báo cáo kiểm thử {marker}", paragraphs=[f"Nội dung {marker} của đại hội."],
                                pages=1)
    path = tmp / f"{marker}.pdf"
    path.write_bytes(pdf)
    meta = DocumentMetadata(direction="den", level=level, number=f"9{LEVEL_RANK[level]}-BC/ĐU", doc_type="BC",
                            issuer="Đảng ủy Bộ Công Thương", title=f"Báo cáo kiểm thử {marker}",
                            summary="" if level == Level.TUYET_MAT else f"Trích yếu {marker}")
    return register_file(path, filename=path.name, meta=meta, actor=clerk)


@pytest.fixture
def matrix(db, tmp_path):
    clerk = make_user("matrix_clerk", role=Role.CLERK, clearance=Level.TUYET_MAT)
    docs = {level: _register(clerk, level, tmp_path) for level in Level.values}
    users = {}
    for level in Level.values:
        users[(level, False)] = make_user(f"m_{level}", role=Role.STAFF, clearance=level)
        granted = make_user(f"m_{level}_g", role=Role.STAFF, clearance=level)
        for doc_level in NEED_TO_KNOW_LEVELS:
            grant(granted, docs[doc_level])
        users[(level, True)] = granted
    # Grants that no longer count: expired yesterday, or revoked. They must open nothing.
    expired = make_user("m_expired", role=Role.STAFF, clearance=Level.TUYET_MAT)
    revoked = make_user("m_revoked", role=Role.STAFF, clearance=Level.TUYET_MAT)
    for doc_level in NEED_TO_KNOW_LEVELS:
        Grant.objects.create(user=expired, document=docs[doc_level], reason="Đã hết hạn",
                             valid_until=timezone.localdate() - dt.timedelta(days=1))
        grant(revoked, docs[doc_level])
    Grant.objects.filter(user=revoked).update(revoked_at=timezone.now())
    users[(Level.TUYET_MAT, False, "expired")] = expired
    users[(Level.TUYET_MAT, False, "revoked")] = revoked
    # Superusers made on the server (``registry users add --superuser``): status lifts no clearance.
    for level in (Level.THUONG, Level.MAT):
        boss = make_user(f"m_super_{level}", role=Role.STAFF, clearance=level)
        boss.is_superuser = boss.is_staff = True
        boss.save(update_fields=["is_superuser", "is_staff"])
        users[(level, False, "superuser")] = boss
    search.rebuild()
    return clerk, docs, users


def expected_visible(user_level, has_grant, doc_level) -> bool:
    if LEVEL_RANK[doc_level] > LEVEL_RANK[user_level]:
        return False
    return doc_level not in NEED_TO_KNOW_LEVELS or has_grant


class Leaks:
    def __init__(self):
        self.found = []

    def check(self, ok: bool, path: str, user, doc_level, detail=""):
        if not ok:
            self.found.append(f"{path}: user {user.username} (clearance {user.clearance}) × {doc_level} {detail}")

    def assert_none(self):
        assert not self.found, "Leaks / wrong visibility:\n" + "\n".join(self.found)


def _markers_in(text: str) -> set[str]:
    return {level for level, marker in MARKERS.items() if marker in text}


def test_every_read_path_shows_exactly_what_clearance_and_need_to_know_allow(matrix, tmp_path):
    clerk, docs, users = matrix
    leaks = Leaks()
    web, api = __import__("django.test").test.Client(), APIClient()
    for key, user in users.items():
        level, has_grant = key[0], key[1]
        visible = {lv for lv in Level.values if expected_visible(level, has_grant, lv)}
        web.force_login(user)
        api.force_authenticate(user)

        # The policy itself.
        got = {d.level for d in visible_documents(user).filter(pk__in=[d.pk for d in docs.values()])}
        leaks.check(got == visible, "policy.visible_documents", user, "*", f"got {sorted(got)}")

        for doc_level, doc in docs.items():
            should = expected_visible(level, has_grant, doc_level)
            want = 200 if should else 404
            marker = MARKERS[doc_level]
            # Record detail page.
            r = web.get(reverse("registry_document_detail", args=[doc.pk]))
            leaks.check(r.status_code == want, "web detail", user, doc_level, f"status {r.status_code}")
            if not should:
                leaks.check(marker not in r.content.decode(), "web detail 404 body", user, doc_level)
            # Download of a marked copy.
            r = web.post(reverse("registry_document_download", args=[doc.pk]), {"purpose": "Kiểm tra ma trận"})
            leaks.check(r.status_code == want, "web download", user, doc_level, f"status {r.status_code}")
            # API detail and download.
            r = api.get(f"/api/v1/documents/{doc.pk}/")
            leaks.check(r.status_code == want, "api detail", user, doc_level, f"status {r.status_code}")
            r = api.post(f"/api/v1/documents/{doc.pk}/download/", {"purpose": "Kiểm tra ma trận"}, format="json")
            leaks.check(r.status_code == want, "api download", user, doc_level, f"status {r.status_code}")
            if not should:
                leaks.check(marker not in r.content.decode("utf-8", "replace"), "api download 404 body", user,
                            doc_level)
            # CLI open.
            out = io.StringIO()
            target = tmp_path / f"{user.username}-{doc_level}.pdf"
            try:
                call_command("open", str(doc.pk), "--as", user.username, "--purpose", "Kiểm tra ma trận",
                             "--out", str(target), "--json", stdout=out, stderr=io.StringIO())
                opened = True
            except SystemExit:
                opened = False
            leaks.check(opened == should, "cli open", user, doc_level, out.getvalue()[:200])
            if not should:
                leaks.check(marker not in out.getvalue(), "cli open error text", user, doc_level)
            # Search: hits, total, highlight.
            res = search.search(marker, user)
            hit_levels = {h.level for h in res.hits}
            leaks.check((res.total == 1) == should and (doc_level in hit_levels) == should, "search hits/total",
                        user, doc_level, f"total {res.total}")
            # CLI search (JSON, public interface).
            out = io.StringIO()
            call_command("search", marker, "--as", user.username, "--json", stdout=out)
            payload = json.loads(out.getvalue())
            leaks.check((payload["total"] == 1) == should, "cli search total", user, doc_level,
                        f"total {payload['total']}")

        # Aggregate views: every marker shown must be visible, every visible one shown.
        r = web.get(reverse("registry_document_list"))
        leaks.check(_markers_in(r.content.decode()) == visible, "web list", user, "*",
                    f"shows {sorted(_markers_in(r.content.decode()))}")
        r = web.get("/admin/")
        shown = _markers_in(r.content.decode())
        leaks.check(shown <= visible, "dashboard", user, "*", f"shows {sorted(shown)}")
        r = web.get(reverse("registry_search:index"), {"q": "kiểm thử"})
        leaks.check(_markers_in(r.content.decode()) == visible, "search page", user, "*",
                    f"shows {sorted(_markers_in(r.content.decode()))}")
        r = web.get(reverse("registry_search:autocomplete"), {"q": "loki"})
        leaks.check(_markers_in(r.content.decode()) <= visible, "autocomplete endpoint", user, "*",
                    r.content.decode()[:200])
        words = " ".join(s["word"] for s in search.autocomplete("loki", user))
        leaks.check(_markers_in(words) == visible, "search.autocomplete", user, "*", words)
        res = search.search("kiểm thử", user)
        leaks.check(res.total == len(visible), "search total", user, "*", f"total {res.total}")
        leaks.check(_markers_in(json.dumps([h.highlight for h in res.hits], ensure_ascii=False)) <= visible,
                    "search highlights", user, "*")
        level_facet = {k: v for k, v in (res.facets.get("level") or {}).items() if v}
        leaks.check(set(level_facet) <= visible and sum(level_facet.values()) == len(visible), "search facets",
                    user, "*", str(level_facet))
        r = api.get("/api/v1/documents/")
        body = r.json()
        count = body.get("count", len(body.get("results", [])))
        leaks.check(count == len(visible), "api list count", user, "*", f"count {count}")
        leaks.check(_markers_in(json.dumps(body, ensure_ascii=False)) == visible, "api list", user, "*")
        # Register printouts, as this user may print them.
        printed = set()
        for book in RegisterBook.objects.all():
            printed |= _markers_in(" ".join(" ".join(map(str, row.cells)) for row in book_rows(book, user)))
        leaks.check(printed == visible, "register book rows", user, "*", f"shows {sorted(printed)}")
    leaks.assert_none()


def test_refused_read_is_logged_without_naming_the_document(matrix):
    _clerk, docs, users = matrix
    low = users[(Level.MAT, False)]
    secret = docs[Level.TUYET_MAT]
    before = AccessLogEntry.objects.count()
    client = __import__("django.test").test.Client()
    client.force_login(low)
    missing = client.get(reverse("registry_document_detail", args=[10**9]))
    hidden = client.get(reverse("registry_document_detail", args=[secret.pk]))
    assert hidden.status_code == missing.status_code == 404
    new = list(AccessLogEntry.objects.order_by("seq")[before:])
    refused = [e for e in new if e.outcome == "refused"]
    assert len(refused) == 2, [(e.action, e.outcome) for e in new]
    for entry in refused:
        assert entry.document_id is None and entry.document_level == ""
        assert MARKERS[Level.TUYET_MAT] not in json.dumps(entry.extra, ensure_ascii=False)
