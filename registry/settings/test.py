"""Test settings: an isolated REGISTRY_HOME per run, fast hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("REGISTRY_HOME", tempfile.mkdtemp(prefix="registry-test-"))
if os.environ.get("PYTEST_XDIST_WORKER"):
    # xdist workers inherit the controller's environment: each needs an instance folder (and search index)
    # of its own, or one worker's documents show up in another's searches.
    os.environ["REGISTRY_HOME"] = tempfile.mkdtemp(prefix=f"registry-test-{os.environ['PYTEST_XDIST_WORKER']}-")

from .base import *  # noqa: E402,F401,F403
from .base import REGISTRY_HOME  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
MEDIA_ROOT = Path(REGISTRY_HOME) / "files"
LANGUAGE_CODE = "vi"
# The second factor is on in tests as in production (tests/conftest.py gives force_login sessions one).
REGISTRY_REQUIRE_2FA_FROM = "toi_mat"
