"""Input the database cannot take is a 4xx naming the field, never a 500 (on both databases).

Once 500s: an `offset` past 64 bits on any list (SQLite cannot bind it, PostgreSQL refuses the
OFFSET), an id past 64 bits in the address, a filter or a body (SQLite), a form or multipart
body sent to an operation that takes JSON (the NUL check had read it as a form), and a NUL in
`X-Access-Reason` (PostgreSQL cannot store it).
"""

from urllib.parse import quote

import pytest

from asa.accounts.models import AuditEvent
from asa.api import api
from asa.cases.tests.test_pages_cases import make_case

PAST_64_BITS = [2**63, 2**64, 10**30]
REASON = "ตรวจสอบเรื่องร้องเรียนจากญาติผู้สูงอายุ"


def _lists() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path
        for path, item in paths.items()
        if "{" not in path
        and any(p["name"] == "offset" for p in item.get("get", {}).get("parameters", []))
    )


def _refused(response, field: str, status: int = 422) -> bool:
    if response.status_code != status:
        return False
    body = response.json()
    return bool(body["detail"]) and body["errors"][0]["field"] == field


def test_an_offset_past_64_bits_is_a_422_on_every_list(api_client_for, admin_user):
    client = api_client_for(admin_user)
    lists = _lists()
    assert len(lists) > 20
    problems = []
    for path in lists:
        for offset in PAST_64_BITS:
            response = client.get(path, {"offset": offset})
            if not _refused(response, "offset"):
                problems.append(f"{path}?offset={offset}: {response.status_code}")
        assert client.get(path, {"offset": 2**63 - 1}).status_code == 200, path
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("number", PAST_64_BITS)
def test_an_id_past_64_bits_is_a_422_naming_it(api_client_for, chair_a, number):
    client = api_client_for(chair_a)
    assert _refused(client.get(f"/api/v1/cases/{number}"), "case_id")
    assert _refused(client.get("/api/v1/people", {"center": number}), "center")
    answer = client.post("/api/v1/households", {"head": number}, content_type="application/json")
    assert _refused(answer, "head")
    answer = client.post(
        "/api/v1/volunteers",
        {"skills": [number]},
        content_type="application/json",
    )
    assert _refused(answer, "skills")
    # A search text may be a long run of digits: it is text, not a number.
    assert client.get("/api/v1/people", {"q": str(number)}).status_code == 200


def test_the_largest_64_bit_id_is_simply_not_found(api_client_for, chair_a):
    client = api_client_for(chair_a)
    assert client.get(f"/api/v1/cases/{2**63 - 1}").status_code == 404
    answer = client.post("/api/v1/households", {"head": 2**63 - 1}, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "head"


@pytest.mark.parametrize("kind", ["multipart", "form"])
def test_a_form_body_sent_to_a_json_operation_is_a_400(api_client_for, chair_a, kind):
    client = api_client_for(chair_a)
    if kind == "multipart":
        answer = client.post("/api/v1/households", {"head": "1"})
    else:
        answer = client.post(
            "/api/v1/households", "head=1", content_type="application/x-www-form-urlencoded"
        )
    assert answer.status_code == 400
    assert "JSON" in answer.json()["detail"]


@pytest.mark.parametrize(
    "header", [f"{REASON}\x00", quote(f"{REASON}\x00"), quote("\x07" + REASON)]
)
def test_a_control_character_in_the_access_reason_is_a_422(
    api_client_for, chair_a, volunteer_a, officer, header
):
    case = make_case(chair_a, volunteer_a)
    client = api_client_for(officer)
    answer = client.get(f"/api/v1/cases/{case.pk}", headers={"X-Access-Reason": header})
    assert _refused(answer, "reason")
    answer = client.get(f"/api/v1/cases/{case.pk}", {"reason": quote(f"{REASON}\x00")})
    assert _refused(answer, "reason")
    assert not AuditEvent.objects.filter(action="view_record", actor=officer).exists()
    fine = client.get(f"/api/v1/cases/{case.pk}", headers={"X-Access-Reason": quote(REASON)})
    assert fine.status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/v1/provinces/1%2F0", "/api/v1/cases/1/nothing"]
)
def test_an_address_no_operation_matches_answers_the_json_404(api_client_for, chair_a, path):
    answer = api_client_for(chair_a).get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json" and answer.json()["detail"]


def test_a_page_address_that_does_not_exist_is_still_the_page(client):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")
