"""Every API operation, fuzzed from the OpenAPI schema (schemathesis): it answers as documented.

The operations are read from `/api/v1/openapi.json` at test time, so an endpoint added to any
router is fuzzed without a change here. For each one, schemathesis generates requests that fit
the schema (and, in a second pass, requests that break it); they are sent in-process through
Django's test client with a ministry admin's token and with a center chair's token, against
the scope walker's world (centers, cases, referrals, goods), so small IDs point at real rows.

Each answer is checked against the document (schemathesis's response conformance checks): not a
server error, a status code the operation documents, the documented content type, a body that
fits the documented schema (errors included: `{"detail": ..., "errors": [...]}`); and an error
answer says what was wrong (`detail`). A write refused with a 4xx changes nothing: not checked
here (the scope walker and the form property tests do).
"""

import json
import os
import time

import pytest
import requests
import schemathesis
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from asa.accounts.tests.test_scope import world  # noqa: F401  (the scope walker's world, a fixture)

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 1}
PERSONAS = ["admin_user", "chair_a"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TRACE = bool(os.environ.get("ASA_FUZZ_TRACE"))  # print each operation's time
ONLY = os.environ.get("ASA_FUZZ_ONLY", "")  # fuzz only the paths containing this


@pytest.fixture
def api_schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


def _operations(schema) -> list:
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())
    return sorted(operations, key=lambda operation: (operation.path, operation.method))


def _send(client, case):
    """The generated request through Django's test client (in-process, inside the test's
    transaction); the persona's token replaces whatever Authorization schemathesis made up."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {
        name: value
        for name, value in (kwargs.get("headers") or {}).items()
        if name.lower() not in {"authorization", "cookie", "host", "content-length"}
    }
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        params=kwargs.get("params"),
        headers=headers,
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    content_type = prepared.headers.get("Content-Type", "application/octet-stream")
    extra = {
        name: value
        for name, value in prepared.headers.items()
        if name.lower() not in {"content-type", "content-length"}
    }
    response = client.generic(
        prepared.method,
        prepared.path_url,
        data=prepared.body or b"",
        content_type=content_type,
        headers=extra,
    )
    return prepared, response


def _check(case, prepared, response, label: str) -> None:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    answer = Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=content,
        request=prepared,
        elapsed=0.0,
        verify=True,
    )
    try:
        case.validate_response(answer, checks=CHECKS)
    except BaseExceptionGroup as failures:  # schemathesis's FailureGroup is not an Exception
        raise AssertionError(f"{label}: {failures}") from None
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = json.loads(content or b"{}")
        assert body.get("detail"), f"{label}: an error answer without a detail: {body}"


def _fuzz(client, operation, mode: GenerationMode) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=EXAMPLES[mode],
        suppress_health_check=list(HealthCheck),
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: each request is a real one
    )
    @given(case=operation.as_strategy(generation_mode=mode), seed=st.none())
    def check(case, seed):
        try:
            prepared, response = _send(client, case)
        except DisallowedHost:
            return  # a made-up Host header: Django refuses it with a 400 in production
        _check(case, prepared, response, f"{label} {case.formatted_path}")

    check()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_answers_as_documented(persona, world, api_schema):  # noqa: F811
    client = world.api_clients[persona]
    problems = []
    operations = _operations(api_schema)
    assert len(operations) >= 50
    for operation in operations:
        if ONLY and ONLY not in operation.path:
            continue
        for mode in EXAMPLES:
            if TRACE:
                started = time.monotonic()
            try:
                _fuzz(client, operation, mode)
            except Exception as error:  # collect every operation's problem, then fail
                message = " | ".join(line for line in str(error).splitlines() if line.strip())
                problems.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): "
                    f"{type(error).__name__}: {message[:700]}"
                )
            if TRACE:
                elapsed = time.monotonic() - started
                print(f"{elapsed:6.2f}s {operation.method.upper()} {operation.path} {mode.value}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "status, body, content_type",
    [
        (418, b'{"detail": "x"}', "application/json"),  # a status code not documented
        (200, b'{"items": 1, "count": "many"}', "application/json"),  # a body off its schema
        (200, b"<html></html>", "text/html"),  # another content type
        (404, b'{"errors": []}', "application/json"),  # an error without its detail
        (500, b'{"detail": "x"}', "application/json"),
    ],
)
def test_the_checks_catch_an_answer_the_document_does_not_describe(
    api_schema, status, body, content_type
):
    operation = api_schema["/api/v1/centers"]["GET"]
    case = operation.Case()
    prepared = requests.Request("GET", "http://testserver/api/v1/centers").prepare()
    answer = HttpResponse(body, status=status, content_type=content_type)
    with pytest.raises(AssertionError):
        _check(case, prepared, answer, "GET /api/v1/centers")
    _check(
        case,
        prepared,
        HttpResponse(b'{"items": [], "count": 0}', content_type="application/json"),
        "ok",
    )
