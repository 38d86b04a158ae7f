"""Production-safe defaults (issue #8, SEC-A), each written as an attack that worked before:

- DEBUG on by default, so a crash showed Django's technical page (settings, paths, local variables);
- X-Forwarded-For believed from anyone, so the log's "from where" was the attacker's choice;
- the request id taken from the client's X-Request-Id;
- stored files 0644 and folders 0755 under REGISTRY_HOME;
- no Content-Security-Policy.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse

from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry
from tests.factories import make_document, make_user

BASE_DIR = Path(__file__).resolve().parents[2]


def _settings_value(expr: str, **env) -> str:
    """Evaluate ``expr`` in a fresh interpreter with the base settings and ``env`` (nothing inherited)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_DEBUG", "DJANGO_DEBUG"))}
    clean.update(env, REGISTRY_HOME=str(Path(settings.REGISTRY_HOME)), DJANGO_SETTINGS_MODULE="registry.settings.base")
    code = f"import django; django.setup(); from django.conf import settings; print({expr})"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True,
                          check=True).stdout.strip()


# --- DEBUG and error pages --------------------------------------------------------------------------------


def test_debug_is_off_unless_registry_debug_is_set():
    assert _settings_value("settings.DEBUG") == "False"
    assert _settings_value("settings.DEBUG", DJANGO_DEBUG="1") == "False"  # the old switch opens nothing
    assert _settings_value("settings.DEBUG", REGISTRY_DEBUG="1") == "True"


@pytest.mark.django_db
def test_a_crash_shows_our_page_not_the_technical_one(monkeypatch, clerk):
    from registry.views import documents

    def boom(*args, **kwargs):
        secret_local = "/srv/registry/var/keys/checkpoint-ed25519.key"  # noqa: F841 (what DEBUG would show)
        raise RuntimeError("database password=hunter2")

    monkeypatch.setattr(documents.DocumentListView, "get", boom)
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    response = client.get(reverse("registry_document_list"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Lỗi hệ thống" in body
    for leak in ("Traceback", "RuntimeError", "hunter2", "SECRET_KEY", "checkpoint-ed25519", "site-packages",
                 "wagtail"):
        assert leak not in body, leak
    assert response["X-Request-Id"] in body  # what the person can quote to the administrator


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/khong-co/", "/admin/khong-co/", "/admin/documents/", "/admin/bulk/x/y/z/"])
def test_404_pages_are_ours_in_vietnamese_without_wagtail(client, clerk, path):
    client.force_login(clerk)
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in body and 'lang="vi"' in body
    assert "wagtail" not in body.lower() and "Page not found" not in body and "urlpatterns" not in body


@pytest.mark.django_db
def test_hidden_document_404_is_the_same_page_as_a_missing_one(client, clerk):
    secret = make_document(clerk=clerk, level=Level.TUYET_MAT, title="Tài liệu không được lộ")
    staff = make_user(role=Role.STAFF, clearance=Level.MAT)
    client.force_login(staff)
    hidden = client.get(reverse("registry_document_detail", args=[secret.pk]))
    missing = client.get(reverse("registry_document_detail", args=[999999]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content and b"\xc4\x90" not in hidden.content[:0]  # same bytes


# --- Forensic fields the client does not choose ----------------------------------------------------------


def _view_entry(client, document):
    client.get(reverse("registry_document_detail", args=[document.pk]),
               REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.66.66.66", HTTP_X_REQUEST_ID="forged-request-0001")
    return AccessLogEntry.objects.filter(action=Action.VIEW, document=document).order_by("-seq").first()


@pytest.mark.django_db
def test_x_forwarded_for_from_an_untrusted_address_is_ignored(client, clerk):
    document = make_document(clerk=clerk, level=Level.THUONG)
    client.force_login(clerk)
    entry = _view_entry(client, document)
    assert entry.ip == "192.0.2.10"


@pytest.mark.django_db
def test_x_forwarded_for_from_a_trusted_proxy_is_honoured(client, clerk):
    document = make_document(clerk=clerk, level=Level.THUONG)
    client.force_login(clerk)
    with override_settings(REGISTRY_TRUSTED_PROXIES=["192.0.2.10"]):
        entry = _view_entry(client, document)
    assert entry.ip == "10.66.66.66"
    # A client that prepends its own hop gains nothing: the proxy's nearest untrusted hop counts.
    with override_settings(REGISTRY_TRUSTED_PROXIES=["192.0.2.10"]):
        client.get(reverse("registry_document_detail", args=[document.pk]), REMOTE_ADDR="192.0.2.10",
                   HTTP_X_FORWARDED_FOR="1.2.3.4, 10.77.77.77")
    assert AccessLogEntry.objects.filter(action=Action.VIEW).order_by("-seq").first().ip == "10.77.77.77"


@pytest.mark.django_db
def test_client_request_id_is_ignored(client, clerk):
    document = make_document(clerk=clerk, level=Level.THUONG)
    client.force_login(clerk)
    entry = _view_entry(client, document)
    assert entry.request_id != "forged-request-0001" and len(entry.request_id) == 32
    response = client.get("/admin/", HTTP_X_REQUEST_ID="forged-request-0001")
    assert response["X-Request-Id"] != "forged-request-0001"


# --- Files under REGISTRY_HOME ------------------------------------------------------------------------------


def _loose(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


def test_process_umask_and_upload_permissions():
    current = os.umask(0o077)
    os.umask(current)
    assert current == 0o077
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600 and settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
    assert not _loose(Path(settings.REGISTRY_HOME))


@pytest.mark.django_db
def test_stored_files_sqlite_and_outbox_are_private(tmp_path):
    import sqlite3

    from registry.views.common import _outbox_dir

    # Through the configured storage (it may encrypt), onto the local disk underneath it.
    storage = getattr(default_storage, "inner", default_storage)
    name = default_storage.save("originals/ab/cd/thu-quyen.pdf", ContentFile(b"%PDF-1.4 test"))
    stored = Path(storage.path(name))
    try:
        assert not _loose(stored) and not _loose(stored.parent) and not _loose(stored.parent.parent)
    finally:
        default_storage.delete(name)
    db = tmp_path / "thu.sqlite3"
    sqlite3.connect(db).execute("create table t (x)").connection.commit()
    assert not _loose(db)
    assert not _loose(_outbox_dir())


@pytest.mark.slow
def test_a_fresh_instance_has_nothing_readable_by_others(tmp_path):
    """End to end: database, stored original and rendition, search index, signing and vault keys."""
    from tests.intake.samples import text_pdf

    home = tmp_path / "home"
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(text_pdf())
    env = {**os.environ, "REGISTRY_HOME": str(home), "DJANGO_SETTINGS_MODULE": "registry.settings.test"}
    env.pop("DATABASE_URL", None)

    def run(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True)

    run("migrate", "-v0")
    run("users", "add", "vanthu", "--role", "clerk", "--clearance", "tuyet_mat")
    run("intake", str(pdf), "--direction", "den", "--level", "mat", "--number", "126-QĐ/TW", "--type", "QĐi",
        "--issuer", "Bộ Chính trị", "--date", "2018-02-28", "--title", "Quy định thử quyền tệp", "--actor", "vanthu")
    run("audit", "checkpoint")
    everything = [home, *home.rglob("*")]
    assert any(p.name.endswith(".sqlite3") for p in everything)
    assert any("originals" in p.parts and p.is_file() for p in everything)
    assert any("index" in p.parts and p.is_file() for p in everything)
    assert any("keys" in p.parts and p.is_file() for p in everything)
    loose = [f"{oct(stat.S_IMODE(p.stat().st_mode))} {p.relative_to(home)}" for p in everything if _loose(p)]
    assert not loose, loose


# --- Content-Security-Policy ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_same_origin_content_security_policy(client, clerk):
    client.force_login(clerk)
    policy = client.get("/admin/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'self'"
    assert "http" not in policy and "*" not in policy
    login = Client().get(reverse("wagtailadmin_login"))
    assert "Content-Security-Policy" in login


@pytest.mark.django_db
def test_csrf_failure_page_is_ours(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(reverse("registry_document_register"), {})
    body = response.content.decode()
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in body and "CSRF" not in body and "DEBUG" not in body
