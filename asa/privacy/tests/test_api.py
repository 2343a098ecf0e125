"""/api/v1/privacy-requests over a bearer token: the DPO's whole flow; everyone else refused."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.privacy.models import PrivacyRequest

URL = "/api/v1/privacy-requests"


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_the_dpo_answers_an_access_request_over_the_api(api_client_for, dpo, subject):
    person, _ = subject
    client = api_client_for(dpo)
    created = post(
        client,
        URL,
        {"kind": "access", "requester_name": "นายบุญมี ศรีสุข", "received_on": "2025-03-11"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["due_on"] == "2025-04-10" and body["status"] == "received"
    assert body["overdue"] is True and body["days_left"] < 0
    pk = body["id"]
    assert post(client, f"{URL}/{pk}/generate-answer").status_code == 422  # not verified yet
    verified = post(
        client, f"{URL}/{pk}/verify-identity", {"method": "id_card_in_person", "person": person.pk}
    )
    assert verified.json()["person"]["id"] == person.pk
    generated = post(client, f"{URL}/{pk}/generate-answer").json()
    assert generated["answer_files"] == ["pdf", "json"]
    copy = client.get(f"{URL}/{pk}/answer.json")
    assert copy.status_code == 200 and copy.json()["person"]["first_name"] == "บุญมี"
    assert client.get(f"{URL}/{pk}/answer.pdf").content.startswith(b"%PDF-")
    assert client.get(f"{URL}/{pk}/answer.xml").status_code == 404
    assert AuditEvent.objects.filter(action="download_privacy_answer").count() == 2
    answered = post(client, f"{URL}/{pk}/answer", {"answer": "ส่งสำเนาให้ทางอีเมลแล้ว"}).json()
    assert answered["status"] == "answered" and answered["overdue"] is False


def test_the_list_filters_and_answers_items_and_count(api_client_for, dpo):
    client = api_client_for(dpo)
    today = timezone.localdate()
    for kind, days_ago in (("access", 40), ("erasure", 3), ("objection", 50)):
        post(
            client,
            URL,
            {
                "kind": kind,
                "requester_name": "ผู้ขอ",
                "received_on": str(today - dt.timedelta(days=days_ago)),
            },
        )
    body = client.get(URL).json()
    assert body["count"] == 3 and len(body["items"]) == 3
    assert client.get(f"{URL}?overdue=true").json()["count"] == 2
    assert client.get(f"{URL}?kind=erasure").json()["count"] == 1
    assert client.get(f"{URL}?status=answered").json()["count"] == 0


def test_bad_input_is_a_422_naming_the_field(api_client_for, dpo, chair_a):
    client = api_client_for(dpo)
    response = post(client, URL, {"kind": "gossip", "requester_name": "x"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "kind"
    response = post(
        client, URL, {"kind": "access", "requester_name": "x", "received_on": "2568-03-11"}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "received_on"
    response = post(client, URL, {"kind": "access", "requester_name": "x", "person": 999999})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "person"
    pk = post(client, URL, {"kind": "access", "requester_name": "x"}).json()["id"]
    response = post(client, f"{URL}/{pk}/assign", {"assigned_to": chair_a.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assigned_to"
    assert PrivacyRequest.objects.count() == 1


@pytest.mark.parametrize("persona", ["chair_a", "volunteer_b", "officer", "agency_user"])
def test_everyone_else_is_refused(request, api_client_for, dpo, persona):
    pk = post(api_client_for(dpo), URL, {"kind": "access", "requester_name": "x"}).json()["id"]
    client = api_client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{pk}").status_code == 403
    assert client.get(f"{URL}/{pk}/answer.pdf").status_code == 403
    assert post(client, URL, {"kind": "access", "requester_name": "y"}).status_code == 403
    assert post(client, f"{URL}/{pk}/withdraw").status_code == 403
    assert PrivacyRequest.objects.get().status == "received"


def test_without_a_token_it_is_401(client, db):
    assert client.get(URL).status_code == 401
