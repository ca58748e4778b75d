"""Property-based API run (schemathesis over the OpenAPI spec): no input makes the server fail.

Each operation's hypothesis strategy is driven explicitly inside an ordinary test, so the
session-scoped index fixture can be used (schemathesis' lazy ``from_fixture`` loader does not
work with this pytest version).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from litclip.serve.app import create_app
from litclip.serve.search import Searcher

_SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture(scope="module")
def api_schema(searcher: Searcher):
    app = create_app(searcher=searcher, max_upload_bytes=100_000, max_k=20)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(schema) -> list:
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 6
    return ops


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_never_5xx(api_schema, mode: GenerationMode) -> None:
    seen: dict[str, set[int]] = {}
    for op in _operations(api_schema):

        @given(case=op.as_strategy(generation_mode=mode))
        @_SETTINGS
        def run(case) -> None:
            response = case.call()
            seen.setdefault(case.operation.label, set()).add(response.status_code)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.text[:300]}"
            )

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (e.g. /health has no parameters)
            assert mode == GenerationMode.NEGATIVE
    assert len(seen) >= 6 if mode == GenerationMode.POSITIVE else len(seen) >= 5
    if mode == GenerationMode.POSITIVE:
        assert any(code < 300 for codes in seen.values() for code in codes)  # not all rejected
    else:
        assert any(400 <= code < 500 for codes in seen.values() for code in codes)


def test_api_conforms_to_its_schema(api_schema) -> None:
    """Responses match the declared status codes, content types and response models.

    Schema-valid requests may still be refused for reasons a schema cannot state (bytes that
    are not an image, a blank query), so "positive data acceptance" is not checked.
    """
    for op in _operations(api_schema):

        @given(case=op.as_strategy())
        @settings(_SETTINGS, max_examples=6)
        def run(case) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        run()
