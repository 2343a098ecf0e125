"""The DPO's pages: each works for the DPO, and everyone else is refused."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.lib.thai import format_be_date_numeric
from asa.privacy import actions
from asa.privacy.models import Breach, PrivacyRequest, RequestStatus

OUTSIDERS = ["chair_a", "volunteer_a", "officer", "district_officer_a", "agency_user"]


def _request(dpo, person=None, kind="access", received_on=None):
    return actions.receive_privacy_request(
        actor=dpo,
        kind=kind,
        requester_name="นางสาวมาลี ทดสอบ",
        received_on=received_on or timezone.localdate(),
        person=person,
    )


def _breach(dpo, accounts=()):
    now = timezone.now()
    return actions.record_breach(
        actor=dpo,
        discovered_at=now,
        description="พบการเปิดดูข้อมูลจำนวนมากผิดปกติ",
        kind="confidentiality",
        period_start=now - dt.timedelta(days=1),
        period_end=now,
        suspected_accounts=accounts,
    )


def test_the_dpo_records_a_request_through_the_form(client_for, dpo):
    client = client_for(dpo)
    assert client.get(reverse("privacy:home")).status_code == 200
    response = client.post(
        reverse("privacy:request_create"),
        {
            "kind": "access",
            "requester_name": "นายบุญมี ศรีสุข",
            "received_on": format_be_date_numeric(timezone.localdate()),
        },
    )
    item = PrivacyRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{item.pk}/")
    page = client.get(reverse("privacy:request_detail", args=[item.pk])).content.decode()
    assert "เหลือ 30 วัน" in page


def test_a_bad_form_shows_thai_errors_next_to_the_fields(client_for, dpo):
    response = client_for(dpo).post(
        reverse("privacy:request_create"),
        {"kind": "access", "requester_name": "", "received_on": "11/03/2019", "person": "999999"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "ดูเหมือนเป็นปี ค.ศ." in text and "ไม่พบบุคคล" in text
    assert not PrivacyRequest.objects.exists()


def test_the_dpo_answers_an_access_request_with_a_copy(client_for, dpo, subject):
    person, _ = subject
    item = _request(dpo)
    client = client_for(dpo)
    url = reverse("privacy:request_act", args=[item.pk])
    refused = client.post(url, {"action": "generate"})
    assert refused.status_code == 302
    item.refresh_from_db()
    assert not item.answer_pdf  # identity not verified yet
    client.post(
        url, {"action": "verify", "identity_method": "id_card_in_person", "person": person.pk}
    )
    client.post(url, {"action": "generate"})
    item.refresh_from_db()
    assert item.answer_pdf and item.answer_json
    pdf = client.get(reverse("privacy:request_file", args=[item.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    body = client.get(reverse("privacy:request_file", args=[item.pk, "json"]))
    assert body.json()["person"]["id"] == person.pk
    assert AuditEvent.objects.filter(action="download_privacy_answer").count() == 2
    done = client.post(url, {"action": "answer", "answer": "ส่งสำเนาให้ทางอีเมลแล้ว"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.ANSWERED


def test_an_empty_answer_is_refused_next_to_the_field(client_for, dpo):
    item = _request(dpo, kind="objection")
    response = client_for(dpo).post(
        reverse("privacy:request_act", args=[item.pk]), {"action": "answer", "answer": ""}
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_the_retention_and_ropa_pages(client_for, dpo):
    client = client_for(dpo)
    page = client.get(reverse("privacy:retention")).content.decode()
    assert "closed_cases" in page and "บันทึกเพื่อทราบ" in page
    assert "มาตรา 39" in client.get(reverse("privacy:ropa")).content.decode()
    xlsx = client.get(reverse("privacy:ropa_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    pdf = client.get(reverse("privacy:ropa_export", args=["pdf"]))
    assert pdf.content.startswith(b"%PDF-")
    assert client.get(reverse("privacy:ropa_export", args=["doc"])).status_code == 404


def test_the_breach_pages(client_for, dpo, volunteer_a):
    client = client_for(dpo)
    today = format_be_date_numeric(timezone.localdate())
    response = client.post(
        reverse("privacy:breach_create"),
        {
            "discovered_on": today,
            "kind": "confidentiality",
            "description": "โทรศัพท์ อพม. สูญหาย",
            "suspected": "volunteer.a",
            "period_start": today,
            "period_end": today,
        },
    )
    breach = Breach.objects.get()
    assert response.status_code == 302
    assert list(breach.suspected_accounts.all()) == [volunteer_a]
    page = client.get(reverse("privacy:breach_detail", args=[breach.pk])).content.decode()
    assert "เหลือเวลาแจ้ง สคส." in page
    client.post(reverse("privacy:breach_act", args=[breach.pk]), {"action": "notify_regulator"})
    breach.refresh_from_db()
    assert breach.regulator_notified_at is not None
    export = client.get(reverse("privacy:breach_export", args=[breach.pk]))
    assert export.content.startswith(b"PK")


def test_an_unknown_account_is_named_in_the_breach_form(client_for, dpo):
    today = format_be_date_numeric(timezone.localdate())
    response = client_for(dpo).post(
        reverse("privacy:breach_create"),
        {
            "discovered_on": today,
            "kind": "confidentiality",
            "description": "x",
            "suspected": "nobody.here",
            "period_start": today,
            "period_end": today,
        },
    )
    assert "nobody.here" in response.content.decode() and not Breach.objects.exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_is_refused(request, client_for, dpo, persona):
    item = _request(dpo)
    breach = _breach(dpo)
    client = client_for(request.getfixturevalue(persona))
    urls = [
        reverse("privacy:home"),
        reverse("privacy:request_list"),
        reverse("privacy:request_create"),
        reverse("privacy:request_detail", args=[item.pk]),
        reverse("privacy:request_file", args=[item.pk, "pdf"]),
        reverse("privacy:retention"),
        reverse("privacy:ropa"),
        reverse("privacy:ropa_export", args=["xlsx"]),
        reverse("privacy:breach_list"),
        reverse("privacy:breach_detail", args=[breach.pk]),
        reverse("privacy:breach_export", args=[breach.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    before = AuditEvent.objects.count()
    act = client.post(
        reverse("privacy:request_act", args=[item.pk]), {"action": "withdraw", "reason": "x"}
    )
    assert act.status_code == 403
    assert client.post(reverse("privacy:retention_run")).status_code == 403
    assert AuditEvent.objects.count() == before
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED


def test_the_lists_take_a_constant_number_of_queries(
    client_for, dpo, admin_user, django_assert_max_num_queries
):
    client = client_for(dpo)
    for index in range(3):
        item = _request(dpo, received_on=timezone.localdate() - dt.timedelta(days=40 + index))
        actions.assign_privacy_request(actor=dpo, privacy_request=item, assignee=admin_user)
        _breach(dpo, [admin_user])
    client.get(reverse("privacy:request_list"))
    with django_assert_max_num_queries(24) as few:
        client.get(reverse("privacy:request_list"))
        client.get(reverse("privacy:breach_list"))
    for index in range(10):
        item = _request(dpo, received_on=timezone.localdate() - dt.timedelta(days=index))
        actions.assign_privacy_request(actor=dpo, privacy_request=item, assignee=dpo)
        _breach(dpo, [dpo])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("privacy:request_list"))
        client.get(reverse("privacy:breach_list"))
    overdue = client.get(reverse("privacy:request_list") + "?overdue=1").content.decode()
    assert overdue.count("เกินกำหนด") >= 3


def test_the_dashboard_breach_and_retention_pages_take_constant_queries(
    client_for, dpo, chair_a, volunteer_a, django_assert_max_num_queries
):
    from asa.accounts.events import record_event
    from asa.registry.actions import register_person

    client = client_for(dpo)
    start = timezone.now()

    def read_people(first, last):
        for index in range(first, last):
            person = register_person(
                actor=chair_a,
                first_name=f"ผู้ถูกอ่าน{index}",
                subdistrict="100502",
                check_duplicates=False,
            )
            record_event(actor=volunteer_a, action="view_record", obj=person)

    read_people(0, 2)
    breach = actions.record_breach(
        actor=dpo,
        discovered_at=timezone.now(),
        description="ทดสอบ",
        kind="confidentiality",
        period_start=start,
        period_end=timezone.now() + dt.timedelta(hours=1),
        suspected_accounts=[volunteer_a],
    )
    urls = [
        reverse("privacy:home"),
        reverse("privacy:breach_detail", args=[breach.pk]),
        reverse("privacy:retention"),
    ]
    for url in urls:
        client.get(url)
    with django_assert_max_num_queries(60) as few:
        for url in urls:
            assert client.get(url).status_code == 200
    read_people(2, 10)
    for _index in range(5):
        _request(dpo)
    with django_assert_max_num_queries(len(few.captured_queries)):
        for url in urls:
            client.get(url)
    assert "ผู้ถูกอ่าน9" in client.get(urls[1]).content.decode()
