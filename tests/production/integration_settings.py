"""Settings of the integration test's processes: production layout from the environment, plus two test-only
adjustments: osmem's media-type quirk, and a Celery queue of the test's own on the shared Redis."""

import os

from elastic_transport import Urllib3HttpNode

from registry.settings.base import *  # noqa: F401,F403
from registry.settings.base import REGISTRY_SEARCH


class CompatHeaderNode(Urllib3HttpNode):
    """osmem answers 406 to the 8.x client's ``compatible-with=8`` media type: send plain JSON instead."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers is not None:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers and "compatible-with" in headers[name]:
                    headers[name] = "application/json"
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


REGISTRY_SEARCH = {**REGISTRY_SEARCH, "REFRESH": "true",
                   "ELASTICSEARCH_OPTIONS": {**REGISTRY_SEARCH.get("ELASTICSEARCH_OPTIONS", {}),
                                             "node_class": CompatHeaderNode}}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("REGISTRY_TEST_QUEUE", "celery")
