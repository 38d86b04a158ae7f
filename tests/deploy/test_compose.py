"""docker/: the compose file is valid Compose, every service is health-checked, every environment name it sets
is one the product reads, and the image runs as an unprivileged user with the decoders and OCR it needs.

No container engine runs here, so the file is checked against the Compose Specification's JSON schema
(shared/schemas/compose-spec, or REGISTRY_COMPOSE_SCHEMA) instead of `docker compose config`.
"""

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker" / "compose.yml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
ENV_EXAMPLE = ROOT / "docker" / ".env.example"
SCHEMA = Path(os.environ.get("REGISTRY_COMPOSE_SCHEMA",
                             ROOT.parent / "shared" / "schemas" / "compose-spec" / "compose-spec.json"))

# Names the runtime itself reads (Django, Celery's CLI), not our settings modules.
FRAMEWORK_NAMES = {"DJANGO_SETTINGS_MODULE"}


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _names_the_product_reads() -> set[str]:
    pattern = re.compile(r"""(?:environ(?:\.get)?\(|environ\[|env_bool\(|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")
    names = set()
    for package in ("registry", "search"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_compose_file_is_valid_against_the_compose_specification():
    if not SCHEMA.exists():
        if os.environ.get("CI"):
            pytest.fail(f"Compose Specification schema missing at {SCHEMA}")
        pytest.skip(f"no Compose Specification schema at {SCHEMA} (set REGISTRY_COMPOSE_SCHEMA)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The schema names draft-07 (its $schema URL lacks the trailing '#', so pick the validator explicitly).
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(_compose()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_every_service_has_a_health_check():
    services = _compose()["services"]
    assert {"db", "objects", "search", "redis", "web", "worker", "scheduler"} <= set(services)
    missing = [name for name, service in services.items() if "healthcheck" not in service]
    assert not missing, f"services without a health check: {missing}"


def test_application_services_wait_for_healthy_dependencies():
    services = _compose()["services"]
    for name in ("web", "worker", "scheduler"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_every_environment_name_it_sets_is_read_by_the_product():
    env = _compose()["x-registry-env"]
    read = _names_the_product_reads() | FRAMEWORK_NAMES
    unknown = sorted(set(env) - read)
    assert not unknown, f"compose sets names no setting reads: {unknown}"


def test_elasticsearch_runs_with_security_on_and_the_app_has_its_credentials():
    compose = _compose()
    search_env = compose["services"]["search"]["environment"]
    assert search_env["xpack.security.enabled"] == "true"
    assert search_env["xpack.security.http.ssl.enabled"] == "true"
    env = compose["x-registry-env"]
    assert env["ELASTICSEARCH_URL"].startswith("https://")
    assert {"ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD", "ELASTICSEARCH_CA_CERTS"} <= set(env)


def test_env_example_names_every_variable_the_compose_file_interpolates():
    text = COMPOSE.read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    documented = {line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#") and "=" in line}
    assert not interpolated - documented, f"undocumented in .env.example: {sorted(interpolated - documented)}"


def test_image_runs_unprivileged_with_decoders_and_vietnamese_ocr():
    text = DOCKERFILE.read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1] not in {"root", "0"}
    for package in ("libmagic1", "jbig2dec", "tesseract-ocr-vie", "ghostscript"):
        assert package in text, package


def test_settings_pass_elasticsearch_credentials_to_the_client(monkeypatch):
    import importlib

    monkeypatch.setenv("ELASTICSEARCH_USERNAME", "registry")
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "s3cret")
    monkeypatch.setenv("ELASTICSEARCH_CA_CERTS", "/certs/ca/ca.crt")
    import registry.settings.base as base

    try:
        reloaded = importlib.reload(base)
        options = reloaded.REGISTRY_SEARCH["ELASTICSEARCH_OPTIONS"]
        assert options == {"basic_auth": ("registry", "s3cret"), "ca_certs": "/certs/ca/ca.crt"}
    finally:
        monkeypatch.undo()
        importlib.reload(base)
