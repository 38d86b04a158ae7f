"""The product installs from its wheel alone: templates, static files, fonts and translations are inside the
packages. The wheel is built, installed into a fresh virtualenv outside the source tree, `registry demo` runs
there, and the login page and a document page are fetched over HTTP from `registry runserver`."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import venv
from pathlib import Path

import pytest

# File handling only: the database pass adds nothing, so it runs once (in the SQLite pass).
pytestmark = [pytest.mark.slow, pytest.mark.db_agnostic]

ROOT = Path(__file__).resolve().parents[2]
DEMO_USER = ("canbo.mat", "daihoi2020")  # staff cleared "mat": reads without a second factor


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _site_packages_of(python: str) -> str:
    return subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   text=True).strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtualenv outside the source tree holding only the built wheel of the registry.

    Its dependencies come from the test environment's site-packages, added as a plain path (so that the
    source tree's editable-install hook, a .pth file there, is not run): `registry` must come from the wheel.
    """
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], check=True,
                   capture_output=True, text=True, cwd=work)
    wheel = next(dist.glob("congress_registry-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    target = _site_packages_of(python)
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--disable-pip-version-check",
                    str(wheel)], check=True, cwd=work)
    (Path(target) / "zz_test_dependencies.pth").write_text(_site_packages_of(sys.executable) + "\n")
    return work, env_dir


def test_wheel_carries_templates_static_fonts_and_translations(installed):
    work, env_dir = installed
    python = str(env_dir / "bin" / "python")
    probe = ("import registry, pathlib; p = pathlib.Path(registry.__file__).parent; print(p); "
             "print(len(list(p.rglob('*.html'))), len(list(p.rglob('*.ttf'))), len(list(p.rglob('*.mo'))))")
    out = subprocess.check_output([python, "-c", probe], text=True, cwd=work).split()
    assert Path(out[0]).is_relative_to(env_dir), f"registry imported from {out[0]}, not from the wheel"
    html, fonts, catalogues = map(int, out[1:])
    assert html >= 20 and fonts >= 2 and catalogues >= 1


def _wait_for_login(opener, base, server):
    """The login page once the server answers; None when the server exited (its port was taken)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return opener.open(f"{base}/admin/login/", timeout=5)
        except OSError:
            if server.poll() is not None:
                return None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_demo_runs_from_the_wheel_and_serves_pages(installed):
    work, env_dir = installed
    home = work / "home"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", "REGISTRY_HOME", "DATABASE_URL"}}
    env.update(REGISTRY_HOME=str(home), DJANGO_SETTINGS_MODULE="registry.settings.base")
    registry = str(env_dir / "bin" / "registry")
    demo = subprocess.run([registry, "demo"], env=env, cwd=work, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    # A port found free may be taken by the other xdist worker before runserver binds it: then another one.
    for _ in range(3):
        port = _free_port()
        server = subprocess.Popen([registry, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=work,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = _wait_for_login(opener, base, server)
        if login is not None:
            break
        assert "already in use" in server.stderr.read(), "runserver exited"
    try:
        assert login is not None, "no free port in three tries"
        page = login.read().decode()
        assert login.status == 200 and "csrfmiddlewaretoken" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": DEMO_USER[0],
                                       "password": DEMO_USER[1], "next": "/admin/registry/"}).encode()
        request = urllib.request.Request(f"{base}/admin/login/", data=form, headers={"Referer": f"{base}/admin/login/"})
        listing = opener.open(request, timeout=30)
        html = listing.read().decode()
        assert listing.status == 200 and "/admin/registry/" in listing.url, listing.url
        ids = re.findall(r'href="/admin/registry/(\d+)/"', html)
        assert ids, "no document link on the register list"
        detail = opener.open(f"{base}/admin/registry/{ids[0]}/", timeout=30)
        assert detail.status == 200
        assert "Số, ký hiệu" in detail.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
