"""The OpenAPI document describes each operation with its own schemas.

The document keys its schemas by class name (`#/components/schemas/<Name>`): two schema classes
with the same name in two apps collapse into one entry, and every operation using the other one
is documented with the wrong body (as `POST /cases/{id}/assign` once showed the privacy app's
`{assigned_to}`). So schema class names are unique across the API.
"""

import json
import typing
from collections import defaultdict

from pydantic import BaseModel

from asa.api import api


def _models_in(annotation) -> typing.Iterator[type[BaseModel]]:
    """The pydantic models an annotation names (list[X], X | None, dict[str, X], ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _schema_classes() -> dict[str, set[type[BaseModel]]]:
    """Every schema class the operations use (bodies, parameters, answers, and the schemas
    those nest), by name. Ninja's own wrappers (one per operation) are walked through, not
    counted: they do not appear in the document."""
    seen: set[type[BaseModel]] = set()
    by_name: dict[str, set[type[BaseModel]]] = defaultdict(set)
    pending: list[type[BaseModel]] = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                pending.extend(operation.models)
                for model in operation.response_models.values():
                    pending.extend(_models_in(model))
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        if model.__module__.startswith("asa."):
            by_name[model.__name__].add(model)
        for field in model.model_fields.values():
            pending.extend(_models_in(field.annotation))
    return by_name


def _label(model: type) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def test_every_schema_class_the_api_uses_has_its_own_name():
    by_name = _schema_classes()
    assert len(by_name) > 50  # the walk found the API's schemas
    shared = {
        name: sorted(_label(model) for model in models)
        for name, models in by_name.items()
        if len(models) > 1
    }
    assert not shared, f"schema names used by more than one class: {shared}"


def test_the_document_shows_each_operation_its_own_body():
    document = json.loads(json.dumps(api.get_openapi_schema()))  # as served: string keys
    schemas = document["components"]["schemas"]

    def body_of(path: str, method: str = "post") -> dict:
        content = document["paths"][path][method]["requestBody"]["content"]
        reference = content["application/json"]["schema"]["$ref"]
        return schemas[reference.rsplit("/", 1)[-1]]

    assert set(body_of("/api/v1/cases/{case_id}/assign")["properties"]) >= {"version"}
    assert "assigned_to" not in body_of("/api/v1/cases/{case_id}/assign")["properties"]
    transfer = body_of("/api/v1/cases/{case_id}/transfer")["properties"]
    assert set(transfer) >= {"version", "to_center", "reason"} and "item" not in transfer
    assert set(body_of("/api/v1/referrals/{referral_id}/answer")["properties"]) >= {
        "version",
        "status",
    }
    assert "version" in body_of("/api/v1/referrals/{referral_id}/withdraw")["properties"]
    events = document["paths"]["/api/v1/events"]["get"]["responses"]["200"]
    item = events["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    item_schema = schemas[schemas[item]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert "center" in item_schema["properties"]  # a center's event, not a person's timeline


def _document() -> dict:
    return json.loads(json.dumps(api.get_openapi_schema()))  # as served: string keys


def test_every_operation_documents_its_error_answers_and_their_body():
    document = _document()
    error = document["components"]["schemas"]["ApiError"]
    assert set(error["properties"]) == {"detail", "errors"} and error["required"] == ["detail"]
    reference = {"$ref": "#/components/schemas/ApiError"}
    problems = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            expected = {"400", "401", "403", "404", "422", "429"}
            if "requestBody" in operation:
                expected.add("413")
            for code in expected:
                schema = answers.get(code, {}).get("content", {}).get("application/json", {})
                if schema.get("schema") != reference:
                    problems.append(f"{method.upper()} {path}: {code} without the error body")
            if "Retry-After" not in answers["429"].get("headers", {}):
                problems.append(f"{method.upper()} {path}: 429 without Retry-After")
    assert not problems, "\n".join(problems)


def test_versioned_writes_document_409_with_the_error_body():
    document = _document()
    assign = document["paths"]["/api/v1/cases/{case_id}/assign"]["post"]["responses"]
    assert assign["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"
    }
    # The registry's duplicate warning keeps its own body, with the candidates.
    register = document["paths"]["/api/v1/people"]["post"]["responses"]
    assert "DuplicateConflictOut" in json.dumps(register["409"])


READS_OF_A_RECORD = [
    ("get", "/api/v1/people/{person_id}"),
    ("get", "/api/v1/people/{person_id}/timeline"),
    ("get", "/api/v1/people/{person_id}/consents"),
    ("get", "/api/v1/households/{household_id}"),
    ("get", "/api/v1/cases/{case_id}"),
    ("get", "/api/v1/cases/{case_id}/timeline"),
    ("get", "/api/v1/cases/{case_id}/plan"),
]


def test_reads_of_a_record_document_the_access_reason_and_428():
    document = _document()
    for method, path in READS_OF_A_RECORD:
        operation = document["paths"][path][method]
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert headers == ["X-Access-Reason"], path
        assert "428" in operation["responses"], path
    listing = document["paths"]["/api/v1/people"]["get"]
    assert "428" not in listing["responses"]
    assert all(p["name"] != "X-Access-Reason" for p in listing["parameters"])
