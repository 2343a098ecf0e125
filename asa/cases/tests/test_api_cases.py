"""The cases API: scoped lists and details, intake, the case actions, timeline, watch list."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.accounts.actions import notify
from asa.accounts.models import AuditEvent, Notification
from asa.cases import actions
from asa.cases.models import Case, Status
from asa.centers.models import Volunteer
from asa.conftest import make_volunteer
from asa.registry.actions import create_household, register_person


@pytest.fixture
def person(chair_a):
    person = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )
    create_household(actor=chair_a, head=person)
    return person


@pytest.fixture
def case(volunteer_a, person):
    return actions.open_case(
        actor=volunteer_a,
        person=person,
        source="field",
        urgency="emergency",
        story="ผู้สูงอายุอยู่ลำพัง ขาดอาหาร",
    )


def volunteer_of(user) -> Volunteer:
    return Volunteer.objects.get(user=user)


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


# --- Reading -----------------------------------------------------------------------------------


def test_it_lists_cases_in_scope(api_client_for, case, chair_a, volunteer_a, officer):
    for user in (chair_a, volunteer_a, officer):
        body = api_client_for(user).get("/api/v1/cases").json()
        assert body["count"] == 1
        item = body["items"][0]
        assert item["number"] == case.number and item["person"]["full_name"] == "บุญมี ศรีสุข"
        assert item["urgency"] == "emergency" and item["version"] == case.version


@pytest.mark.parametrize("persona", ["chair_b", "volunteer_b", "agency_user", "dpo"])
def test_others_see_no_case_and_get_404_for_one(request, api_client_for, case, persona):
    client = api_client_for(request.getfixturevalue(persona))
    assert client.get("/api/v1/cases").json() == {"items": [], "count": 0}
    for url in (f"/api/v1/cases/{case.pk}", f"/api/v1/cases/{case.pk}/timeline"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "บุญมี" not in response.content.decode()
    watch = client.get("/api/v1/watch").json()
    assert watch["due_today"] == {"count": 0, "items": []}


def test_it_filters_the_list(api_client_for, case, chair_a, volunteer_a, person, center_b):
    client = api_client_for(chair_a)
    other = actions.open_case(actor=chair_a, person=person, source="hotline", story="ร้องเรียน")
    mine = volunteer_of(volunteer_a)
    actions.assign_case(actor=chair_a, case=case, volunteers=[mine])

    def numbers(query):
        return {item["number"] for item in client.get(f"/api/v1/cases?{query}").json()["items"]}

    assert numbers("urgency=emergency") == {case.number}
    assert numbers("urgency=routine") == {other.number}
    assert numbers(f"assigned_to={mine.pk}") == {case.number}
    assert numbers(f"person={person.pk}") == {case.number, other.number}
    assert numbers(f"center={center_b.pk}") == set()
    assert numbers("status=new") == {case.number, other.number}
    assert client.get("/api/v1/cases?status=bogus").status_code == 422


def test_it_paginates(api_client_for, case, chair_a, person):
    for _ in range(3):
        actions.open_case(actor=chair_a, person=person, source="walk_in", story="มาที่ศูนย์")
    body = api_client_for(chair_a).get("/api/v1/cases?limit=2&offset=1").json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 4 and len(body["items"]) == 2


def test_it_shows_one_case_with_assignments(api_client_for, case, chair_a, volunteer_a):
    actions.assign_case(actor=chair_a, case=case, volunteers=[volunteer_of(volunteer_a)])
    body = api_client_for(volunteer_a).get(f"/api/v1/cases/{case.pk}").json()
    assert body["story"] == "ผู้สูงอายุอยู่ลำพัง ขาดอาหาร"
    assert [a["volunteer"]["id"] for a in body["assignments"]] == [volunteer_of(volunteer_a).pk]
    assert body["version"] == 2 and body["next_follow_up_on"] == str(timezone.localdate())


def test_the_timeline_lists_the_cases_events(api_client_for, case, chair_a, volunteer_a):
    actions.assign_case(actor=chair_a, case=case, volunteers=[volunteer_of(volunteer_a)])
    body = api_client_for(volunteer_a).get(f"/api/v1/cases/{case.pk}/timeline").json()
    assert body["count"] == 2
    assert [event["action"] for event in body["items"]] == ["assign_case", "open_case"]
    assert body["items"][0]["actor"] == chair_a.username


# --- Intake ------------------------------------------------------------------------------------


def test_a_volunteer_takes_in_a_case(api_client_for, volunteer_a, person, center_a, chair_a):
    response = post(
        api_client_for(volunteer_a),
        "/api/v1/cases",
        {
            "person": person.pk,
            "source": "field",
            "urgency": "urgent",
            "story": "ถูกทอดทิ้ง",
            "problems": [],
            "reporter_name": "เพื่อนบ้าน",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["center"]["id"] == center_a.pk and body["status"] == "new"
    assert Case.objects.get(pk=body["id"]).created_by == volunteer_a


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"story": " "}, "story"),
        ({"source": "pigeon"}, "source"),
        ({"problems": ["no-such-problem"]}, "problems"),
        ({"reported_at": "2568-01-05T10:00:00+07:00"}, "reported_at"),
        ({"reported_at": "2099-01-05T10:00:00+07:00"}, "reported_at"),
        ({"person": 999999}, "person"),
        ({"version": 3}, "version"),
    ],
)
def test_bad_intake_is_refused_and_saves_nothing(api_client_for, chair_a, person, change, field):
    data = {"person": person.pk, "source": "field", "story": "เรื่อง"} | change
    response = post(api_client_for(chair_a), "/api/v1/cases", data)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    if field == "reported_at" and "2568" in data["reported_at"]:
        assert "พ.ศ." in response.json()["detail"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["volunteer_b", "chair_b", "agency_user", "dpo"])
def test_intake_about_someone_out_of_scope_names_person(request, api_client_for, person, persona):
    client = api_client_for(request.getfixturevalue(persona))
    response = post(client, "/api/v1/cases", {"person": person.pk, "source": "field", "story": "x"})
    assert response.status_code == 422 and fields(response) == {"person"}
    assert "บุญมี" not in response.content.decode()
    assert not Case.objects.exists()


# --- Case actions ------------------------------------------------------------------------------


def test_the_chair_assigns_and_the_volunteer_is_told(
    api_client_for, case, chair_a, volunteer_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api_client_for(chair_a),
            f"/api/v1/cases/{case.pk}/assign",
            {"volunteers": [volunteer_of(volunteer_a).pk], "version": case.version},
        )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == case.version + 1
    assert Notification.objects.filter(user=volunteer_a, kind="case_assigned").exists()


def test_assigning_another_centers_volunteer_names_volunteers(
    api_client_for, case, chair_a, officer, center_b
):
    outsider = make_volunteer(center_b)
    for user in (chair_a, officer):  # chair_a cannot see them; the officer can, but no
        response = post(
            api_client_for(user),
            f"/api/v1/cases/{case.pk}/assign",
            {"volunteers": [outsider.pk], "version": case.version},
        )
        assert response.status_code == 422 and fields(response) == {"volunteers"}
    assert not case.assignments.exists()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_a_stale_version_is_409_and_changes_nothing(api_client_for, case, chair_a, officer):
    first = post(
        api_client_for(chair_a),
        f"/api/v1/cases/{case.pk}/status",
        {"status": "assessed", "version": case.version},
    )
    assert first.status_code == 200
    second = post(
        api_client_for(officer),
        f"/api/v1/cases/{case.pk}/status",
        {"status": "plan_agreed", "version": case.version},
    )
    assert second.status_code == 409
    body = second.json()
    assert body["errors"][0]["field"] == "version" and "ผู้อื่น" in body["detail"]
    assert Case.objects.get(pk=case.pk).status == Status.ASSESSED


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("approve-closure", {}),
        ("close", {"outcome": "resolved"}),
        ("reopen", {"reason": "กลับมาอีก"}),
        ("transfer", {"to_center": None, "reason": "ย้ายบ้าน"}),
        ("assign", {"volunteers": []}),
    ],
)
def test_a_volunteer_who_may_read_may_not_manage(
    api_client_for, case, volunteer_a, center_b, action, data
):
    if "to_center" in data:
        data["to_center"] = center_b.pk
    if action == "assign":
        data["volunteers"] = [volunteer_of(volunteer_a).pk]
    client = api_client_for(volunteer_a)
    before = AuditEvent.objects.count()
    response = post(
        client,
        f"/api/v1/cases/{case.pk}/{action}",
        data | {"version": case.version},
    )
    assert response.status_code == 403, response.content
    assert AuditEvent.objects.count() == before


VALID_BODIES = {
    "assign": {"volunteers": [1]},
    "transfer": {"to_center": 1, "reason": "ย้าย"},
    "status": {"status": "assessed"},
    "closure-request": {"outcome": "resolved"},
    "approve-closure": {},
    "close": {"outcome": "resolved"},
    "reopen": {"reason": "กลับมาอีก"},
}


@pytest.mark.parametrize("action", list(VALID_BODIES))
@pytest.mark.parametrize("persona", ["volunteer_b", "chair_b", "agency_user", "dpo"])
def test_outsiders_get_404_for_every_case_action(request, api_client_for, case, action, persona):
    client = api_client_for(request.getfixturevalue(persona))
    before = AuditEvent.objects.count()
    data = VALID_BODIES[action] | {"version": case.version}
    response = post(client, f"/api/v1/cases/{case.pk}/{action}", data)
    assert response.status_code == 404, response.content
    assert AuditEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).version == case.version


def test_closing_goes_through_request_and_approval(api_client_for, case, volunteer_a, chair_a):
    actions.assign_case(actor=chair_a, case=case, volunteers=[volunteer_of(volunteer_a)])
    case.refresh_from_db()
    volunteer, chair = api_client_for(volunteer_a), api_client_for(chair_a)
    url = f"/api/v1/cases/{case.pk}"
    no_outcome = post(volunteer, f"{url}/closure-request", {"version": case.version})
    assert no_outcome.status_code == 422 and fields(no_outcome) == {"outcome"}
    requested = post(
        volunteer, f"{url}/closure-request", {"outcome": "resolved", "version": case.version}
    )
    assert requested.json()["status"] == "closure_requested"
    version = requested.json()["version"]
    assert post(volunteer, f"{url}/approve-closure", {"version": version}).status_code == 403
    approved = post(chair, f"{url}/approve-closure", {"version": version})
    assert approved.json()["status"] == "closed" and approved.json()["outcome"] == "resolved"
    version = approved.json()["version"]
    no_reason = post(chair, f"{url}/reopen", {"reason": " ", "version": version})
    assert no_reason.status_code == 422 and fields(no_reason) == {"reason"}
    reopened = post(chair, f"{url}/reopen", {"reason": "ปัญหากลับมา", "version": version})
    assert reopened.json()["status"] == "in_progress"
    closed = post(chair, f"{url}/close", {"outcome": "moved_away", "version": version + 1})
    assert closed.json()["status"] == "closed"


def test_a_transfer_needs_a_reason_and_moves_the_case(api_client_for, case, chair_a, center_b):
    client = api_client_for(chair_a)
    url = f"/api/v1/cases/{case.pk}/transfer"
    data = {"to_center": center_b.pk, "version": case.version}
    no_reason = post(client, url, data | {"reason": ""})
    assert no_reason.status_code == 422 and fields(no_reason) == {"reason"}
    unknown = post(client, url, data | {"to_center": 999999, "reason": "ย้าย"})
    assert unknown.status_code == 422 and fields(unknown) == {"to_center"}
    moved = post(client, url, data | {"reason": "ย้ายไปอยู่กับลูก"})
    assert moved.status_code == 200 and moved.json()["center"]["id"] == center_b.pk
    # The case now belongs to center B: chair A no longer sees it.
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_the_chair_ends_an_assignment_as_the_page_does(
    api_client_for, case, chair_a, volunteer_a, volunteer_b
):
    member = volunteer_of(volunteer_a)
    actions.assign_case(actor=chair_a, case=case, volunteers=[member])
    url = f"/api/v1/cases/{case.pk}/unassign"
    data = {"volunteer": member.pk, "reason": "สลับเวร"}
    assert post(api_client_for(volunteer_b), url, data).status_code == 404
    assert post(api_client_for(volunteer_a), url, data).status_code == 403
    ended = post(api_client_for(chair_a), url, data)
    assert ended.status_code == 200 and ended.json()["assignments"][0]["ended_at"]
    assert not case.assignments.filter(ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="unassign_volunteer", reason="สลับเวร").exists()
    again = post(api_client_for(chair_a), url, data)
    assert again.status_code == 422 and fields(again) == {"volunteer"}


def test_a_bad_status_move_names_status(api_client_for, case, chair_a):
    response = post(
        api_client_for(chair_a),
        f"/api/v1/cases/{case.pk}/status",
        {"status": "closed", "version": case.version},
    )
    assert response.status_code == 422 and fields(response) == {"status"}


# --- Watch -------------------------------------------------------------------------------------


def test_the_watch_list_has_three_buckets(api_client_for, case, chair_a, person):
    routine = actions.open_case(actor=chair_a, person=person, source="survey", story="สำรวจ")
    Case.objects.filter(pk=routine.pk).update(
        next_follow_up_on=timezone.localdate() - dt.timedelta(days=2)
    )
    body = api_client_for(chair_a).get("/api/v1/watch").json()
    assert body["due_today"]["count"] == 1 and body["due_today"]["items"][0]["id"] == case.pk
    assert body["overdue"]["count"] == 1 and body["overdue"]["items"][0]["id"] == routine.pk
    assert body["this_week"] == {"count": 0, "items": []}


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/api/v1/cases", "/api/v1/watch", "/api/v1/cases?status=new"])
def test_list_queries_stay_constant_as_cases_grow(
    api_client_for, case, chair_a, volunteer_a, person, url
):
    client = api_client_for(chair_a)
    _queries(client, url)  # the token's first use is recorded once
    few = _queries(client, url)
    member = volunteer_of(volunteer_a)
    for index in range(6):
        more = actions.open_case(
            actor=chair_a, person=person, source="field", story=f"เรื่องที่ {index}"
        )
        actions.assign_case(actor=chair_a, case=more, volunteers=[member])
        Case.objects.filter(pk=more.pk).update(
            next_follow_up_on=timezone.localdate() + dt.timedelta(days=index - 3)
        )
    assert _queries(client, url) == few


# --- Notifications -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_notifications_are_own_and_can_be_marked_read(api_client_for, chair_a, chair_b):
    for number in range(3):
        notify(user=chair_a, kind="test", message=f"ข้อความ {number}", dedupe_key=f"t{number}")
    notify(user=chair_b, kind="test", message="ของประธานบี", dedupe_key="b")
    client = api_client_for(chair_a)
    body = client.get("/api/v1/notifications?unread=true").json()
    assert body["count"] == 3
    assert "ของประธานบี" not in json.dumps(body, ensure_ascii=False)
    first = body["items"][0]["id"]
    other = Notification.objects.get(user=chair_b).pk
    marked = post(client, "/api/v1/notifications/read", {"ids": [first, other]})
    assert marked.json() == {"marked": 1}
    assert Notification.objects.get(pk=other).read_at is None
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 2
    assert post(client, "/api/v1/notifications/read", {}).json() == {"marked": 2}
    assert client.get("/api/v1/notifications").json()["count"] == 3
    assert post(client, "/api/v1/notifications/read", {"bogus": 1}).status_code == 422
