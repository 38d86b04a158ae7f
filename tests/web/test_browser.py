"""Headless Chromium smoke test: a clerk logs in, registers a paper document through the form, sees it listed."""

import os
import shutil

import pytest

from registry.constants import Level, Role
from registry.models import Document
from tests.factories import make_user

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    if not shutil.which(CHROMIUM):
        pytest.fail("headless Chromium is required: apt-get install -y chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are plain sync ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page(locale="vi-VN")
        try:
            yield page
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_clerk_registers_paper_document_and_sees_it(live_server, browser_page):
    make_user("vanthu_ui", role=Role.CLERK, clearance=Level.TUYET_MAT, password="mat-khau-123")
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "vanthu_ui")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/registry/new/")
    page.select_option("select[name=direction]", "den")
    page.select_option("select[name=level]", "mat")
    page.fill("input[name=number]", "110-HD/ĐU")
    page.select_option("select[name=doc_type]", "HD")
    page.fill("input[name=issuer]", "Đảng ủy Khối")
    page.fill("input[name=issue_date]", "2020-02-24")
    page.fill("input[name=title]", "Hướng dẫn tổ chức đại hội điểm")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/registry/*/")
    assert "Hướng dẫn tổ chức đại hội điểm" in page.content()
    page.goto(f"{live_server.url}/admin/registry/")
    page.wait_for_selector("table.registry-table")
    row = page.locator("table.registry-table tbody tr").first
    assert "110-HD/ĐU" in row.inner_text() and "Hướng dẫn tổ chức đại hội điểm" in row.inner_text()
    assert Document.objects.get().register.secret
