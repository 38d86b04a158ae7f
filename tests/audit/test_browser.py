"""The audit pages in headless Chromium: log in through Wagtail's form, filter the log, draw the charts."""

import pytest
from django.utils import timezone

from registry.constants import Action, Level, Outcome, Role
from tests.audit.helpers import plant
from tests.factories import make_document, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def _chromium():
    from playwright.sync_api import sync_playwright

    # Started only after the test data exists: Playwright's sync API runs an event loop in this thread,
    # and Django refuses database calls from a thread with a running loop.
    pw = sync_playwright().start()
    return pw, pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def test_auditor_filters_the_log_and_sees_charts(live_server):
    clerk = make_user("vanthu_b", role=Role.CLERK, clearance=Level.TUYET_MAT)
    make_user("kiemtra_b", role=Role.AUDITOR, clearance=Level.MAT, password="pw-audit-123")
    doc = make_document(clerk=clerk, level=Level.MAT, title="Kế hoạch trình duyệt")
    reader = make_user("docgia_b", clearance=Level.MAT)
    now = timezone.now()
    for _ in range(3):
        plant(Action.VIEW, now, actor=reader, document=doc)
    plant(Action.VIEW, now, actor=reader, document=doc, outcome=Outcome.REFUSED)

    pw, browser = _chromium()
    try:
        _drive(browser.new_page(locale="vi-VN"), live_server.url)
    finally:
        browser.close()
        pw.stop()


def _drive(page, base):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "kiemtra_b")
    page.fill("input[name=password]", "pw-audit-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    # The sidebar is drawn by Wagtail's own script: the menu item appears for the auditor.
    page.wait_for_selector("#wagtail-sidebar a[href='/admin/audit/']", timeout=15000)
    assert "Kiểm tra nhật ký" in page.locator("#wagtail-sidebar a[href='/admin/audit/']").first.inner_text()

    page.goto(f"{base}/admin/audit/")
    form = page.locator("form[data-testid=log-filter]")
    form.locator("input[name=user]").fill("docgia_b")
    form.locator("select[name=outcome]").select_option("refused")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/admin/audit/?*user=docgia_b*")
    rows = page.locator("table[data-testid=log-entries] tbody tr")
    assert rows.count() == 1 and "Bị từ chối" in rows.first.inner_text()

    page.goto(f"{base}/admin/audit/charts/")
    page.wait_for_selector("canvas#chart-reads[data-rendered='1']", timeout=15000)
    assert page.evaluate("typeof window.Chart") == "function"
    size = page.evaluate("(() => { const c = document.getElementById('chart-reads'); return [c.width, c.height]; })()")
    assert size[0] > 0 and size[1] > 0
    assert page.locator("canvas[data-rendered='1']").count() == 4
    assert any(u.endswith("/static/registry/vendor/chart.umd.min.js") for u in requests)
    assert all(u.startswith(base) or u.startswith("data:") for u in requests), "call outside the app"
