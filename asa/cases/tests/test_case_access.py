"""Who may read and change a case after its history moves on (issue 15): an ended assignment
gives nothing, a reporter sees only that their report was received and its status once someone
is assigned, and nobody writes to a case of another center."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.cases import actions
from asa.cases.models import Status
from asa.centers.models import Volunteer
from asa.conftest import make_volunteer
from asa.registry.actions import register_person

pytestmark = pytest.mark.django_db


def volunteer_of(user) -> Volunteer:
    return Volunteer.objects.get(user=user)


@pytest.fixture
def person(chair_a):
    return register_person(
        actor=chair_a,
        first_name="ทองดี",
        last_name="มีสุข",
        birth_date=dt.date(1948, 2, 1),
        subdistrict="100502",
    )


@pytest.fixture
def case(chair_a, volunteer_a, person):
    case = actions.open_case(actor=chair_a, person=person, source="field", story="อยู่ลำพัง")
    return actions.assign_case(actor=chair_a, case=case, volunteers=[volunteer_of(volunteer_a)])


def _visit_body(case, note="เยี่ยมบ้าน พบว่าขาดยา") -> dict:
    return {"case": case.pk, "visited_at": timezone.now().isoformat(), "observations": note}


def _api_reads(api, case) -> dict[str, int]:
    return {
        "case": api.get(f"/api/v1/cases/{case.pk}").status_code,
        "timeline": api.get(f"/api/v1/cases/{case.pk}/timeline").status_code,
        "plan": api.get(f"/api/v1/cases/{case.pk}/plan").status_code,
    }


def _page_reads(client, case) -> dict[str, int]:
    return {
        "case": client.get(f"/cases/{case.pk}/").status_code,
        "timeline": client.get(f"/cases/{case.pk}/referrals/").status_code,
        "plan": client.get(f"/cases/{case.pk}/visits/new/").status_code,
    }


def _reads(api, client, case) -> dict[str, dict[str, int]]:
    return {"api": _api_reads(api, case), "pages": _page_reads(client, case)}


def _case_in_lists(client, case) -> bool:
    listed = client.get("/api/v1/cases").json()["items"]
    visits = client.get("/api/v1/visits").json()["items"]
    return any(row["id"] == case.pk for row in listed) or any(
        row["case"] == case.pk for row in visits
    )


NONE = {"case": 404, "timeline": 404, "plan": 404}
NO_ACCESS = {"api": NONE, "pages": NONE}


def test_an_ended_assignment_gives_no_access(
    api_client_for, client_for, chair_a, volunteer_a, case
):
    api = api_client_for(volunteer_a)
    assert (
        api.post("/api/v1/visits", _visit_body(case), content_type="application/json").status_code
        == 201
    )
    assert _case_in_lists(api, case)
    actions.unassign_volunteer(actor=chair_a, case=case, volunteer=volunteer_of(volunteer_a))
    assert _reads(api, client_for(volunteer_a), case) == NO_ACCESS
    assert not _case_in_lists(api, case)
    response = api.post("/api/v1/visits", _visit_body(case), content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "case"
    assert case.visits.count() == 1
    response = api.post(
        f"/api/v1/cases/{case.pk}/status",
        {"status": Status.ASSESSED, "version": case.version},
        content_type="application/json",
    )
    assert response.status_code == 404
    # Assigned again: back.
    actions.assign_case(actor=chair_a, case=case, volunteers=[volunteer_of(volunteer_a)])
    assert _reads(api, client_for(volunteer_a), case) == {
        "api": {"case": 200, "timeline": 200, "plan": 200},
        "pages": {"case": 200, "timeline": 200, "plan": 200},
    }


def test_a_transfer_takes_the_case_away_from_the_old_center(
    api_client_for, client_for, chair_a, volunteer_a, chair_b, volunteer_b, case, center_b
):
    before = client_for(volunteer_a)
    assert _page_reads(before, case)["case"] == 200
    actions.transfer_case(actor=chair_a, case=case, to_center=center_b, reason="ย้ายบ้าน")
    for user in (volunteer_a, chair_a):
        assert _reads(api_client_for(user), client_for(user), case) == NO_ACCESS
        response = api_client_for(user).post(
            "/api/v1/visits", _visit_body(case), content_type="application/json"
        )
        assert response.status_code == 422
    # The new center's chair has it; its volunteers once assigned.
    assert _page_reads(client_for(chair_b), case)["case"] == 200
    assert _reads(api_client_for(volunteer_b), client_for(volunteer_b), case) == NO_ACCESS
    actions.assign_case(actor=chair_b, case=case, volunteers=[volunteer_of(volunteer_b)])
    assert _api_reads(api_client_for(volunteer_b), case)["case"] == 200


def test_an_assignment_left_open_in_another_center_gives_nothing(
    api_client_for, client_for, chair_a, volunteer_a, case, center_b
):
    # Even if an assignment was not ended (an old row, a bug), the case's center must be the
    # volunteer's own.
    from asa.cases.models import Case

    Case.objects.filter(pk=case.pk).update(center=center_b, district_id=center_b.district_id)
    assert _reads(api_client_for(volunteer_a), client_for(volunteer_a), case) == NO_ACCESS


def test_a_paused_volunteer_loses_their_cases(client_for, chair_a, volunteer_a, case):
    from asa.centers.actions import change_volunteer_status

    change_volunteer_status(
        actor=chair_a, volunteer=volunteer_of(volunteer_a), status="inactive", reason="ลาพัก"
    )
    assert _page_reads(client_for(volunteer_a), case) == NONE


def test_a_reporter_follows_the_report_not_the_case_file(
    api_client_for, client_for, chair_a, volunteer_a, center_a, person
):
    other = make_volunteer(center_a, first_name="มานะ")
    reported = actions.open_case(actor=volunteer_a, person=person, source="field", story="ล้มในบ้าน")
    reporter = client_for(volunteer_a)
    # Until someone is assigned, the reporter reads what they reported ...
    assert reporter.get(f"/cases/{reported.pk}/").status_code == 200
    # ... but writes nothing: a reporter is not a worker on the case.
    response = api_client_for(volunteer_a).post(
        "/api/v1/visits", _visit_body(reported), content_type="application/json"
    )
    assert response.status_code == 422
    actions.assign_case(actor=chair_a, case=reported, volunteers=[other])
    actions.record_visit(
        actor=chair_a,
        case=reported,
        visited_at=timezone.now(),
        observations="บันทึกลับของผู้เยี่ยม",
    )
    assert _reads(api_client_for(volunteer_a), reporter, reported) == NO_ACCESS
    assert "บันทึกลับของผู้เยี่ยม" not in str(api_client_for(volunteer_a).get("/api/v1/visits").json())
    # The "my reports" page: received, where, its status; no visit notes, no story.
    reported.refresh_from_db()
    assert reported.status == Status.ASSESSED  # the first visit assessed it
    page = reporter.get("/cases/reported/").content.decode()
    assert reported.number in page
    assert str(Status.ASSESSED.label) in page
    assert center_a.name_th in page
    assert "มอบหมาย อพม. แล้ว" in page
    assert "บันทึกลับของผู้เยี่ยม" not in page and "ล้มในบ้าน" not in page
    assert f"/cases/{reported.pk}/" not in page
    # Someone else's reports are not listed.
    assert reported.number not in client_for(chair_a).get("/cases/reported/").content.decode()


def test_my_reports_runs_a_constant_number_of_queries(client_for, volunteer_a, person):
    client = client_for(volunteer_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/reported/").status_code == 200
        return len(queries)

    actions.open_case(actor=volunteer_a, person=person, source="field", story="หนึ่ง")
    few = count()
    for number in range(8):
        actions.open_case(actor=volunteer_a, person=person, source="field", story=f"เรื่อง {number}")
    assert count() == few


def test_my_reports_needs_sign_in(client, db):
    response = client.get("/cases/reported/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nobody_writes_to_a_case_of_another_center(
    api_client_for, volunteer_b, chair_b, outside_officer, case
):
    for user in (volunteer_b, chair_b, outside_officer):
        api = api_client_for(user)
        response = api.post("/api/v1/visits", _visit_body(case), content_type="application/json")
        assert response.status_code == 422
        response = api.post(
            f"/api/v1/cases/{case.pk}/status",
            {"status": Status.ASSESSED, "version": case.version},
            content_type="application/json",
        )
        assert response.status_code == 404
    assert case.visits.count() == 0


def test_the_assigned_volunteer_and_the_chair_still_write(
    api_client_for, chair_a, volunteer_a, officer, case
):
    for user in (volunteer_a, chair_a, officer):
        response = api_client_for(user).post(
            "/api/v1/visits", _visit_body(case), content_type="application/json"
        )
        assert response.status_code == 201, response.content
    assert case.visits.count() == 3
