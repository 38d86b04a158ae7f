"""Test settings: an isolated REGISTRY_HOME per run, fast hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("REGISTRY_HOME", tempfile.mkdtemp(prefix="registry-test-"))
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REGISTRY_TEST_HOME_OF") != _worker:
    # xdist workers inherit the controller's environment: each needs an instance folder (and search index)
    # of its own, or one worker's documents show up in another's searches. Once per worker: a command a test
    # starts with its own REGISTRY_HOME inherits the marker and keeps the folder it was given.
    os.environ["REGISTRY_HOME"] = tempfile.mkdtemp(prefix=f"registry-test-{_worker}-")
    os.environ["REGISTRY_TEST_HOME_OF"] = _worker

from .base import *  # noqa: E402,F401,F403
from .base import REGISTRY_HOME  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
MEDIA_ROOT = Path(REGISTRY_HOME) / "files"
LANGUAGE_CODE = "vi"
# The second factor is on in tests as in production (tests/conftest.py gives force_login sessions one).
REGISTRY_REQUIRE_2FA_FROM = "toi_mat"
