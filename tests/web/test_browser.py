"""Headless Chromium smoke test: a clerk logs in, registers a paper document through the form, sees it listed."""

import pytest

from registry.constants import Level, Role
from registry.models import Document
from tests.browser import chromium_browser
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    with chromium_browser() as browser:
        yield browser.new_page(locale="vi-VN")


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
