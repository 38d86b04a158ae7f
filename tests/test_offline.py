"""Air-gapped offices: no page the registry serves may load or link anything outside the office network
(no CDN, no web fonts, no online help), and no bundled stylesheet may import one."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from registry.constants import Level, Role
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']\s*(?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)""",
                      re.IGNORECASE)
CSS_EXTERNAL = re.compile(r"""(?:@import|url\()\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _pages(doc):
    return [
        "/admin/",
        reverse("registry_document_list"),
        reverse("registry_document_register"),
        reverse("registry_document_detail", args=[doc.pk]),
        reverse("registry_books"),
        reverse("registry_search:index") + "?q=bao+ve",
        "/admin/account/",
    ]


@pytest.mark.parametrize("role", [Role.CLERK, Role.AUDITOR])
def test_pages_link_nothing_outside(role):
    user = make_user(f"offline_{role}", role=role, clearance=Level.MAT)
    doc = make_document(level=Level.MAT)
    client = Client()
    client.force_login(user)
    pages = _pages(doc)
    if role == Role.AUDITOR:
        pages += [reverse("registry_audit_log"), reverse("registry_audit_charts"), reverse("registry_audit_integrity")]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url}: {response.status_code}"
        found = EXTERNAL.findall(response.content.decode())
        assert not found, f"{url} refers outside the office network: {found[:3]}"


def test_bundled_static_files_import_nothing_outside():
    offenders = []
    roots = [Path(settings.BASE_DIR) / "registry" / "static"]
    for root in roots:
        for path in root.rglob("*.css"):
            if CSS_EXTERNAL.search(path.read_text("utf-8", "replace")):
                offenders.append(str(path))
    assert not offenders, f"stylesheets importing from outside: {offenders}"
    # Wagtail's own admin stylesheet must not pull web fonts either.
    core = finders.find("wagtailadmin/css/core.css")
    assert core and not CSS_EXTERNAL.search(Path(core).read_text("utf-8", "replace"))
