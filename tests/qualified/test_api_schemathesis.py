"""Both APIs against their own OpenAPI documents, with schemathesis, in-process (WSGI): requests
generated from each operation's parameters (valid and invalid ones), every built-in check on
each answer (no server error, documented status code, content type, headers and JSON schema,
valid data accepted, invalid data refused, unsupported methods answered 405 with Allow,
authentication enforced…). A bounded number of examples per operation keeps it well under a
minute. The scene is AUSL Bologna's real territory, so that near_comune has values."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from coprog.territory.services import BOLOGNA_PRESET, load_preset

from .api_helpers import bearer, build_scene

EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis (4.32) reads and rewrites `request.node._nodeid` to name each operation's
    subtest; pytest 9 keeps the id elsewhere (`_id`), so give it the attribute it reads."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def api_scene(app, app_ctx, session, monkeypatch):
    monkeypatch.setitem(app.config, "COPROG_API_RATE_PER_MINUTE", 0)  # no 429 in the middle of the run
    authority = load_preset(BOLOGNA_PRESET).authority
    session.flush()
    return build_scene(session, authority)


@pytest.fixture
def v1_schema(app, api_scene):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def hsds_schema(app, api_scene):
    return schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", app)


v1 = schemathesis.pytest.from_fixture("v1_schema")
hsds = schemathesis.pytest.from_fixture("hsds_schema")


@v1.parametrize()
@EXAMPLES
def test_v1_api(case, api_scene):
    case.call_and_validate(headers=bearer(api_scene.key))


@hsds.parametrize()
@EXAMPLES
def test_hsds_api(case, api_scene):
    case.call_and_validate()


def test_the_documents_are_complete(v1_schema, hsds_schema):
    """Every route under /api/v1 and /api/hsds (but the documents themselves) is documented."""
    assert {op.label for op in _operations(v1_schema)} == {"GET /services", "GET /entities/{id}"}
    assert {op.label for op in _operations(hsds_schema)} == {"GET /", "GET /services", "GET /services/{id}",
                                                              "GET /organizations"}
    parameters = {p["name"] for p in v1_schema.raw_schema["paths"]["/services"]["get"]["parameters"]}
    assert parameters == {"axis", "type", "target", "district", "comune", "available_now", "q", "near_comune",
                          "radius_km", "page", "page_size"}


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]
