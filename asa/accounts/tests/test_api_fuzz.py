"""Every API operation, fuzzed from the OpenAPI schema (schemathesis): never a server error.

The operations are read from `/api/v1/openapi.json` at test time, so an endpoint added to any
router is fuzzed without a change here. For each one, schemathesis generates requests that fit
the schema (and, in a second pass, requests that break it); they are sent in-process through
Django's test client with a ministry admin's token and with a volunteer's token, against the
scope walker's world (centers, cases, referrals, goods), so small IDs point at real rows.

The check is "not a server error": every answer is below 500 and, when it is JSON, an error
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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from asa.accounts.tests.test_scope import world  # noqa: F401  (the scope walker's world, a fixture)

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 1}
PERSONAS = ["admin_user", "volunteer_a"]
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
    return client.generic(
        prepared.method,
        prepared.path_url,
        data=prepared.body or b"",
        content_type=content_type,
        headers=extra,
    )


def _check(response, label: str) -> None:
    assert response.status_code < 500, f"{label}: {response.status_code}"
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = json.loads(response.content or b"{}")
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
            response = _send(client, case)
        except DisallowedHost:
            return  # a made-up Host header: Django refuses it with a 400 in production
        _check(response, f"{label} {case.formatted_path}")

    check()


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_operation_answers_a_server_error(persona, world, api_schema):  # noqa: F811
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
                message = str(error).splitlines()[0] if str(error) else ""
                problems.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): "
                    f"{type(error).__name__}: {message[:300]}"
                )
            if TRACE:
                elapsed = time.monotonic() - started
                print(f"{elapsed:6.2f}s {operation.method.upper()} {operation.path} {mode.value}")
    assert not problems, "\n".join(problems)
