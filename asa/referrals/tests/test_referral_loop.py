import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from asa.accounts.access import sees_case, visible
from asa.accounts.actions import deliver_pending_notifications, set_channel_preference
from asa.accounts.models import AuditEvent, Delivery, Notification
from asa.cases.actions import add_plan_item, open_case
from asa.cases.models import Case, PlanItemStatus
from asa.referrals import actions
from asa.referrals.models import AgencyContact, Referral, ReferralStatus, Service
from asa.registry.actions import record_consent, register_person


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


@pytest.fixture
def shelter(agency):
    return actions.update_agency(
        actor=None, agency=agency, services=[Service.objects.get(code="shelter")], area_codes=["10"]
    )


def consent(chair_a, case, **overrides):
    values = {
        "basis": "consent",
        "given_by": "self",
        "given_on": timezone.localdate(),
        "method": "signed_paper",
        "allows_sharing": True,
    }
    values.update(overrides)
    return record_consent(actor=chair_a, person=case.person, **values)


def send_shelter(chair_a, case, shelter, need="ที่พัก"):
    return actions.send_referral(
        actor=chair_a,
        case=case,
        agency=shelter,
        service=Service.objects.get(code="shelter"),
        need=need,
    )


def make_late(*referrals):
    """The partner's time to answer ran out yesterday."""
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(
        respond_by=timezone.localdate() - dt.timedelta(days=1)
    )


def test_it_refuses_without_consent_to_share_or_a_service_the_agency_lacks(chair_a, case, shelter):
    shelter_service = Service.objects.get(code="shelter")
    with pytest.raises(ValidationError) as error:
        actions.send_referral(
            actor=chair_a, case=case, agency=shelter, service=shelter_service, need="ที่พักชั่วคราว"
        )
    assert "consent" in error.value.message_dict
    consent(chair_a, case, allows_sharing=False)
    with pytest.raises(ValidationError):
        actions.send_referral(
            actor=chair_a, case=case, agency=shelter, service=shelter_service, need="ที่พักชั่วคราว"
        )
    consent(chair_a, case)
    with pytest.raises(ValidationError) as error:
        actions.send_referral(
            actor=chair_a,
            case=case,
            agency=shelter,
            service=Service.objects.get(code="legal_aid"),
            need="กฎหมาย",
        )
    assert "service" in error.value.message_dict
    assert not Referral.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_partner_user_closes_the_loop_and_the_plan_follows(chair_a, case, shelter, agency_user):
    consent(chair_a, case)
    item = add_plan_item(
        actor=chair_a,
        case=case,
        need="ที่พัก",
        action="ส่งต่อบ้านพัก",
        due_on=timezone.localdate(),
        responsible_other="ศูนย์คุ้มครอง",
    )
    referral = actions.send_referral(
        actor=chair_a,
        case=case,
        agency=shelter,
        plan_item=item,
        service=Service.objects.get(code="shelter"),
        need="ที่พัก",
    )
    assert set(referral.shared_data) == {
        "full_name",
        "sex",
        "age",
        "phone",
        "address",
        "need",
        "target_groups",
        "sender_center",
        "sender_contact",
    }
    assert "national_id" not in referral.shared_data
    assert visible(agency_user, Referral.objects.all()).get() == referral
    assert not sees_case(agency_user, case.pk)
    assert not visible(agency_user, Case.objects.all()).exists()
    assert Notification.objects.filter(user=agency_user, kind="referral_received").exists()
    actions.answer_referral(actor=agency_user, referral=referral, status="accepted")
    with pytest.raises(ValidationError):
        actions.answer_referral(actor=agency_user, referral=referral, status="completed")
    actions.answer_referral(
        actor=agency_user, referral=referral, status="completed", reason="รับเข้าพัก 30 วัน"
    )
    item.refresh_from_db()
    assert item.status == PlanItemStatus.DONE
    assert Notification.objects.filter(user=chair_a, kind="referral_answered").count() == 2
    actions_on_case = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert {"send_referral", "referral_accepted", "referral_completed"} <= set(
        actions_on_case.values_list("action", flat=True)
    )


def test_a_link_is_single_use_and_tamper_proof(chair_a, case, shelter):
    consent(chair_a, case)
    referral = send_shelter(chair_a, case, shelter)
    contact = AgencyContact.objects.create(agency=shelter, name="คุณมานี", email="m@example.org")
    path = actions.issue_referral_link(actor=chair_a, referral=referral, contact=contact)
    token = path.split("/")[2]
    with pytest.raises(actions.LinkRefused):
        actions.answer_by_link(token=token[:-2] + "xx", action="accept")
    actions.answer_by_link(token=token, action="accept")
    with pytest.raises(actions.LinkRefused):
        actions.answer_by_link(token=token, action="accept")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    expired = actions.issue_referral_link(
        actor=chair_a, referral=referral, lifetime=dt.timedelta(seconds=-1)
    )
    with pytest.raises(actions.LinkRefused):
        actions.answer_by_link(token=expired.split("/")[2], action="complete", reason="ok")


@pytest.mark.django_db(transaction=True)
def test_outside_channels_are_delivered_once(chair_a, case, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    set_channel_preference(user=chair_a, channel="sms", address="081-222-3333", enabled=True)
    open_case(actor=chair_a, person=case.person, source="hotline", story="อีกเรื่อง")
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "sent"  # the immediate task backend sent it at commit
    assert deliver_pending_notifications() == {"sent": 0, "retry": 0, "failed": 0}
    assert len((tmp_path / "outbox" / "sms.jsonl").read_text().splitlines()) == 1


def test_overdue_referrals_appear_on_the_senders_watch_list(
    chair_a, case, shelter, client_for, chair_b
):
    consent(chair_a, case)
    referral = send_shelter(chair_a, case, shelter)
    make_late(referral)
    page = client_for(chair_a).get("/watch/").content.decode()
    assert "การส่งต่อที่เลยกำหนด" in page and f"/referrals/{referral.pk}/" in page
    assert f"/referrals/{referral.pk}/" not in client_for(chair_b).get("/watch/").content.decode()


def test_the_watch_list_shows_a_bounded_number_of_late_referrals(
    chair_a, case, shelter, client_for, monkeypatch
):
    from asa.cases import views

    consent(chair_a, case)
    sent = [send_shelter(chair_a, case, shelter, need) for need in ("ที่พัก", "อาหาร")]
    make_late(*sent)
    monkeypatch.setattr(views, "LATE_REFERRALS_SHOWN", 1)
    page = client_for(chair_a).get("/watch/").content.decode()
    assert 'การส่งต่อที่เลยกำหนด <span class="muted">(1+)</span>' in page
    assert sum(f"/referrals/{r.pk}/" in page for r in sent) == 1


def test_a_referral_follows_its_case_to_another_center(
    chair_a, case, shelter, chair_b, center_a, center_b, district_officer_a, admin_user, client_for
):
    from asa.cases.actions import transfer_case

    consent(chair_a, case)
    referral = send_shelter(chair_a, case, shelter)
    assert (referral.center_id, referral.district_id) == (case.center_id, "1005")
    assert visible(district_officer_a, Referral.objects.filter(pk=referral.pk)).exists()
    assert not visible(chair_b, Referral.objects.filter(pk=referral.pk)).exists()

    transfer_case(actor=chair_a, case=case, to_center=center_b, reason="ย้ายไปอยู่กับลูกสาว")
    referral.refresh_from_db()
    assert (referral.center_id, referral.district_id) == (center_b.pk, "1048")
    # Who may see it is read off the referral: the new center's chair now, not Bang Khen's
    # district officer (the chair who reported the case still sees what they reported).
    assert visible(chair_b, Referral.objects.filter(pk=referral.pk)).exists()
    assert not visible(district_officer_a, Referral.objects.filter(pk=referral.pk)).exists()
    make_late(referral)
    assert f"/referrals/{referral.pk}/" in client_for(chair_b).get("/watch/").content.decode()
    watch = client_for(district_officer_a).get("/watch/").content.decode()
    assert f"/referrals/{referral.pk}/" not in watch
    # The watch list of one center shows the referrals of that center's cases.
    ministry = client_for(admin_user)
    assert (
        f"/referrals/{referral.pk}/"
        in ministry.get(f"/watch/?center={center_b.pk}").content.decode()
    )
    assert (
        f"/referrals/{referral.pk}/"
        not in ministry.get(f"/watch/?center={center_a.pk}").content.decode()
    )
