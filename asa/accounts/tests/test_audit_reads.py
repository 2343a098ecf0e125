"""Reads of a person, household or case are logged; out-of-routine reads ask for a reason."""

import pytest
from django.urls import reverse

from asa.accounts.models import AuditEvent
from asa.cases.tests.test_pages_cases import make_case, make_person

REASON = "ตรวจสอบเรื่องร้องเรียนจากญาติผู้สูงอายุ"


def _reads(obj, user=None):
    events = AuditEvent.objects.filter(
        action="view_record", object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )
    return events.filter(actor=user) if user is not None else events


@pytest.fixture
def case(chair_a, volunteer_a):
    return make_case(chair_a, volunteer_a)


def test_the_centers_own_staff_read_without_a_reason_and_every_read_is_logged(
    client_for, chair_a, volunteer_a, case
):
    person = case.person
    household = case.household or person.memberships.first().household
    client = client_for(chair_a)
    for url in (
        reverse("registry:person_detail", args=[person.pk]),
        reverse("registry:household_detail", args=[household.pk]),
        reverse("cases:case_detail", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "ระบุเหตุผล" not in response.content.decode()
    client.get(reverse("registry:person_detail", args=[person.pk]))
    assert _reads(person, chair_a).count() == 2  # every access, reloads included
    assert _reads(household, chair_a).count() == 1
    event = _reads(case, chair_a).get()
    assert event.changes == {"via": "page"}
    assert event.reason == ""
    assert event.ip_address == "127.0.0.1"
    # The assigned volunteer reads their case as routine work.
    assert client_for(volunteer_a).get(reverse("cases:case_detail", args=[case.pk])).status_code
    assert _reads(case, volunteer_a).count() == 1


def test_reads_stay_off_the_casework_timelines(client_for, chair_a, case):
    client = client_for(chair_a)
    client.get(reverse("cases:case_detail", args=[case.pk]))
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "เปิดดูข้อมูล" not in html


def test_an_officer_gives_a_reason_before_opening_a_record_outside_their_routine(
    client_for, officer, case
):
    person = case.person
    url = reverse("registry:person_detail", args=[person.pk])
    client = client_for(officer)
    asked = client.get(url)
    assert "ระบุเหตุผลในการเปิดดูข้อมูล" in asked.content.decode()
    assert person.last_name not in asked.content.decode()  # nothing of the record yet
    assert not _reads(person).exists()

    # Too short: the Thai error next to the field, nothing remembered.
    short = client.post(
        reverse("audit:access_reason"),
        {"object_type": "registry.person", "object_id": person.pk, "reason": "ดู"},
    )
    assert short.status_code == 400
    assert "เหตุผลสั้นเกินไป" in short.content.decode()

    given = client.post(
        reverse("audit:access_reason"),
        {"object_type": "registry.person", "object_id": person.pk, "reason": REASON},
    )
    assert given.status_code == 302
    assert given["Location"] == url
    page = client.get(url)
    assert person.last_name in page.content.decode()
    assert _reads(person, officer).get().reason == REASON
    # The reason covers the next reads for a while; each is still logged with it.
    again = client.get(url)
    assert person.last_name in again.content.decode()
    assert list(_reads(person, officer).values_list("reason", flat=True)) == [REASON, REASON]


def test_a_case_waiting_for_the_officers_approval_is_routine(client_for, officer, case):
    from asa.cases.models import Case, Status

    Case.objects.filter(pk=case.pk).update(status=Status.CLOSURE_REQUESTED)
    response = client_for(officer).get(reverse("cases:case_detail", args=[case.pk]))
    assert "ระบุเหตุผล" not in response.content.decode()
    assert _reads(case, officer).get().reason == ""


def test_whoever_registered_the_person_reads_them_as_routine(client_for, officer):
    person = make_person(officer)
    response = client_for(officer).get(reverse("registry:person_detail", args=[person.pk]))
    assert person.last_name in response.content.decode()


def test_a_reason_is_refused_for_a_record_outside_the_users_scope(client_for, volunteer_b, case):
    response = client_for(volunteer_b).post(
        reverse("audit:access_reason"),
        {"object_type": "registry.person", "object_id": case.person.pk, "reason": REASON},
    )
    assert response.status_code == 404
    response = client_for(volunteer_b).post(
        reverse("audit:access_reason"),
        {"object_type": "accounts.user", "object_id": 1, "reason": REASON},
    )
    assert response.status_code == 403


def test_the_api_logs_reads_and_wants_a_reason_out_of_routine(
    api_client_for, chair_a, officer, case
):
    chair = api_client_for(chair_a)
    assert chair.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert _reads(case, chair_a).get().changes == {"via": "api"}

    client = api_client_for(officer)
    refused = client.get(f"/api/v1/people/{case.person.pk}")
    assert refused.status_code == 428
    assert refused.json()["errors"][0]["field"] == "reason"
    assert not _reads(case.person, officer).exists()
    assert client.get(f"/api/v1/people/{case.person.pk}?reason=ดู").status_code == 428

    by_query = client.get(f"/api/v1/people/{case.person.pk}", {"reason": REASON})
    assert by_query.status_code == 200
    from urllib.parse import quote

    by_header = client.get(f"/api/v1/cases/{case.pk}", headers={"X-Access-Reason": quote(REASON)})
    assert by_header.status_code == 200
    assert _reads(case, officer).get().reason == REASON
    assert _reads(case.person, officer).get().reason == REASON


def test_the_apis_parts_of_a_record_are_reads_too(api_client_for, chair_a, officer, case):
    chair = api_client_for(chair_a)
    for url in (
        f"/api/v1/people/{case.person.pk}/timeline",
        f"/api/v1/people/{case.person.pk}/consents",
        f"/api/v1/cases/{case.pk}/timeline",
        f"/api/v1/cases/{case.pk}/plan",
    ):
        assert chair.get(url).status_code == 200
        assert api_client_for(officer).get(url).status_code == 428
    assert sorted(e.changes["part"] for e in _reads(case, chair_a)) == ["plan", "timeline"]
    assert sorted(e.changes["part"] for e in _reads(case.person, chair_a)) == [
        "consents",
        "timeline",
    ]
