"""Each role's day, walked in headless Chromium at a phone's width (390 px) and a desk's (1366 px).

- the records clerk registers a document, meets an error and fixes it, and prints the register book;
- a staff member searches without diacritics, opens a record, downloads a marked copy, and the copy's
  stamp is checked legible by rendering it;
- the security officer filters the log, opens the charts, the anomalies and an incident report, verifies the
  chain and signs a checkpoint.

Every page visited fails the test on a console error, on a request to a host other than the test server, and
on layout overflow (the page wider than the viewport). Screenshots of each step are saved under
REGISTRY_HOME/screenshots (printed at the end) as test artefacts.
"""

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from registry.demo import catalogue
from tests.browser import chromium_browser

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 768}}
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && getComputedStyle(el).visibility !== 'hidden') {
      wide.push((el.tagName + '.' + (el.className || '')).slice(0, 80) + ' right=' + Math.round(r.right));
      if (wide.length > 5) break;
    }
  }
  return wide;
}"""


class Journey:
    """One browser page with the guard rails every step is held to."""

    def __init__(self, page, base_url: str, shots: Path, name: str):
        self.page, self.base, self.shots, self.name = page, base_url, shots, name
        self.errors: list[str] = []
        self.step = 0
        host = urlsplit(base_url).hostname
        # A refused form answers 400 on purpose, which the browser also reports on the console: failed loads are
        # judged from the responses instead, and only sub-resources (scripts, styles, fetches) count.
        page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
                and self.errors.append(f"console: {msg.text}"))
        page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
                and self.errors.append(f"{r.status} for {r.url}"))
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

        def guard(route):
            target = urlsplit(route.request.url)
            if target.scheme in ("data", "blob") or target.hostname in (host, "localhost", "127.0.0.1"):
                route.continue_()
            else:
                self.errors.append(f"request to a non-local host: {route.request.url}")
                route.abort()

        page.route("**/*", guard)

    def go(self, path: str):
        self.page.goto(self.base + path)
        self.check(path)

    def check(self, what: str):
        self.page.wait_for_load_state("networkidle")
        self.step += 1
        self.page.screenshot(path=str(self.shots / f"{self.name}-{self.step:02d}.png"), full_page=True)
        overflow = self.page.evaluate(OVERFLOW_JS)
        assert not overflow, f"{self.name} {what}: page wider than the viewport: {overflow}"
        assert not self.errors, f"{self.name} {what}: {self.errors}"

    def login(self, username: str):
        self.page.goto(self.base + "/admin/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", catalogue.DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        self.check("dashboard")


@pytest.fixture
def office(transactional_db):
    call_command("demo", "--no-migrate", "--quiet-logins")


@pytest.fixture
def chromium():
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def shots():
    folder = Path(settings.REGISTRY_HOME) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    print(f"\nscreenshots: {folder}")


def journeys(chromium, live_server, shots, role):
    for label, viewport in VIEWPORTS.items():
        context = chromium.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
        try:
            yield Journey(context.new_page(), live_server.url, shots, f"{role}-{label}")
        finally:
            context.close()


def small_pdf(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from registry.fonts import register_reportlab_fonts

    regular, _bold = register_reportlab_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    canvas.setFont(regular, 12)
    canvas.drawString(72, 760, text)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_clerk_registers_handles_an_error_and_prints_the_book(office, chromium, live_server, shots, tmp_path):
    for n, journey in enumerate(journeys(chromium, live_server, shots, "clerk")):
        page = journey.page
        journey.login("vanthu")
        journey.go("/admin/registry/new/")
        upload = tmp_path / f"huong-dan-{n}.pdf"
        upload.write_bytes(small_pdf(f"Hướng dẫn chuẩn bị văn kiện đại hội, bản {n}"))
        page.select_option("select[name=direction]", "den")
        page.select_option("select[name=level]", "mat")
        page.fill("input[name=number]", f"{40 + n}-HD/BTCTW")
        page.fill("input[name=issuer]", "Ban Tổ chức Trung ương")
        page.fill("input[name=issue_date]", "2020-03-02")
        page.set_input_files("input[type=file]", str(upload))
        # The error: no title. The form comes back with a plain message and keeps what was entered.
        page.click("form[enctype] button[type=submit]")
        journey.check("register form with an error")
        assert page.locator(".error-message, .help-critical, .w-field__errors, [role=alert]").count() > 0
        assert page.input_value("input[name=number]") == f"{40 + n}-HD/BTCTW"
        page.fill("input[name=title]", f"Hướng dẫn chuẩn bị văn kiện đại hội {n}")
        if page.locator("select[name=doc_type]").count():
            page.select_option("select[name=doc_type]", "HD")
        else:
            page.fill("input[name=doc_type]", "Hướng dẫn")
        if page.locator("input[type=file]").count() and not page.locator("text=Đã giữ tệp").count():
            page.set_input_files("input[type=file]", str(upload))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_url("**/admin/registry/*/")
        journey.check("the new record")
        assert f"{40 + n}-HD/BTCTW" in page.content()
        journey.go("/admin/registry/books/")
        link = page.locator("a[href$='print.pdf']").first
        with page.expect_download() as download:
            link.click()
        assert download.value.path().read_bytes().startswith(b"%PDF")


def test_staff_search_open_download_and_the_stamp_is_legible(office, chromium, live_server, shots):
    import pypdfium2 as pdfium

    for journey in journeys(chromium, live_server, shots, "staff"):
        page = journey.page
        journey.login("canbo.mat")
        journey.go("/admin/tim-kiem/?q=bao+ve+chinh+tri")
        hits = page.locator("article.rs-hit h2 a")
        assert hits.count() >= 1, "search without diacritics found nothing"
        hits.first.click()
        page.wait_for_url("**/admin/registry/*/")
        journey.check("a record from the results")
        # The record page carries the marked-copy form itself: purpose (required above Mật), then download.
        form = page.locator("form[action$='/download/']").first
        if form.locator("textarea[name=purpose]").count():
            form.locator("textarea[name=purpose]").fill("Nghiên cứu chuẩn bị văn kiện")
        with page.expect_download() as download:
            form.locator("button[type=submit]:not([name=preview])").click()
        content = download.value.path().read_bytes()
        assert content.startswith(b"%PDF")
        pdf = pdfium.PdfDocument(content)
        text = pdf[0].get_textpage().get_text_range()
        assert "Bản số:" in text
        image = pdf[0].render(scale=1.5).to_pil().convert("RGB")
        image.save(shots / f"{journey.name}-copy.png")
        pixels = image.get_flattened_data() if hasattr(image, "get_flattened_data") else image.getdata()
        red = sum(1 for r, g, b in pixels if r > 150 and g < 80 and b < 80)
        assert red > 400, "the stamp is not visible on the rendered copy"


def test_auditor_filters_charts_anomalies_incident_verifies_and_signs(office, chromium, live_server, shots):
    from registry.models import Document

    document = Document.objects.filter(level="mat").order_by("pk").first()
    for journey in journeys(chromium, live_server, shots, "auditor"):
        page = journey.page
        journey.login("baomat")
        journey.go("/admin/audit/?actor=canbo")
        assert page.locator("table tbody tr").count() >= 1, "a partial login found no entry"
        journey.go("/admin/audit/charts/")
        journey.go("/admin/audit/anomalies/")
        journey.go(f"/admin/audit/document/{document.pk}/")
        with page.expect_download() as download:
            page.locator("a[href*='incident.pdf']").first.click()
        assert download.value.path().read_bytes().startswith(b"%PDF")
        journey.go("/admin/audit/integrity/")
        page.locator("form[action$='/integrity/verify/'] button").first.click()
        page.wait_for_load_state("networkidle")
        journey.check("verification")
        page.locator("form[action$='/integrity/sign/'] button").first.click()
        page.wait_for_load_state("networkidle")
        journey.check("signed checkpoint")
