"""Backends for the search contract suite: embedded (always), Elasticsearch on osmem-server (always, an
in-memory OpenSearch-compatible binary from PyPI), and a real cluster whenever ELASTICSEARCH_URL is set."""

import os
import uuid

import pytest
from django.test import override_settings
from elastic_transport import Urllib3HttpNode

from search.backends import reset_backend

REAL_ES_URL = os.environ.get("ELASTICSEARCH_URL", "")
BACKEND_PARAMS = ["embedded", "osmem"] + (["elasticsearch"] if REAL_ES_URL else [])


class CompatHeaderNode(Urllib3HttpNode):
    """osmem answers 406 to the 8.x client's ``compatible-with=8`` media type: send plain JSON instead."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers is not None:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers and "compatible-with" in headers[name]:
                    headers[name] = "application/json"
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


@pytest.fixture(scope="session")
def osmem_server():
    """Overrides the plugin's fixture: no Japanese analysis needed, base left writable for clones."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


def es_config(url, prefix, node_class=None):
    options = {"node_class": node_class} if node_class else {}
    return {"BACKEND": "elasticsearch", "ELASTICSEARCH_URL": url, "INDEX_PREFIX": prefix,
            "ELASTICSEARCH_OPTIONS": options, "REFRESH": "true", "INDEX_DIR": ""}


@pytest.fixture(params=BACKEND_PARAMS)
def engine(request, tmp_path):
    """Configures REGISTRY_SEARCH for one backend with an empty index; yields the backend name."""
    name = request.param
    clone = None
    if name == "embedded":
        config = {"BACKEND": "embedded", "INDEX_DIR": str(tmp_path / "index")}
    elif name == "osmem":
        clone = request.getfixturevalue("osmem_server").clone()
        config = es_config(clone.url, "registry", CompatHeaderNode)
    else:
        config = es_config(REAL_ES_URL, f"registry-test-{uuid.uuid4().hex[:8]}")
    reset_backend()
    with override_settings(REGISTRY_SEARCH=config):
        yield name
        if name == "elasticsearch":
            from search.backends import get_backend

            backend = get_backend()
            for index in backend.concrete_indices():
                backend.client.indices.delete(index=index, ignore_unavailable=True)
    reset_backend()
    if clone is not None:
        clone.close()


@pytest.fixture
def gap(request, engine):
    """``gap("osmem", "reason")``: this backend lacks the capability under test — strict xfail."""

    def declare(backend_name, reason):
        if engine == backend_name:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))

    return declare
