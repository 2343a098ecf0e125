"""The One Home API: directory, referrals (two views), links, conferences, channels."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.accounts.actions import assign_role
from asa.accounts.models import AuditEvent, ChannelPreference, Role
from asa.cases.actions import open_case
from asa.conftest import make_user, new_national_id
from asa.referrals import actions
from asa.referrals.models import Agency, AgencyKind, Referral, ReferralStatus, Service
from asa.registry.actions import record_consent, register_person


def post(client, url, data, method="post"):
    return client.generic(method.upper(), url, json.dumps(data), content_type="application/json")


@pytest.fixture
def shelter(agency):
    actions.update_agency(
        actor=None,
        agency=agency,
        services=[Service.objects.get(code="shelter")],
        area_codes=["10"],
    )
    actions.add_agency_contact(actor=None, agency=agency, name="คุณมานี", email="m@example.org")
    return agency


@pytest.fixture
def other_agency(db):
    other = actions.register_agency(actor=None, name_th="โรงพยาบาลทดสอบ", kind=AgencyKind.HEALTH)
    actions.update_agency(
        actor=None,
        agency=other,
        services=[Service.objects.get(code="health_care")],
        area_codes=["1005"],
    )
    return other


@pytest.fixture
def other_agency_user(other_agency):
    return make_user("hospital.user", Role.AGENCY_USER, other_agency)


def _case(actor, *, with_consent=True):
    person = register_person(
        actor=actor,
        first_name="สมศักดิ์",
        last_name="ไร้บ้าน",
        birth_date=dt.date(1960, 1, 1),
        subdistrict="100502",
        phone="0812223333",
        id_type="national_id",
        id_number=new_national_id(),
        duplicate_override_reason="คนละคนกัน (ทดสอบ)",
    )
    if with_consent:
        record_consent(
            actor=actor,
            person=person,
            basis="consent",
            given_by="self",
            given_on=timezone.localdate(),
            method="signed_paper",
            allows_sharing=True,
        )
    return open_case(actor=actor, person=person, source="field", story="นอนริมคลองลับมาก")


@pytest.fixture
def case(chair_a):
    return _case(chair_a)


@pytest.fixture
def referral(chair_a, case, shelter):
    return actions.send_referral(
        actor=chair_a,
        case=case,
        agency=shelter,
        service=Service.objects.get(code="shelter"),
        need="ที่พักชั่วคราว",
    )


# --- Directory ---------------------------------------------------------------------------------


def test_it_lists_agencies_with_filters(api_client_for, volunteer_a, shelter, other_agency):
    client = api_client_for(volunteer_a)
    body = client.get("/api/v1/agencies").json()
    assert body["count"] == 2 and len(body["items"]) == 2
    names = lambda url: {item["name_th"] for item in client.get(url).json()["items"]}  # noqa: E731
    assert names("/api/v1/agencies?service=shelter") == {shelter.name_th}
    # 10 (Bangkok) covers 100502; 1005 (Bang Khen) too; 1048 only Bangkok.
    assert names("/api/v1/agencies?area=100502") == {shelter.name_th, other_agency.name_th}
    assert names("/api/v1/agencies?area=1048") == {shelter.name_th}
    assert names("/api/v1/agencies?area=50") == set()
    assert names("/api/v1/agencies?kind=health") == {other_agency.name_th}
    assert names("/api/v1/agencies?q=โรงพยาบาล") == {other_agency.name_th}


def test_agency_detail_shows_services_areas_contacts_and_users(
    api_client_for, chair_a, shelter, agency_user
):
    body = api_client_for(chair_a).get(f"/api/v1/agencies/{shelter.pk}").json()
    assert [service["code"] for service in body["services"]] == ["shelter"]
    assert body["areas"] == ["10"]
    assert body["contacts"][0]["email"] == "m@example.org"
    assert body["has_users"] is True


def test_partner_users_see_only_their_own_agency(
    api_client_for, agency_user, shelter, other_agency
):
    client = api_client_for(agency_user)
    assert [a["id"] for a in client.get("/api/v1/agencies").json()["items"]] == [shelter.pk]
    assert client.get(f"/api/v1/agencies/{other_agency.pk}").status_code == 404


def test_agency_list_query_count_is_constant(api_client_for, chair_a, shelter):
    client = api_client_for(chair_a)
    client.get("/api/v1/agencies")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/agencies").status_code == 200
        return len(queries)

    before = count()
    for number in range(5):
        made = actions.register_agency(actor=None, name_th=f"วัดทดสอบ {number}", kind="temple")
        actions.update_agency(
            actor=None,
            agency=made,
            services=list(Service.objects.all()[:3]),
            area_codes=["1005", "1048"],
        )
    assert count() == before


def test_admins_and_officers_add_agencies_others_may_not(
    api_client_for, admin_user, officer, outside_officer, chair_a, agency_user
):
    data = {
        "name_th": "สถานีตำรวจนครบาลทดสอบ",
        "kind": "police",
        "province": "10",
        "services": ["legal_aid"],
        "areas": ["1005"],
        "contacts": [{"name": "ร.ต.อ. สมชาย", "phone": "021234567"}],
    }
    for user in (chair_a, agency_user):
        assert post(api_client_for(user), "/api/v1/agencies", data).status_code == 403
    response = post(api_client_for(outside_officer), "/api/v1/agencies", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "province"
    response = post(api_client_for(officer), "/api/v1/agencies", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["areas"] == ["1005"] and body["contacts"][0]["name"] == "ร.ต.อ. สมชาย"
    assert body["has_users"] is False
    # The same name again, a bad service or area: 422 naming it, nothing saved.
    client = api_client_for(admin_user)
    for change, field in (
        ({}, "name_th"),
        ({"name_th": "ใหม่", "services": ["flying"]}, "services"),
        ({"name_th": "ใหม่", "areas": ["9999"]}, "areas"),
        ({"name_th": "ใหม่", "email": "not-an-email"}, "email"),
    ):
        response = post(client, "/api/v1/agencies", data | change)
        assert response.status_code == 422, change
        assert response.json()["errors"][0]["field"] == field
    assert not Agency.objects.filter(name_th="ใหม่").exists()


def test_officers_change_agencies_of_their_province(
    api_client_for, officer, outside_officer, chair_a, agency_user, shelter
):
    shelter.province_id = "10"
    shelter.save(update_fields=["province"])
    url = f"/api/v1/agencies/{shelter.pk}"
    for user in (chair_a, agency_user, outside_officer):
        response = post(api_client_for(user), url, {"phone": "029999999"}, "patch")
        assert response.status_code == 403, user
    response = post(
        api_client_for(officer), url, {"phone": "029999999", "areas": ["1005", "1048"]}, "patch"
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "029999999"
    assert response.json()["areas"] == ["1005", "1048"]


def test_officers_add_contacts_to_agencies_of_their_province(
    api_client_for, officer, outside_officer, chair_a, shelter
):
    shelter.province_id = "10"
    shelter.save(update_fields=["province"])
    url = f"/api/v1/agencies/{shelter.pk}/contacts"
    contact = {"name": "คุณสมศรี ประสานงาน", "email": "somsri@example.org"}
    for user in (chair_a, outside_officer):
        assert post(api_client_for(user), url, contact).status_code == 403, user
    no_channel = post(api_client_for(officer), url, {"name": "คุณสมชาย"})
    assert no_channel.status_code == 422 and no_channel.json()["errors"][0]["field"] == "email"
    added = post(api_client_for(officer), url, contact)
    assert added.status_code == 201 and added.json()["receives_referrals"] is True
    detail = api_client_for(officer).get(f"/api/v1/agencies/{shelter.pk}").json()
    assert "คุณสมศรี ประสานงาน" in [row["name"] for row in detail["contacts"]]


def test_services_list(api_client_for, volunteer_b):
    body = api_client_for(volunteer_b).get("/api/v1/services").json()
    assert body["count"] >= 10
    assert "shared_fields" in body["items"][0]


# --- Referrals ---------------------------------------------------------------------------------


def test_a_chair_refers_a_case_and_sees_the_sender_view(api_client_for, chair_a, case, shelter):
    client = api_client_for(chair_a)
    response = post(
        client,
        "/api/v1/referrals",
        {"case": case.pk, "agency": shelter.pk, "service": "shelter", "need": "ที่พัก"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["view"] == "sender"
    assert body["case"]["id"] == case.pk and body["person"]["full_name"]
    assert body["status"] == "sent"
    assert "national_id" not in body["shared_data"]
    listed = client.get(f"/api/v1/referrals?case={case.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]


def test_refusals_name_consent_service_and_case(
    api_client_for, chair_a, chair_b, shelter, volunteer_b
):
    client = api_client_for(chair_a)
    without = _case(chair_a, with_consent=False)
    data = {"case": without.pk, "agency": shelter.pk, "service": "shelter", "need": "ที่พัก"}
    response = post(client, "/api/v1/referrals", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "consent"
    case = _case(chair_a)
    response = post(client, "/api/v1/referrals", data | {"case": case.pk, "service": "legal_aid"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "service"
    response = post(client, "/api/v1/referrals", data | {"case": case.pk, "service": "nope"})
    assert response.json()["errors"][0]["field"] == "service"
    # A case of another center is not yours to refer: 422 on `case`, nothing about it.
    response = post(api_client_for(volunteer_b), "/api/v1/referrals", data | {"case": case.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "case"
    assert not Referral.objects.exists()


def test_the_partner_sees_only_the_shared_fields(api_client_for, agency_user, referral):
    client = api_client_for(agency_user)
    listed = client.get("/api/v1/referrals").json()
    assert listed["count"] == 1
    for body in (listed["items"][0], client.get(f"/api/v1/referrals/{referral.pk}").json()):
        assert body["view"] == "partner"
        assert not {"case", "person", "national_id", "plan_item"} & set(body)
        assert set(body["shared_data"]) == set(referral.shared_data)
        assert "นอนริมคลองลับมาก" not in json.dumps(body, ensure_ascii=False)


def test_others_see_nothing_of_the_referral(
    api_client_for, other_agency_user, volunteer_b, chair_b, referral
):
    for user in (other_agency_user, volunteer_b, chair_b):
        client = api_client_for(user)
        response = client.get(f"/api/v1/referrals/{referral.pk}")
        assert response.status_code == 404
        assert "สมศักดิ์" not in response.content.decode()
        assert client.get("/api/v1/referrals").json()["count"] == 0
        data = {"status": "accepted", "version": referral.version}
        response = post(client, f"/api/v1/referrals/{referral.pk}/answer", data)
        assert response.status_code == 404
        response = post(
            client,
            f"/api/v1/referrals/{referral.pk}/withdraw",
            {"reason": "x", "version": referral.version},
        )
        assert response.status_code == 404
        assert post(client, f"/api/v1/referrals/{referral.pk}/links", {}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_the_partner_answers_and_the_sender_may_not(api_client_for, agency_user, chair_a, referral):
    url = f"/api/v1/referrals/{referral.pk}/answer"
    response = post(api_client_for(chair_a), url, {"status": "accepted", "version": 1})
    assert response.status_code == 403
    client = api_client_for(agency_user)
    response = post(client, url, {"status": "accepted", "version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted" and response.json()["version"] == 2
    # Stale: someone answered since version 1 was read.
    response = post(client, url, {"status": "in_service", "version": 1})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "version"
    response = post(client, url, {"status": "completed", "version": 2})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    response = post(client, url, {"status": "completed", "reason": "รับเข้าพัก", "version": 2})
    assert response.json()["status"] == "completed"
    assert AuditEvent.objects.filter(action="referral_completed").exists()


def test_the_sender_withdraws_and_issues_links(api_client_for, chair_a, agency_user, referral):
    contact = referral.agency.contacts.get()
    sender = api_client_for(chair_a)
    response = post(sender, f"/api/v1/referrals/{referral.pk}/links", {"contact": contact.pk})
    assert response.status_code == 201
    assert response.json()["path"].startswith("/r/")
    response = post(sender, f"/api/v1/referrals/{referral.pk}/links", {"contact": 999999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact"
    partner = api_client_for(agency_user)
    assert post(partner, f"/api/v1/referrals/{referral.pk}/links", {}).status_code == 403
    data = {"reason": "ได้ที่พักแล้ว", "version": 1}
    assert post(partner, f"/api/v1/referrals/{referral.pk}/withdraw", data).status_code == 403
    response = post(sender, f"/api/v1/referrals/{referral.pk}/withdraw", data)
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert post(sender, f"/api/v1/referrals/{referral.pk}/withdraw", data).status_code == 409


def test_overdue_filter(api_client_for, chair_a, referral):
    client = api_client_for(chair_a)
    assert client.get("/api/v1/referrals?overdue=true").json()["count"] == 0
    Referral.objects.filter(pk=referral.pk).update(respond_by=dt.date(2020, 1, 1))
    body = client.get("/api/v1/referrals?overdue=true").json()
    assert body["count"] == 1 and body["items"][0]["is_overdue"] is True
    assert client.get("/api/v1/referrals?status=accepted").json()["count"] == 0
    assert client.get(f"/api/v1/referrals?agency={referral.agency_id}").json()["count"] == 1


def test_referral_list_query_count_is_constant(api_client_for, chair_a, agency_user, referral):
    shelter = referral.agency
    sender, partner = api_client_for(chair_a), api_client_for(agency_user)

    def count(client):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/referrals")
            assert response.status_code == 200
        return len(queries), response.json()["count"]

    sender.get("/api/v1/referrals")
    partner.get("/api/v1/referrals")
    before = count(sender), count(partner)
    for number in range(4):
        case = _case(chair_a)
        actions.send_referral(
            actor=chair_a,
            case=case,
            agency=shelter,
            service=Service.objects.get(code="shelter"),
            need=f"ที่พัก {number}",
        )
    after = count(sender), count(partner)
    assert after[0][0] == before[0][0] and after[1][0] == before[1][0]
    assert after[0][1] == before[0][1] + 4


# --- Conferences -------------------------------------------------------------------------------


def test_conferences_and_their_actions(
    api_client_for, chair_a, agency_user, volunteer_b, shelter, other_agency, case
):
    client = api_client_for(chair_a)
    today = str(timezone.localdate())
    response = post(
        client,
        "/api/v1/conferences",
        {
            "case": case.pk,
            "held_on": today,
            "decisions": "ส่งเข้าบ้านพัก",
            "agencies": [shelter.pk, other_agency.pk],
        },
    )
    assert response.status_code == 201, response.content
    conference = response.json()
    assert conference["case"] == case.pk
    url = f"/api/v1/conferences/{conference['id']}/actions"
    data = {"action": "รับเข้าพัก", "due_on": today, "owner_agency": shelter.pk}
    response = post(client, url, data)
    assert response.status_code == 201
    action_id = response.json()["id"]
    # The partner sees the conference it attended, without the case; cannot add actions.
    partner = api_client_for(agency_user)
    seen = partner.get(f"/api/v1/conferences?case={case.pk}").json()
    assert seen["count"] == 1 and seen["items"][0]["case"] is None
    assert post(partner, url, data).status_code == 403
    # The owner agency marks its action done.
    response = post(partner, f"/api/v1/conference-actions/{action_id}/done", {"note": "รับแล้ว"})
    assert response.status_code == 200 and response.json()["done_on"] == today
    # volunteer_b: nothing.
    stranger = api_client_for(volunteer_b)
    assert stranger.get(f"/api/v1/conferences/{conference['id']}").status_code == 404
    assert stranger.get("/api/v1/conferences").json()["count"] == 0
    assert post(stranger, url, data).status_code == 404
    response = post(
        stranger,
        "/api/v1/conferences",
        {"case": case.pk, "held_on": today, "decisions": "x"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "case"


# --- Notification channels ---------------------------------------------------------------------


def test_each_user_chooses_their_own_channels(api_client_for, chair_a, volunteer_b):
    client = api_client_for(chair_a)
    body = client.get("/api/v1/notification-channels").json()
    assert body["count"] == 4
    assert body["items"][0] == {"channel": "in_app", "address": "", "enabled": True}
    response = post(
        client,
        "/api/v1/notification-channels",
        {"items": [{"channel": "sms", "address": "081-222-3333", "enabled": True}]},
        "put",
    )
    assert response.status_code == 200
    sms = next(item for item in response.json()["items"] if item["channel"] == "sms")
    assert sms == {"channel": "sms", "address": "0812223333", "enabled": True}
    response = post(
        client,
        "/api/v1/notification-channels",
        {
            "items": [
                {"channel": "line", "address": "somchai", "enabled": True},
                {"channel": "email", "address": "bad", "enabled": True},
            ]
        },
        "put",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "address"
    assert not ChannelPreference.objects.filter(channel="line").exists()
    other = api_client_for(volunteer_b).get("/api/v1/notification-channels").json()
    assert all(not item["address"] for item in other["items"])


def test_a_user_with_two_roles_gets_the_sender_view(api_client_for, chair_a, referral, shelter):
    # chair_a also answers for the shelter: they may read the case, so the full view.
    assign_role(actor=None, user=chair_a, role=Role.AGENCY_USER, scope=shelter)
    body = api_client_for(chair_a).get(f"/api/v1/referrals/{referral.pk}").json()
    assert body["view"] == "sender"


def test_a_partner_users_api_read_of_a_referral_is_logged(
    api_client_for, agency_user, chair_a, referral
):
    from asa.accounts.models import AuditEvent

    assert api_client_for(agency_user).get(f"/api/v1/referrals/{referral.pk}").status_code == 200
    opened = AuditEvent.objects.get(action="referral_opened")
    assert opened.actor == agency_user and opened.changes["via"] == "api"
    api_client_for(chair_a).get(f"/api/v1/referrals/{referral.pk}")
    assert AuditEvent.objects.filter(action="referral_opened").count() == 1
