"""One Home pages: directory, referral from a case, the partner's view, links, conferences."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.accounts.models import AuditEvent, Role
from asa.cases.actions import add_plan_item, open_case
from asa.conftest import make_user
from asa.referrals import actions
from asa.referrals.models import (
    AgencyKind,
    CaseConference,
    Referral,
    ReferralLink,
    ReferralStatus,
    Service,
)
from asa.registry.actions import record_consent, register_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(chair_a):
    person = register_person(
        actor=chair_a,
        first_name="สมศักดิ์",
        last_name="ไร้บ้าน",
        birth_date=dt.date(1960, 1, 1),
        subdistrict="100502",
        phone="0812223333",
        id_type="national_id",
        id_number="1103702071811",
    )
    return open_case(actor=chair_a, person=person, source="field", story="นอนริมคลอง")


def shelter_service():
    return Service.objects.get(code="shelter")


@pytest.fixture
def shelter(agency):
    return actions.update_agency(
        actor=None, agency=agency, services=[shelter_service()], area_codes=["10"]
    )


@pytest.fixture
def other_agency_user(db):
    other = actions.register_agency(actor=None, name_th="โรงพยาบาลอื่น", kind=AgencyKind.HEALTH)
    return make_user("other.agency", Role.AGENCY_USER, other)


@pytest.fixture
def linkless():
    """A partner without users in Asa: it answers through links."""
    agency = actions.register_agency(
        actor=None, name_th="บ้านพักเด็กและครอบครัวทดสอบ", kind=AgencyKind.CHILD_FAMILY_SHELTER
    )
    actions.update_agency(
        actor=None, agency=agency, services=[shelter_service()], area_codes=["1005"]
    )
    actions.add_agency_contact(actor=None, agency=agency, name="คุณมานี", email="m@example.org")
    return agency


def consent(chair_a, case):
    return record_consent(
        actor=chair_a,
        person=case.person,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )


def refer(chair_a, case, agency, need="ที่พักชั่วคราว"):
    return actions.send_referral(
        actor=chair_a, case=case, agency=agency, service=shelter_service(), need=need
    )


def text(response) -> str:
    return response.content.decode()


# --- Directory ---------------------------------------------------------------------------------


def test_the_directory_finds_agencies_by_service_and_area(client_for, chair_a, shelter):
    far = actions.register_agency(
        actor=None, name_th="ศูนย์คุ้มครองทวีวัฒนา", kind=AgencyKind.SHELTER_DESTITUTE
    )
    actions.update_agency(actor=None, agency=far, services=[shelter_service()], area_codes=["1048"])
    client = client_for(chair_a)
    page = text(client.get("/agencies/?service=shelter&area=100502"))
    assert shelter.name_th in page
    assert far.name_th not in page
    assert "กรุงเทพมหานคร" in page  # area names in Thai
    page = text(client.get("/agencies/?service=shelter&province=10&district=1048"))
    assert far.name_th in page and shelter.name_th in page
    page = text(client.get("/agencies/?service=legal_aid"))
    assert shelter.name_th not in page
    response = client.get("/agencies/?area=12x")
    assert "รหัสพื้นที่ต้องเป็นตัวเลข" in text(response)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_directory_runs_a_constant_number_of_queries(client_for, chair_a, shelter):
    # Areas of every level from the start: their names take one query per level.
    actions.update_agency(actor=None, agency=shelter, area_codes=["10", "1005", "100502"])
    client = client_for(chair_a)
    url = "/agencies/?service=shelter&area=100502"
    few = _count(client, url)
    for number in range(12):
        extra = actions.register_agency(
            actor=None, name_th=f"หน่วยงานที่ {number}", kind=AgencyKind.NGO
        )
        actions.update_agency(
            actor=None,
            agency=extra,
            services=[shelter_service(), Service.objects.get(code="health_care")],
            area_codes=["10", "1005"],
        )
    assert _count(client, url) == few


def test_the_agency_page_and_who_edits_it(
    client_for, chair_a, admin_user, officer, shelter, agency_user, volunteer_b
):
    page = text(client_for(chair_a).get(f"/agencies/{shelter.pk}/"))
    assert shelter.name_th in page and "ที่พักพิงชั่วคราว" in page and "กรุงเทพมหานคร" in page
    assert "มี — ตอบรับการส่งต่อในระบบ" in page
    assert client_for(chair_a).get(f"/agencies/{shelter.pk}/edit/").status_code == 403
    assert client_for(volunteer_b).post(f"/agencies/{shelter.pk}/edit/", {}).status_code == 403
    client = client_for(admin_user)
    form = {
        "services": [shelter_service().pk, Service.objects.get(code="health_care").pk],
        "area_codes": "10, 1005",
        "is_active": "on",
    }
    response = client.post(f"/agencies/{shelter.pk}/edit/", {**form, "area_codes": "10 99"})
    assert response.status_code == 200 and "ไม่พบรหัสพื้นที่: 99" in text(response)
    assert set(shelter.areas.values_list("area_code", flat=True)) == {"10"}
    assert client.post(f"/agencies/{shelter.pk}/edit/", form).status_code == 302
    assert set(shelter.areas.values_list("area_code", flat=True)) == {"10", "1005"}
    assert shelter.services.count() == 2
    # Contacts: Thai error next to the field, then added.
    response = client.post(
        f"/agencies/{shelter.pk}/contacts/", {"name": "คุณสมร", "receives_referrals": "on"}
    )
    assert response.status_code == 400 and "อย่างน้อยหนึ่งช่องทาง" in text(response)
    response = client.post(
        f"/agencies/{shelter.pk}/contacts/",
        {"name": "คุณสมร", "phone": "021112222", "receives_referrals": "on"},
    )
    assert response.status_code == 302
    assert shelter.contacts.get().name == "คุณสมร"
    # The agency's own users edit it too (the access rule), other partners do not see it.
    assert client_for(agency_user).get(f"/agencies/{shelter.pk}/edit/").status_code == 200


def test_another_partner_does_not_see_an_agency(client_for, shelter, other_agency_user):
    assert client_for(other_agency_user).get(f"/agencies/{shelter.pk}/").status_code == 404


# --- Sending -----------------------------------------------------------------------------------


def test_it_refuses_to_refer_without_consent(client_for, chair_a, case, shelter):
    client = client_for(chair_a)
    page = text(client.get(f"/cases/{case.pk}/referrals/new/?service=shelter"))
    assert "ยังไม่มีฐานทางกฎหมายหรือความยินยอมให้ส่งต่อข้อมูล" in page
    assert f"/people/{case.person_id}/consents/new/" in page
    response = client.post(
        f"/cases/{case.pk}/referrals/new/",
        {"service": "shelter", "agency": shelter.pk, "need": "ที่พัก"},
    )
    assert response.status_code == 400
    assert "ยังไม่มีฐานทางกฎหมายหรือความยินยอมให้ส่งต่อข้อมูล" in text(response)
    assert not Referral.objects.exists()


def test_it_suggests_covering_agencies_and_lists_the_shared_fields(
    client_for, chair_a, case, shelter, linkless
):
    consent(chair_a, case)
    far = actions.register_agency(
        actor=None, name_th="ศูนย์คุ้มครองเชียงใหม่", kind=AgencyKind.SHELTER_DESTITUTE
    )
    actions.update_agency(actor=None, agency=far, services=[shelter_service()], area_codes=["50"])
    page = text(client_for(chair_a).get(f"/cases/{case.pk}/referrals/new/?service=shelter"))
    suggested, others = page.split("หน่วยงานอื่นที่ให้บริการนี้")
    assert shelter.name_th in suggested and linkless.name_th in suggested
    assert far.name_th in others
    assert "ชื่อ-นามสกุล" in page and "กลุ่มเป้าหมาย" in page
    assert "เลขประจำตัวประชาชน" not in page


def test_it_refuses_a_service_the_agency_lacks(client_for, chair_a, case, shelter):
    consent(chair_a, case)
    response = client_for(chair_a).post(
        f"/cases/{case.pk}/referrals/new/",
        {"service": "legal_aid", "agency": shelter.pk, "need": "คดีความ"},
    )
    assert response.status_code == 400
    assert "ไม่ได้ให้บริการ" in text(response)
    assert not Referral.objects.exists()


def test_a_need_comes_from_the_plan_or_is_typed(client_for, chair_a, case, shelter):
    consent(chair_a, case)
    client = client_for(chair_a)
    response = client.post(
        f"/cases/{case.pk}/referrals/new/", {"service": "shelter", "agency": shelter.pk}
    )
    assert response.status_code == 400 and "กรุณาระบุความต้องการ" in text(response)
    item = add_plan_item(
        actor=chair_a,
        case=case,
        need="ที่พักระยะยาว",
        action="ส่งต่อ",
        due_on=timezone.localdate(),
        responsible_other="ภาคี",
    )
    response = client.post(
        f"/cases/{case.pk}/referrals/new/",
        {"service": "shelter", "agency": shelter.pk, "plan_item": item.pk},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.need == "ที่พักระยะยาว" and referral.plan_item == item


def test_nobody_outside_the_case_refers_it(client_for, case, shelter, volunteer_b, agency_user):
    for user in (volunteer_b, agency_user):
        client = client_for(user)
        assert client.get(f"/cases/{case.pk}/referrals/new/").status_code == 404
        assert client.get(f"/cases/{case.pk}/referrals/").status_code == 404
        response = client.post(
            f"/cases/{case.pk}/referrals/new/",
            {"service": "shelter", "agency": shelter.pk, "need": "x"},
        )
        assert response.status_code == 404
    assert not Referral.objects.exists()


# --- The partner's view ------------------------------------------------------------------------


def test_the_partner_sees_only_the_shared_fields_and_answers(
    client_for, chair_a, case, shelter, agency_user, other_agency_user, volunteer_b
):
    consent(chair_a, case)
    response = client_for(chair_a).post(
        f"/cases/{case.pk}/referrals/new/",
        {"service": "shelter", "agency": shelter.pk, "need": "ที่พักชั่วคราว"},
    )
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.pk}/"
    partner = client_for(agency_user)
    page = text(partner.get(f"/referrals/{referral.pk}/"))
    assert "สมศักดิ์ ไร้บ้าน" in page and "ที่พักชั่วคราว" in page
    assert case.number not in page and f"/cases/{case.pk}" not in page
    assert "1103702071811" not in page and "นอนริมคลอง" not in page
    assert f"/people/{case.person_id}" not in page
    assert partner.get(f"/cases/{case.pk}/").status_code == 404
    for outsider in (other_agency_user, volunteer_b):
        client = client_for(outsider)
        assert client.get(f"/referrals/{referral.pk}/").status_code == 404
        response = client.post(f"/referrals/{referral.pk}/answer/", {"action": "accept"})
        assert response.status_code == 404
    # The sender reads it but does not answer for the partner.
    assert (
        client_for(chair_a)
        .post(f"/referrals/{referral.pk}/answer/", {"action": "accept"})
        .status_code
        == 403
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    # Accept, then complete: completing needs what was provided.
    assert (
        partner.post(f"/referrals/{referral.pk}/answer/", {"action": "accept"}).status_code == 302
    )
    response = partner.post(f"/referrals/{referral.pk}/answer/", {"action": "complete"})
    assert response.status_code == 400 and "กรุณาระบุบริการที่ให้" in text(response)
    response = partner.post(
        f"/referrals/{referral.pk}/answer/", {"action": "complete", "reason": "รับเข้าพัก 14 วัน"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.status_reason == "รับเข้าพัก 14 วัน"
    # The sender's full view: the case link and this referral's timeline.
    page = text(client_for(chair_a).get(f"/referrals/{referral.pk}/"))
    assert f"/cases/{case.pk}/" in page
    assert "หน่วยงานตอบรับการส่งต่อ" in page and "หน่วยงานให้บริการเสร็จสิ้น" in page


def test_a_stale_answer_is_refused(client_for, chair_a, case, shelter, agency_user):
    consent(chair_a, case)
    referral = refer(chair_a, case, shelter)
    partner = client_for(agency_user)
    response = partner.post(
        f"/referrals/{referral.pk}/answer/",
        {"action": "accept", "version": referral.version + 5},
    )
    assert response.status_code == 400 and "ถูกเปลี่ยนโดยผู้อื่นแล้ว" in text(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_the_sender_withdraws_with_a_reason(client_for, chair_a, case, shelter, agency_user):
    consent(chair_a, case)
    referral = refer(chair_a, case, shelter)
    response = client_for(agency_user).post(
        f"/referrals/{referral.pk}/withdraw/", {"reason": "ไม่ต้องการแล้ว"}
    )
    assert response.status_code == 404
    client = client_for(chair_a)
    response = client.post(f"/referrals/{referral.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 400 and "กรุณาระบุเหตุผลที่ถอนการส่งต่อ" in text(response)
    response = client.post(f"/referrals/{referral.pk}/withdraw/", {"reason": "ได้ที่พักแล้ว"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN


# --- Links -------------------------------------------------------------------------------------


def _issue(client, referral) -> str:
    contact = referral.agency.contacts.get()
    response = client.post(f"/referrals/{referral.pk}/link/", {"contact": contact.pk})
    assert response.status_code == 302
    page = text(client.get(f"/referrals/{referral.pk}/"))
    start = page.index("/r/")
    token = page[start + 3 : page.index("/", start + 3)]
    # Shown once only.
    assert f"/r/{token}/" not in text(client.get(f"/referrals/{referral.pk}/"))
    return token


def test_a_link_is_shown_to_share_even_when_the_mail_server_is_down(
    client_for, chair_a, case, linkless, settings, django_capture_on_commit_callbacks
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    sender = client_for(chair_a)
    contact = linkless.contacts.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = sender.post(f"/referrals/{referral.pk}/link/", {"contact": contact.pk})
    assert response.status_code == 302
    page = text(sender.get(f"/referrals/{referral.pk}/"))
    assert "/r/" in page and "https://line.me/R/share?text=" in page and "mailto:?subject=" in page


def test_a_link_answers_once_and_every_use_is_audited(
    client_for, client, chair_a, case, linkless, shelter, agency_user
):
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    sender = client_for(chair_a)
    # Only for partners without users.
    with_users = refer(chair_a, case, shelter, need="อีกเรื่อง")
    assert "สร้างลิงก์สำหรับหน่วยงาน" not in text(sender.get(f"/referrals/{with_users.pk}/"))
    assert "สร้างลิงก์สำหรับหน่วยงาน" in text(sender.get(f"/referrals/{referral.pk}/"))
    token = _issue(sender, referral)
    response = client.get(f"/r/{token}/")
    page = text(response)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert linkless.name_th in page and "ที่พักพิงชั่วคราว" in page and "สมศักดิ์" in page
    assert "/cases/" not in page and "ออกจากระบบ" not in page and "/agencies/" not in page
    assert AuditEvent.objects.filter(action="referral_link_opened").count() == 1
    response = client.post(f"/r/{token}/", {"action": "decline"})
    assert response.status_code == 400 and "กรุณาระบุเหตุผลที่ปฏิเสธ" in text(response)
    assert client.post(f"/r/{token}/", {"action": "accept"}).status_code == 200
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    # Used: a Thai page, 410, audited, nothing changed.
    before = referral.version
    for method in (client.get, client.post):
        response = method(f"/r/{token}/", {"action": "not_complete", "reason": "x"})
        assert response.status_code == 410
        assert "ลิงก์นี้ถูกใช้ไปแล้ว" in text(response)
        assert "/cases/" not in text(response)
    referral.refresh_from_db()
    assert referral.version == before
    # Tampered: 404, audited.
    response = client.post(f"/r/{token[:-3]}abc/", {"action": "complete", "reason": "x"})
    assert response.status_code == 404 and "ลิงก์ไม่ถูกต้อง" in text(response)
    refusals = AuditEvent.objects.filter(action="referral_link_refused")
    assert refusals.count() == 3
    assert refusals.filter(object_id=str(referral.pk)).count() == 2
    assert token not in str(list(refusals.values_list("changes", flat=True)))


def test_an_expired_link_is_refused(client, chair_a, case, linkless):
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    path = actions.issue_referral_link(
        actor=chair_a, referral=referral, lifetime=dt.timedelta(seconds=-1)
    )
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 410 and "หมดอายุ" in text(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert ReferralLink.objects.get().used_at is None
    assert AuditEvent.objects.filter(action="referral_link_refused").count() == 1


def test_only_case_writers_issue_links(client_for, chair_a, case, linkless, volunteer_b):
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    response = client_for(volunteer_b).post(f"/referrals/{referral.pk}/link/", {})
    assert response.status_code == 404
    assert not ReferralLink.objects.exists()


# --- Inbox and outbox --------------------------------------------------------------------------


def test_inbox_and_outbox_list_in_scope_with_constant_queries(
    client_for, chair_a, case, shelter, agency_user, other_agency_user, volunteer_b
):
    consent(chair_a, case)
    first = refer(chair_a, case, shelter)
    Referral.objects.filter(pk=first.pk).update(respond_by=timezone.localdate() - dt.timedelta(1))
    partner = client_for(agency_user)
    page = text(partner.get("/referrals/inbox/"))
    assert f"/referrals/{first.pk}/" in page and "เลยกำหนด" in page
    assert f"/cases/{case.pk}/" not in page
    assert f"/referrals/{first.pk}/" not in text(
        client_for(other_agency_user).get("/referrals/inbox/")
    )
    sender = client_for(chair_a)
    page = text(sender.get("/referrals/outbox/?tab=overdue"))
    assert f"/referrals/{first.pk}/" in page and "overdue-row" in page
    assert f"/referrals/{first.pk}/" not in text(client_for(volunteer_b).get("/referrals/outbox/"))
    inbox, outbox = _count(partner, "/referrals/inbox/"), _count(sender, "/referrals/outbox/")
    for number in range(8):
        refer(chair_a, case, shelter, need=f"ความต้องการ {number}")
    assert _count(partner, "/referrals/inbox/") == inbox
    assert _count(sender, "/referrals/outbox/") == outbox


# --- The case page panel -----------------------------------------------------------------------


def test_case_referrals_page(client_for, chair_a, case, shelter):
    consent(chair_a, case)
    referral = refer(chair_a, case, shelter)
    page = text(client_for(chair_a).get(f"/cases/{case.pk}/referrals/"))
    assert f"/referrals/{referral.pk}/" in page and shelter.name_th in page


# --- Conferences -------------------------------------------------------------------------------


def test_a_conference_tracks_actions_to_done(
    client_for, chair_a, case, shelter, agency_user, other_agency_user, volunteer_b
):
    client = client_for(chair_a)
    response = client.post(f"/cases/{case.pk}/conferences/new/", {"held_on": "", "decisions": ""})
    assert response.status_code == 400 and "กรุณาบันทึกมติที่ประชุม" in text(response)
    held = timezone.localdate()
    response = client.post(
        f"/cases/{case.pk}/conferences/new/",
        {
            "held_on": f"{held.day:02d}/{held.month:02d}/{held.year + 543}",
            "place": "ศูนย์บางเขน",
            "agencies": [shelter.pk],
            "attendees": "ประธาน, เจ้าหน้าที่บ้านพัก",
            "decisions": "รับเข้าบ้านพักชั่วคราว",
        },
    )
    conference = CaseConference.objects.get()
    assert response["Location"] == f"/conferences/{conference.pk}/"
    due = held + dt.timedelta(days=7)
    response = client.post(
        f"/conferences/{conference.pk}/actions/",
        {
            "action": "จัดเตียง",
            "owner": str(shelter.pk),
            "due_on": f"{due.day:02d}/{due.month:02d}/{due.year + 543}",
        },
    )
    assert response.status_code == 302
    row = conference.actions.get()
    assert client_for(other_agency_user).get(f"/conferences/{conference.pk}/").status_code == 404
    assert client_for(volunteer_b).get(f"/conferences/{conference.pk}/").status_code == 404
    assert (
        client_for(other_agency_user).post(f"/conference-actions/{row.pk}/done/", {}).status_code
        == 404
    )
    partner = client_for(agency_user)
    page = text(partner.get(f"/conferences/{conference.pk}/"))
    assert "รับเข้าบ้านพักชั่วคราว" in page and f"/cases/{case.pk}/" not in page
    assert partner.post(f"/conferences/{conference.pk}/actions/", {}).status_code == 404
    response = partner.post(f"/conference-actions/{row.pk}/done/", {"note": "จัดแล้ว"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.done_on == timezone.localdate() and row.done_note == "จัดแล้ว"


def test_a_partner_users_opening_of_a_referral_is_logged_like_a_link_opening(
    client_for, chair_a, case, shelter, agency_user
):
    consent(chair_a, case)
    referral = refer(chair_a, case, shelter)
    assert client_for(agency_user).get(f"/referrals/{referral.pk}/").status_code == 200
    opened = AuditEvent.objects.get(action="referral_opened")
    assert opened.actor == agency_user and opened.object_id == str(referral.pk)
    assert opened.changes == {"referral": referral.pk, "agency": shelter.pk, "via": "page"}
    # The sender reading its own referral is not a partner's opening.
    client_for(chair_a).get(f"/referrals/{referral.pk}/")
    assert AuditEvent.objects.filter(action="referral_opened").count() == 1


def test_a_referral_sent_early_in_the_morning_shows_its_bangkok_date(
    client_for, chair_a, case, shelter, agency_user
):
    consent(chair_a, case)
    referral = refer(chair_a, case, shelter)
    # 03:40 on 8 Dec 2026 in Bangkok is 20:40 on 7 Dec in UTC.
    sent = dt.datetime(2026, 12, 7, 20, 40, tzinfo=dt.UTC)
    Referral.objects.filter(pk=referral.pk).update(sent_at=sent)
    for user, url in ((agency_user, "/referrals/inbox/"), (chair_a, "/referrals/outbox/")):
        page = text(client_for(user).get(url))
        assert "8 ธ.ค. 2569" in page and "7 ธ.ค. 2569" not in page, url
