"""Settings: one instance is one folder (REGISTRY_HOME); production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DATABASE_URL")}
    full.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], env=full, cwd=ROOT, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    code = "import django; django.setup()"
    refused = _run(code, DJANGO_SETTINGS_MODULE="registry.settings.production", REGISTRY_HOME=str(tmp_path))
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY must be set" in refused.stderr
    started = _run(code, DJANGO_SETTINGS_MODULE="registry.settings.production", REGISTRY_HOME=str(tmp_path),
                   DJANGO_SECRET_KEY="a" * 20 + "real-secret-from-the-environment")
    assert started.returncode == 0, started.stderr


def test_all_instance_state_lives_under_registry_home(tmp_path):
    code = ("from django.conf import settings as s; import django; django.setup();"
            "print(s.DATABASES['default']['NAME']); print(s.MEDIA_ROOT); print(s.REGISTRY_SEARCH['INDEX_DIR']);"
            "print(s.REGISTRY_KEYS_DIR)")
    out = _run(code, DJANGO_SETTINGS_MODULE="registry.settings.base", REGISTRY_HOME=str(tmp_path))
    assert out.returncode == 0, out.stderr
    for line in out.stdout.split():
        assert Path(line).resolve().is_relative_to(tmp_path.resolve()), line
    postgres = _run("from django.conf import settings as s; import django; django.setup();"
                    "print(s.DATABASES['default']['ENGINE'])", DJANGO_SETTINGS_MODULE="registry.settings.base",
                    REGISTRY_HOME=str(tmp_path), DATABASE_URL="postgresql://postgres@127.0.0.1:5432/x")
    assert "postgresql" in postgres.stdout
