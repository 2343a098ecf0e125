"""The issue's closing test in a browser: a referral loop closed in the app and through a link."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.utils import timezone

from asa.accounts.models import Role
from asa.cases.actions import open_case
from asa.conftest import log_in, make_user
from asa.referrals import actions
from asa.referrals.models import AgencyKind, Referral, ReferralStatus, Service
from asa.registry.actions import record_consent, register_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(chair_a, agency, agency_user):
    shelter_service = Service.objects.get(code="shelter")
    shelter = actions.update_agency(
        actor=None, agency=agency, services=[shelter_service], area_codes=["10"]
    )
    children = actions.register_agency(
        actor=None, name_th="บ้านพักเด็กและครอบครัวทดสอบ", kind=AgencyKind.CHILD_FAMILY_SHELTER
    )
    actions.update_agency(
        actor=None, agency=children, services=[shelter_service], area_codes=["1005"]
    )
    actions.add_agency_contact(actor=None, agency=children, name="คุณมานี", email="m@example.org")
    other = actions.register_agency(actor=None, name_th="โรงพยาบาลอื่น", kind=AgencyKind.HEALTH)
    make_user("other.agency", Role.AGENCY_USER, other)
    person = register_person(
        actor=chair_a,
        first_name="สมศักดิ์",
        last_name="ไร้บ้าน",
        birth_date=dt.date(1960, 1, 1),
        subdistrict="100502",
        phone="0812223333",
    )
    record_consent(
        actor=chair_a,
        person=person,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )
    case = open_case(actor=chair_a, person=person, source="field", story="นอนริมคลองเปรมประชากร")
    return {"shelter": shelter, "children": children, "case": case}


def _refer(page, case, agency, need):
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="ส่งต่อหน่วยงานภาคี").first.click()
    page.get_by_label("บริการ", exact=True).select_option("shelter")
    page.get_by_role("button", name="แสดงหน่วยงานที่ให้บริการ").click()
    # Both cover Bang Khen: they are suggested; the fields to be shared are listed.
    suggested = page.locator(".agency-choices")
    assert agency.name_th in suggested.inner_text()
    assert "ชื่อ-นามสกุล" in page.locator(".shared-fields").inner_text()
    page.get_by_label("ความต้องการที่ส่งต่อ").fill(need)
    page.locator(f"#agency-{agency.pk}").check()
    page.get_by_role("button", name="ส่งต่อ", exact=True).click()
    page.wait_for_url(re.compile(r"/referrals/\d+/$"))
    return Referral.objects.get(agency=agency, need=need)


def _make_link(page, referral) -> str:
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_label("ส่งลิงก์ถึงผู้ประสานงาน").select_option(label="คุณมานี")
    page.get_by_role("button", name="สร้างลิงก์สำหรับหน่วยงาน").click()
    link = page.locator("#issued-link").input_value()
    assert "/r/" in link
    # Share: LINE's share URL carries the link for the phone's LINE app; copy puts it on the
    # clipboard.
    share_text = quote(f"ลิงก์ตอบการส่งต่อ (ใช้ได้ครั้งเดียว): {link}", safe="")
    line_share = page.locator('[data-share="line"]').get_attribute("href")
    assert line_share == f"https://line.me/R/share?text={share_text}"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="คัดลอกลิงก์").click()
    page.get_by_text("คัดลอกแล้ว").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    return link


def test_a_referral_loop_closes_in_the_app_and_through_a_link(browser, live_server, page, world):
    case, shelter, children = world["case"], world["shelter"], world["children"]
    log_in(page, "chair.a")
    in_app = _refer(page, case, shelter, "ที่พักชั่วคราวระหว่างหางาน")
    by_link = _refer(page, case, children, "ที่พักสำหรับหลาน")
    first_link = _make_link(page, by_link)

    # The shelter's user: the inbox, only the shared fields, accept then complete.
    partner = browser.new_context(base_url=live_server.url, locale="th-TH")
    partner_page = partner.new_page()
    log_in(partner_page, "agency.user")
    partner_page.goto("/referrals/inbox/")
    partner_page.locator(f'a[href="/referrals/{in_app.pk}/"]').click()
    body = partner_page.locator("main").inner_text()
    assert "สมศักดิ์ ไร้บ้าน" in body and "ที่พักชั่วคราวระหว่างหางาน" in body
    assert case.number not in body and "นอนริมคลอง" not in body
    assert partner_page.locator(f'a[href^="/cases/{case.pk}"]').count() == 0
    assert partner_page.locator(f'a[href^="/people/{case.person_id}"]').count() == 0
    partner_page.get_by_role("button", name="ตอบรับ").click()
    partner_page.get_by_label("บริการที่ให้").fill("รับเข้าพัก 14 วัน พร้อมอาหาร")
    partner_page.get_by_role("button", name="ให้บริการเสร็จสิ้น").click()
    partner_page.wait_for_selector(".badge.referral-completed")
    partner.close()

    # The partner without users: a fresh browser with no login, through its links.
    outsider = browser.new_context(locale="th-TH")
    link_page = outsider.new_page()
    link_page.goto(first_link)
    assert link_page.locator("nav").count() == 0
    assert children.name_th in link_page.locator("main").inner_text()
    link_page.get_by_role("button", name="ตอบรับ").click()
    assert "บันทึกคำตอบแล้ว" in link_page.locator("main").inner_text()
    second_link = _make_link(page, by_link)
    link_page.goto(second_link)
    link_page.get_by_label("บริการที่ให้").fill("รับเด็กเข้าบ้านพัก")
    link_page.get_by_role("button", name="ให้บริการเสร็จสิ้น").click()
    assert "บันทึกคำตอบแล้ว" in link_page.locator("main").inner_text()
    # The used link: a clear Thai page, nothing else.
    response = link_page.goto(first_link)
    assert response.status == 410
    assert "ลิงก์นี้ถูกใช้ไปแล้ว" in link_page.locator("main").inner_text()
    outsider.close()

    for referral in (in_app, by_link):
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.COMPLETED

    # The chair: both outcomes on the case and in the notifications.
    page.goto(f"/cases/{case.pk}/")
    panel = page.locator("#referrals").inner_text()
    assert panel.count("ให้บริการเสร็จสิ้น") == 2
    assert "รับเข้าพัก 14 วัน" in panel and "รับเด็กเข้าบ้านพัก" in panel
    timeline = page.locator("ol.timeline").inner_text()
    assert len(re.findall("referral_completed|หน่วยงานให้บริการเสร็จสิ้น", timeline)) == 2
    page.goto("/notifications/")
    notes = page.locator("main").inner_text()
    assert f"{shelter.name_th}: ให้บริการเสร็จสิ้น" in notes
    assert f"{children.name_th}: ให้บริการเสร็จสิ้น" in notes

    # Another agency sees nothing.
    other = browser.new_context(base_url=live_server.url, locale="th-TH")
    other_page = other.new_page()
    log_in(other_page, "other.agency")
    other_page.goto("/referrals/inbox/?tab=done")
    assert other_page.locator('main a[href^="/referrals/"]').count() == 0  # the menu aside
    assert other_page.goto(f"/referrals/{in_app.pk}/").status == 404
    assert other_page.goto(f"/cases/{case.pk}/").status == 404
    other.close()
