"""Vietnamese everywhere a user looks: every page the three roles (and the administrator) reach is crawled from
the dashboard, and its visible text must hold no English UI string from Wagtail and no raw code.

The crawl follows the links a person can click (same origin, GET, no downloads or logout), so a page added
later is checked without being listed here.
"""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from registry.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROLES = ["vanthu", "canbo.mat", "canbo.tuyetmat", "baomat", "quantri"]
MAX_PAGES = 70

# Wagtail and Django strings that must never show (English, or Wagtail's broken Vietnamese).
ENGLISH = [
    "Sign in", "Password", "Forgotten password", "Remember me", "Skip to main content", "Site summary",
    "Search…", "Page 1 of", "Wagtail", "Profile", "Theme preferences", "Log out", "Dashboard", "Token API",
    "Trang Chủ", "Tên đăng nhậpcủa", "Tên người dùng Tên đăng nhập", "The requested page could not be found",
    "Go to Wagtail admin", "Account", "Settings", "Help", "Reports", "Sort by", "Previous", "Next",
    "Cancel", "Delete", "Save", "Edit", "Add ", "Filter", "Search", "Change password", "Notifications",
    "Language", "Time zone", "Current time zone", "Admin interface", "Name and Email", "Submit", "Choose",
    "Yes", "No results", "There are no", "Show", "Hide", "Close", "Apply", "Clear", "Actions", "More",
]
# Internal codes that a person must never read (levels, outcomes, actions, roles).
RAW_CODES = ["toi_mat", "tuyet_mat", "thuong_khan", "hoa_toc", "hand_over", "level_change", "audit_view",
             "audit_export", "login_failed", "refused", "download", "preview", "not_found", "permission_denied"]

def _wagtail_english() -> re.Pattern:
    """Every English UI string Wagtail and Django's auth ship (their message catalogues), as one pattern.

    Placeholders match any short run; strings of fewer than 4 letters, and all-capital ones (PDF, API), are
    left out: they are abbreviations, not English a person must read.
    """
    from pathlib import Path

    import django.contrib.auth
    import wagtail

    roots = [Path(wagtail.__file__).parent, Path(django.contrib.auth.__file__).parent]
    msgids = set()
    for root in roots:
        for po in root.rglob("locale/en/LC_MESSAGES/django.po"):
            for block in re.findall(r'(?ms)^msgid ((?:"[^\n]*"\n)+)msgstr', po.read_text(encoding="utf-8")):
                msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"')
                if msgid:
                    msgids.add(msgid)
    parts = []
    for msgid in msgids:
        if "\\n" in msgid or "<" in msgid or len(re.sub(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", "", msgid)) > 80:
            continue
        literal = re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", msgid)
        letters = re.sub(r"[^A-Za-z]", "", "".join(literal))
        if len(letters) < 4 or letters.isupper():
            continue
        pattern = r"\s*\S{1,40}\s*".join(re.escape(piece.strip()) for piece in literal if piece.strip())
        parts.append(pattern)
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


_WAGTAIL = None


def wagtail_strings(text: str) -> list[str]:
    global _WAGTAIL
    if _WAGTAIL is None:
        _WAGTAIL = _wagtail_english()
    return sorted(set(m.group(0) for m in _WAGTAIL.finditer(text)))


SKIP = re.compile(r"(logout|/download|/print\.|/export|\.csv|\.pdf|\.jsonl|/copy/|/static/|/i18n/|/api/|"
                  r"/fetch|/sign|/revoke|/void|/delete|/deactivate|/otp|/totp|/token)")


class _TextParser(HTMLParser):
    """Visible text of a page, plus the attributes a person reads (title, placeholder, aria-label, alt)."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _TextParser()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def offending(text: str) -> list[str]:
    found = []
    for phrase in ENGLISH:
        pattern = r"(?<![\w/.-])" + re.escape(phrase.strip()) + (r"(?![\w])" if phrase[-1].isalnum() else "")
        if re.search(pattern, text):
            found.append(phrase.strip())
    for code in RAW_CODES:
        if re.search(r"(?<![\w/=?&.-])" + re.escape(code) + r"(?![\w])", text):
            found.append(code)
    found.extend(f"«{hit}»" for hit in wagtail_strings(text) if hit not in found)
    return found


def links(page: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"#]+)', page):
        href = html.unescape(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/admin/") or SKIP.search(parts.path):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def crawl(client: Client, start: str = "/admin/") -> dict[str, list[str]]:
    seen, queue, problems = set(), [start], {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        key = re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")
        if key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        found = offending(visible_text(page))
        if found:
            problems[url] = found
        queue.extend(link for link in links(page) if link not in queue)
    return problems


@pytest.fixture
def demo_office(db):
    call_command("demo", "--no-migrate", "--quiet-logins")


def test_login_page_is_vietnamese(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert offending(visible_text(response.content.decode())) == []


def test_not_found_page_is_vietnamese(client, demo_office):
    client.force_login(User.objects.get(username="canbo.mat"))
    response = client.get("/admin/registry/999999/")
    assert response.status_code == 404
    assert offending(visible_text(response.content.decode())) == []


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_is_vietnamese_without_raw_codes(client, demo_office, username):
    from tests.ux.sessions import login

    login(client, User.objects.get(username=username))
    problems = crawl(client)
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())
