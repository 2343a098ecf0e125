# ruff: noqa: F811  (the fixtures imported from test_pages_referrals are used as arguments)
"""Links and the partner's view stop showing the person when the referral ends, its consent is
withdrawn or its case moves to another center (issue 15)."""

import pytest

from asa.accounts.models import AuditEvent
from asa.cases.actions import transfer_case
from asa.referrals import actions
from asa.referrals.models import ReferralLink, ReferralStatus
from asa.referrals.tests.test_pages_referrals import (  # noqa: F401 (fixtures)
    case,
    consent,
    linkless,
    refer,
    shelter,
    text,
)
from asa.registry.actions import withdraw_consent

pytestmark = pytest.mark.django_db

PERSON = ("สมศักดิ์", "0812223333", "1103702071811", "ไร้บ้าน")


def _links(chair_a, referral, count=2) -> list[str]:
    # Two open links: e.g. one for each of the partner's contacts.
    return [actions.issue_referral_link(actor=chair_a, referral=referral) for _ in range(count)]


def _shows_the_person(client, path) -> bool:
    response = client.get(path)
    return response.status_code == 200 and "สมศักดิ์" in text(response)


def _refused(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 410
    body = text(response)
    assert "ยกเลิก" in body
    assert not any(value in body for value in PERSON)
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 410


def test_withdrawing_a_referral_revokes_every_open_link_at_once(client, chair_a, case, linkless):
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    paths = _links(chair_a, referral)
    assert all(_shows_the_person(client, path) for path in paths)
    actions.withdraw_referral(actor=chair_a, referral=referral, reason="ญาติรับไปดูแลแล้ว")
    for path in paths:
        _refused(client, path)
    assert ReferralLink.objects.filter(revoked_at__isnull=False).count() == 2
    event = AuditEvent.objects.get(action="revoke_referral_links")
    assert event.changes["referral"] == referral.pk and len(event.changes["links"]) == 2
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN


def test_completing_a_referral_revokes_the_other_open_links(client, chair_a, case, linkless):
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    first, second = _links(chair_a, referral)
    assert client.post(first, {"action": "accept"}).status_code == 200
    third = ReferralLink.objects.filter(used_at__isnull=True, revoked_at__isnull=True)
    assert third.count() == 2  # the second link and the one issued for the next step
    referral.refresh_from_db()
    actions.answer_referral(
        actor=None, referral=referral, status=ReferralStatus.COMPLETED, reason="รับเข้าบ้านพัก"
    )
    _refused(client, second)
    assert not ReferralLink.objects.filter(used_at__isnull=True, revoked_at__isnull=True).exists()


def test_withdrawing_consent_revokes_links_and_hides_the_person_from_the_partner(
    client, client_for, chair_a, case, shelter, linkless, agency_user
):
    given = consent(chair_a, case)
    by_link = refer(chair_a, case, linkless)
    to_users = refer(chair_a, case, shelter, need="ที่พักและอาหาร")
    paths = _links(chair_a, by_link)
    partner = client_for(agency_user)
    page = text(partner.get(f"/referrals/{to_users.pk}/"))
    assert "สมศักดิ์" in page and "ที่พักและอาหาร" in page
    withdraw_consent(actor=chair_a, consent=given, reason="เจ้าของข้อมูลขอถอน")
    for path in paths:
        _refused(client, path)
    # The partner with users still sees the referral exists, and nothing of the person.
    response = partner.get(f"/referrals/{to_users.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert not any(value in page for value in PERSON)
    assert "ที่พักและอาหาร" not in page  # the need describes the person too
    assert "ถอนความยินยอมแล้ว" in page
    assert "สมศักดิ์" not in text(partner.get("/referrals/inbox/"))
    api = partner.get(f"/api/v1/referrals/{to_users.pk}").json()
    assert api["view"] == "partner"
    assert api["need"] == "" and api["note"] == ""
    assert set(api["shared_data"]) <= {"sender_center", "sender_contact"}
    listed = partner.get("/api/v1/referrals").json()["items"]
    assert not any(value in str(listed) for value in PERSON)
    # The sender keeps the case file (the case is theirs), and sees why the snapshot is hidden.
    sender = text(client_for(chair_a).get(f"/referrals/{to_users.pk}/"))
    assert "ถอนความยินยอมแล้ว" in sender and "ที่พักและอาหาร" in sender


def test_transferring_the_case_revokes_its_links(client, chair_a, case, linkless, center_b):
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    paths = _links(chair_a, referral)
    transfer_case(actor=chair_a, case=case, to_center=center_b, reason="ย้ายไปอยู่กับลูกสาว")
    for path in paths:
        _refused(client, path)


def test_a_link_missed_by_a_revocation_still_stops_with_its_referral(
    client, chair_a, case, linkless
):
    consent(chair_a, case)
    referral = refer(chair_a, case, linkless)
    (path,) = _links(chair_a, referral, count=1)
    # Withdrawn around the action (as an old data migration or a bug might): the link page
    # checks the referral's status and consent itself.
    from asa.referrals.models import Referral

    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.WITHDRAWN)
    _refused(client, path)
