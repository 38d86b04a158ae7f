"""Headless Chromium for the browser tests: Debian's chromium driven by Playwright, never a downloaded browser.

The flags keep it off the network (this office is air-gapped) and let it run as root in CI.
"""

import contextlib
import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextlib.contextmanager
def chromium_browser():
    """A launched Chromium for the duration of the block (Playwright's sync API, which runs an event loop in
    this thread: the ORM calls the tests make meanwhile are plain synchronous ones)."""
    if not shutil.which(CHROMIUM):
        pytest.fail("headless Chromium is required: apt-get install -y chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
