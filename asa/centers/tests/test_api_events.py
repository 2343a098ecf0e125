"""The events and hours API over HTTP with a bearer token: scoped lists, writes through the
actions, 422 naming the field, refusals outside scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.centers import events as event_actions
from asa.centers.models import Event, HoursEntry, HoursStatus, TrainingRecord, Volunteer
from asa.conftest import make_volunteer
from asa.lib.thai import fiscal_year_be

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - dt.timedelta(days=2)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def own(user) -> Volunteer:
    return Volunteer.objects.get(user=user)


def event_body(center, **overrides) -> dict:
    body = {
        "center": center.pk,
        "kind": "training",
        "title": "อบรมการเยี่ยมบ้าน",
        "starts_at": f"{DAY.isoformat()}T09:00:00",
        "ends_at": f"{DAY.isoformat()}T12:00:00",
        "place": "ศูนย์ประสานงาน อพม. เขตบางเขน",
        "speakers": ["นักพัฒนาสังคม"],
        "topics": ["การเยี่ยมบ้าน", "การส่งต่อ"],
    }
    body.update(overrides)
    return body


def test_a_chair_creates_an_event_and_takes_attendance(
    api_client_for, chair_a, volunteer_a, center_a
):
    client = api_client_for(chair_a)
    response = post(client, "/api/v1/events", event_body(center_a))
    assert response.status_code == 201, response.content
    event = response.json()
    assert event["topics"] == ["การเยี่ยมบ้าน", "การส่งต่อ"]
    starts = dt.datetime.fromisoformat(event["starts_at"].replace("Z", "+00:00"))
    assert timezone.localtime(starts).hour == 9  # a time without a zone is Thai time
    member = own(volunteer_a)
    response = client.put(
        f"/api/v1/events/{event['id']}/attendance",
        {"attendees": [{"volunteer": member.pk}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["volunteer_count"] == 1
    attendance = client.get(f"/api/v1/events/{event['id']}/attendance").json()
    assert attendance["count"] == 1 and attendance["items"][0]["hours"] == "3.0"
    records = api_client_for(volunteer_a).get("/api/v1/training-records").json()
    assert records["count"] == 2
    assert records["items"][0]["certificate_url"].endswith("/certificate/")


def test_events_are_listed_by_scope_and_filters(api_client_for, chair_a, chair_b, center_a):
    response = post(api_client_for(chair_a), "/api/v1/events", event_body(center_a))
    event_id = response.json()["id"]
    listing = api_client_for(chair_a).get(
        f"/api/v1/events?center={center_a.pk}&kind=training&fiscal_year={fiscal_year_be(DAY)}"
    )
    assert listing.json()["count"] == 1
    assert api_client_for(chair_a).get("/api/v1/events?kind=meeting").json()["count"] == 0
    assert api_client_for(chair_b).get("/api/v1/events").json()["count"] == 0
    assert api_client_for(chair_b).get(f"/api/v1/events/{event_id}").status_code == 404


def test_it_answers_422_naming_the_field(api_client_for, chair_a, chair_b, center_a):
    client = api_client_for(chair_a)
    response = post(client, "/api/v1/events", event_body(center_a, topics=[]))
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["topics"]
    response = post(client, "/api/v1/events", event_body(center_a, ends_at="2019-03-11T08:00:00"))
    assert response.status_code == 422
    response = post(client, "/api/v1/events", event_body(center_a, starts_at="2562-03-11T09:00"))
    assert response.status_code == 422
    response = post(api_client_for(chair_b), "/api/v1/events", event_body(center_a))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "center"
    assert not Event.objects.exists()


def test_attendance_refuses_volunteers_of_other_centers(
    api_client_for, chair_a, volunteer_b, center_a
):
    event = event_actions.create_event(
        actor=chair_a,
        center=center_a,
        kind="meeting",
        title="ประชุม",
        starts_at=timezone.now(),
        ends_at=timezone.now(),
        place="ศูนย์",
    )
    response = api_client_for(chair_a).put(
        f"/api/v1/events/{event.pk}/attendance",
        {"attendees": [{"volunteer": own(volunteer_b).pk, "hours": 2}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attendees"


def test_a_volunteer_may_read_but_not_change_events(api_client_for, chair_a, volunteer_a, center_a):
    event_id = post(api_client_for(chair_a), "/api/v1/events", event_body(center_a)).json()["id"]
    client = api_client_for(volunteer_a)
    assert client.get(f"/api/v1/events/{event_id}").status_code == 200
    response = client.patch(
        f"/api/v1/events/{event_id}", {"title": "แก้"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_hours_entry_approval_over_the_api(api_client_for, chair_a, volunteer_a, chair_b):
    volunteer_client = api_client_for(volunteer_a)
    response = post(
        volunteer_client,
        "/api/v1/hours-entries",
        {"worked_on": DAY.isoformat(), "hours": 2.5, "description": "ช่วยงานศูนย์"},
    )
    assert response.status_code == 201, response.content
    entry_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    hours_url = f"/api/v1/volunteers/{own(volunteer_a).pk}/hours?fiscal_year={fiscal_year_be(DAY)}"
    assert volunteer_client.get(hours_url).json()["total"] == "0"
    # The volunteer cannot approve; another center's chair does not see it.
    assert (
        post(volunteer_client, f"/api/v1/hours-entries/{entry_id}/approve", {}).status_code == 403
    )
    refused = post(api_client_for(chair_b), f"/api/v1/hours-entries/{entry_id}/approve", {})
    assert refused.status_code == 404
    chair = api_client_for(chair_a)
    response = post(chair, f"/api/v1/hours-entries/{entry_id}/reject", {"note": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "decision_note"
    response = post(chair, f"/api/v1/hours-entries/{entry_id}/approve", {"note": "ขอบคุณ"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    hours = volunteer_client.get(hours_url).json()
    assert hours["entry_hours"] == "2.5" and hours["total"] == "2.5"
    assert chair.get("/api/v1/hours-entries?status=approved").json()["count"] == 1
    assert api_client_for(chair_b).get("/api/v1/hours-entries").json()["count"] == 0


def test_hours_entry_input_is_checked(api_client_for, volunteer_a, center_a):
    client = api_client_for(volunteer_a)
    for body, field in (
        ({"worked_on": DAY.isoformat(), "hours": 30, "description": "x"}, "hours"),
        ({"worked_on": "2999-01-01", "hours": 1, "description": "x"}, "worked_on"),
        ({"worked_on": DAY.isoformat(), "hours": 1, "description": " "}, "description"),
    ):
        response = post(client, "/api/v1/hours-entries", body)
        assert response.status_code == 422, body
        assert field in [error["field"] for error in response.json()["errors"]], response.json()
    colleague = make_volunteer(center_a, first_name="เพื่อน")
    response = post(
        client,
        "/api/v1/hours-entries",
        {"volunteer": colleague.pk, "worked_on": DAY.isoformat(), "hours": 1, "description": "x"},
    )
    assert response.status_code == 422
    assert not HoursEntry.objects.exists()


def test_a_colleague_may_not_read_a_volunteers_hours(api_client_for, volunteer_a, center_a):
    colleague = make_volunteer(center_a, first_name="เพื่อน")
    response = api_client_for(volunteer_a).get(f"/api/v1/volunteers/{colleague.pk}/hours")
    assert response.status_code == 403


def test_event_list_queries_stay_constant(api_client_for, chair_a, center_a):
    client = api_client_for(chair_a)
    for index in range(2):
        post(client, "/api/v1/events", event_body(center_a, title=f"อบรม {index}"))
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/events").status_code == 200
    for index in range(5):
        post(client, "/api/v1/events", event_body(center_a, title=f"อบรมเพิ่ม {index}"))
    with CaptureQueriesContext(connection) as large:
        assert client.get("/api/v1/events").json()["count"] == 7
    assert len(large) == len(small)
    assert TrainingRecord.objects.count() == 0 and HoursStatus.PENDING
