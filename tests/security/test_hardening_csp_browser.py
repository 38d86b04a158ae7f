"""The Content-Security-Policy does not break the admin: in headless Chromium, the pages each role uses
report no CSP violation (console error or securitypolicyviolation event)."""

import pytest

from registry.constants import Level, Role
from tests.browser import chromium_browser
from tests.factories import make_document, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Report every violation the page sees (inline handlers, styles, frames) into a list the test reads back.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@pytest.fixture
def browser():
    with chromium_browser() as chromium:
        yield chromium


def _visit_all(browser, base, username, paths):
    page = browser.new_page(locale="vi-VN")
    console = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.add_init_script(LISTEN)
    page.goto(f"{base}/admin/login/")
    found = {"/admin/login/": page.evaluate("window.__csp")}
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    for path in paths:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        found[path] = page.evaluate("window.__csp")
    page.close()
    csp_console = [text for text in console if "Content Security Policy" in text or "Content-Security-Policy" in text]
    return {path: v for path, v in found.items() if v}, csp_console


def test_admin_pages_show_no_csp_violation(live_server, browser):
    clerk = make_user("vanthu_csp", role=Role.CLERK, clearance=Level.MAT, password="mat-khau-123")
    document = make_document(clerk=clerk, level=Level.MAT, title="Hướng dẫn kiểm tra chính sách nội dung")
    make_user("quantri_csp", role=Role.ADMIN, clearance=Level.MAT, password="mat-khau-123")
    clerk_paths = ["/admin/", "/admin/registry/", f"/admin/registry/{document.pk}/", "/admin/tim-kiem/?q=huong+dan",
                   "/admin/registry/new/", "/admin/registry_dossiers/", "/admin/registry_holidays/new/",
                   "/admin/account/", "/admin/khong-co/"]
    violations, console = _visit_all(browser, live_server.url, "vanthu_csp", clerk_paths)
    assert not violations and not console, (violations, console)
    admin_paths = ["/admin/users/", "/admin/users/new/", f"/admin/users/edit/{clerk.pk}/", "/admin/registry/grants/"]
    violations, console = _visit_all(browser, live_server.url, "quantri_csp", admin_paths)
    assert not violations and not console, (violations, console)
