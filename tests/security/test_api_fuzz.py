"""API fuzzing: schemathesis generates requests from our OpenAPI schema (/api/schema/, made from
registry.api.schema_urlconf) and sends them in-process (WSGI) with the token of each role. Success is 0
responses with a 5xx status and 0 responses that break the schema.

The number of examples per operation is bounded (REGISTRY_FUZZ_EXAMPLES, default 12) so the whole run stays
around a minute on a shared CI machine; raise it locally to search harder.
"""

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from registry.constants import Level, Role
from tests.factories import grant, make_api_token, make_document, make_user
from tests.marking.pdfs import make_pdf_document

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", 12))
ROLES = {  # role -> clearance of the fuzzing user
    Role.CLERK: Level.TUYET_MAT,
    Role.STAFF: Level.MAT,
    Role.AUDITOR: Level.TUYET_MAT,
    Role.ADMIN: Level.THUONG,
}


@pytest.fixture
def wsgi_app(db):
    """The WSGI application, called in-process. Like Django's test client, keep the test's database
    connection open across requests (the handler closes it at each request's end otherwise, and with it the
    test's transaction on PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    from registry.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)


@pytest.fixture
def office(db, settings):
    """A document of every level (paper-only), so that generated ids sometimes hit real rows."""
    settings.REGISTRY_ENCRYPT_LEVELS = []
    clerk = make_user("fuzz_vanthu", role=Role.CLERK, clearance=Level.TUYET_MAT)
    documents = [make_document(clerk=clerk, level=level) for level in Level.values]
    # And two with a file, so that a download can succeed (mat) or meet the token rule (toi_mat).
    documents += [make_pdf_document(clerk=clerk, level=level, pages=1) for level in (Level.MAT, Level.TOI_MAT)]
    return clerk, documents


def _fuzz(schema, token: str, ids: list[int]) -> list[str]:
    failures = []
    headers = {"Authorization": f"Token {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        started, calls = time.monotonic(), []

        # Half the generated ids are replaced by ids of real rows (visible or not), so that detail, download
        # and void are fuzzed past their 404 too.
        @given(case=operation.as_strategy(), real_id=st.one_of(st.none(), st.sampled_from(ids)))
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                             phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck))
        def run(case, real_id):
            if real_id is not None and "id" in (case.path_parameters or {}):
                case.path_parameters["id"] = real_id
            response = case.call(headers=headers)
            calls.append(response.status_code)
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                                       headers=headers)
            except (AssertionError, FailureGroup) as error:  # keep going: report every failure at the end
                failures.append(f"{operation.label}: {str(error)[:1500]}")

        run()
        print(f"{operation.label}: {len(calls)} calls in {time.monotonic() - started:.1f}s, "
              f"statuses {sorted(set(calls))}")
    return failures


@pytest.mark.parametrize("role", list(ROLES))
def test_api_fuzz_finds_no_server_error_and_no_schema_break(role, api_schema, office):
    clerk, documents = office
    user = clerk if role == Role.CLERK else make_user(f"fuzz_{role}", role=role, clearance=ROLES[role])
    if role != Role.CLERK:
        for document in documents:
            if document.level in (Level.TOI_MAT, Level.TUYET_MAT):
                grant(user, document)
    failures = _fuzz(api_schema, make_api_token(user), [d.pk for d in documents])
    assert not failures, "\n\n".join(failures[:10])
