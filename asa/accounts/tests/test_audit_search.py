"""The DPO's audit search: who opened a person's record, by user, by period; export; the API."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.accounts.reads import record_read
from asa.cases.tests.test_pages_cases import make_case
from asa.lib.thai import format_be_date_numeric

REASON = "ตรวจสอบเรื่องร้องเรียนจากญาติ"


@pytest.fixture
def case(chair_a, volunteer_a):
    return make_case(chair_a, volunteer_a)


@pytest.fixture
def opened(case, officer, chair_a):
    """An officer opened the person's record with a reason; the chair opened their case."""
    record_read(officer, case.person, reason=REASON)
    record_read(chair_a, case, via="api")
    return case


def test_the_dpo_finds_who_opened_a_persons_record_this_month(client_for, dpo, opened):
    person = opened.person
    client = client_for(dpo)
    found = client.get(reverse("audit:search"), {"q": person.first_name}).content.decode()
    assert f"?person={person.pk}" in found
    since = format_be_date_numeric(timezone.localdate().replace(day=1))
    html = client.get(
        reverse("audit:search"), {"person": person.pk, "since": since, "action": "view_record"}
    ).content.decode()
    assert "officer.bkk" in html and REASON in html
    assert "chair.a" in html  # the case is about the person: its reads are in their history
    assert "เปิดดูข้อมูล" in html
    # Never the record itself: no address, no ID, no story.
    assert opened.story not in html


def test_search_by_user_and_period(client_for, dpo, opened, officer):
    client = client_for(dpo)
    html = client.get(reverse("audit:search"), {"user": "officer.bkk"}).content.decode()
    assert REASON in html and "chair.a" not in html
    tomorrow = format_be_date_numeric(timezone.localdate() + dt.timedelta(days=1))
    later = client.get(
        reverse("audit:search"), {"user": "officer.bkk", "since": tomorrow}
    ).content.decode()
    assert REASON not in later
    missing = client.get(reverse("audit:search"), {"user": "nobody.here"}).content.decode()
    assert "ไม่พบผู้ใช้ชื่อนี้" in missing
    bad = client.get(reverse("audit:search"), {"since": "2020-01-01"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()


def test_the_search_page_costs_the_same_queries_however_many_events(client_for, dpo, opened):
    client = client_for(dpo)
    url = reverse("audit:search")
    params = {"person": opened.person.pk}
    client.get(url, params)
    with CaptureQueriesContext(connection) as few:
        client.get(url, params)
    for _ in range(60):
        record_read(dpo, opened.person, reason=REASON)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, params).status_code == 200
    assert len(many) == len(few)


def test_exporting_a_persons_access_history_is_itself_audited(client_for, dpo, opened):
    from openpyxl import load_workbook

    person = opened.person
    client = client_for(dpo)
    response = client.get(reverse("audit:export", args=["xlsx"]), {"person": person.pk})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "เวลา (พ.ศ.)"
    assert any(row[1] == "officer.bkk" and row[9] == REASON for row in rows[1:])
    exported = AuditEvent.objects.get(action="export_audit_events")
    assert exported.actor == dpo
    assert (exported.object_type, exported.object_id) == ("registry.person", str(person.pk))
    csv = b"".join(
        client.get(reverse("audit:export", args=["csv"]), {"person": person.pk}).streaming_content
    ).decode()
    assert "officer.bkk" in csv and REASON in csv


@pytest.mark.parametrize(
    "persona", ["chair_a", "volunteer_a", "officer", "district_officer_a", "agency_user"]
)
def test_audit_pages_and_api_are_refused_to_everyone_else(
    persona, request, client_for, api_client_for, opened
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("audit:search")).status_code == 403
    assert client.get(reverse("audit:export", args=["csv"])).status_code == 403
    response = api_client_for(user).get("/api/v1/audit-events")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export_audit_events").exists()


def test_the_api_lists_audit_events_with_filters(api_client_for, dpo, admin_user, opened, officer):
    client = api_client_for(dpo)
    body = client.get(
        "/api/v1/audit-events", {"person": opened.person.pk, "action": "view_record"}
    ).json()
    assert body["count"] == 2
    assert {item["actor_label"] for item in body["items"]} == {"officer.bkk", "chair.a"}
    by_user = client.get("/api/v1/audit-events", {"user": officer.pk}).json()
    assert [item["reason"] for item in by_user["items"]] == [REASON]
    assert by_user["items"][0]["changes"] == {"via": "page"}
    later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/audit-events", {"since": later}).json()["count"] == 0
    typed = client.get(
        "/api/v1/audit-events", {"object_type": "cases.case", "object_id": str(opened.pk)}
    ).json()
    assert typed["count"] >= 1
    assert api_client_for(admin_user).get("/api/v1/audit-events").status_code == 200
    assert client.get("/api/v1/audit-events", {"since": "not-a-date"}).status_code == 422
