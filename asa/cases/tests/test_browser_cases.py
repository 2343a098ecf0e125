"""The issue's "done when", in a browser: from a report on a phone to a closed case."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from asa.cases.models import Assistance, Case, Status
from asa.centers.models import Volunteer
from asa.conftest import log_in
from asa.lib.thai import format_be_date_numeric
from asa.registry.actions import create_household, register_person

SCREENSHOTS = os.environ.get("ASA_SCREENSHOTS", "")


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_a_report_from_a_phone_becomes_a_closed_case(
    browser, live_server, page, phone_page, chair_a, volunteer_a, volunteer_b
):
    person = register_person(
        actor=chair_a,
        title="นาง",
        first_name="บุญเรือน",
        last_name="ใจงาม",
        birth_date=dt.date(1946, 4, 2),
        subdistrict="100502",
    )
    create_household(actor=chair_a, head=person)
    volunteer = Volunteer.objects.get(user=volunteer_a)

    # A volunteer reports a person in distress from the phone: search first, then the report.
    log_in(phone_page, "volunteer.a")
    phone_page.goto("/cases/new/")
    phone_page.get_by_label("ชื่อ-นามสกุล เลขประจำตัวประชาชน หรือโทรศัพท์").fill("บุญเรือน")
    phone_page.get_by_role("button", name="ค้นหา").click()
    phone_page.get_by_role("link", name="เลือกบุคคลนี้").click()
    phone_page.get_by_label("ฉุกเฉิน (ภายใน 24 ชั่วโมง)").check()
    phone_page.get_by_label("เรื่องโดยย่อ").fill("ผู้สูงอายุอยู่ลำพัง ไม่มีอาหาร ล้มป่วย")
    _shot(phone_page, "intake-phone")
    phone_page.get_by_role("button", name="บันทึกรับเรื่อง").click()
    phone_page.wait_for_url("**/cases/*/")
    case = Case.objects.get(person=person)
    assert case.urgency == "emergency" and case.center_id == volunteer.center_id
    case_url = f"/cases/{case.pk}/"

    # The chair assigns it to the volunteer.
    log_in(page, "chair.a")
    page.goto(case_url)
    page.get_by_text("มอบหมาย อพม.", exact=True).first.click()
    page.locator("#assignments form").get_by_label(volunteer.full_name).check()
    page.get_by_role("button", name="มอบหมาย", exact=True).click()
    page.wait_for_url(f"**{case_url}**")
    assert case.assignments.filter(volunteer=volunteer, ended_at__isnull=True).exists()

    # The volunteer records a visit: types, reloads (the draft comes back), then sends it.
    phone_page.goto(f"{case_url}visits/new/")
    observations = "บ้านทรุดโทรม หลังคารั่ว ไม่มีข้าวสาร"
    phone_page.get_by_label("สิ่งที่พบเห็น").fill(observations)
    phone_page.get_by_label("ผู้ที่พบ").fill("ตัวผู้สูงอายุ")
    phone_page.get_by_label("ประเมินครัวเรือน 5 มิติในการเยี่ยมครั้งนี้").check()
    phone_page.get_by_label("มีน้ำสะอาดดื่มและใช้เพียงพอ").check()
    phone_page.get_by_label("นัดเยี่ยมครั้งถัดไป").fill(format_be_date_numeric(timezone.localdate()))
    phone_page.reload()
    assert phone_page.get_by_label("สิ่งที่พบเห็น").input_value() == observations
    assert phone_page.get_by_label("มีน้ำสะอาดดื่มและใช้เพียงพอ").is_checked()
    assert phone_page.get_by_text("กู้คืนข้อความที่พิมพ์ไว้ก่อนหน้าแล้ว").is_visible()
    _shot(phone_page, "visit-phone")
    phone_page.get_by_role("button", name="บันทึกการเยี่ยม", exact=True).click()
    phone_page.wait_for_url(f"**{case_url}**")
    case.refresh_from_db()
    visit = case.visits.get()
    assert visit.assessment.indicators["clean_water"] is True
    assert case.next_follow_up_on == timezone.localdate()
    # The draft is gone after the save: a fresh form is empty.
    phone_page.goto(f"{case_url}visits/new/")
    assert phone_page.get_by_label("สิ่งที่พบเห็น").input_value() == ""

    # Due today, the case is on the chair's watch list.
    page.goto("/watch/")
    assert page.locator("#watch-today").get_by_text(case.number).is_visible()
    _shot(page, "watch-desktop")

    # The chair records help: a 3,000 baht emergency grant.
    page.goto(case_url)
    page.locator("#assistance summary").click()
    page.get_by_label("ประเภทความช่วยเหลือ").select_option("emergency_grant")
    page.get_by_label("ระเบียบ/ประเภทเงิน").fill("ระเบียบกรมพัฒนาสังคมและสวัสดิการ พ.ศ. 2552")
    page.get_by_label("จำนวนเงิน (บาท)").fill("3000")
    page.get_by_label("รายละเอียด").fill("เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย")
    page.get_by_role("button", name="บันทึกความช่วยเหลือ").click()
    page.wait_for_url(f"**{case_url}**")
    assert Assistance.objects.get(case=case).amount == 3000

    # The volunteer asks to close, the chair approves.
    phone_page.goto(case_url)
    phone_page.get_by_label("ผลการดำเนินงาน").select_option("resolved")
    phone_page.get_by_role("button", name="ขอปิดกรณี").click()
    phone_page.wait_for_url(f"**{case_url}**")
    _shot(phone_page, "case-phone")
    page.goto(case_url)
    page.get_by_role("button", name="อนุมัติปิดกรณี").click()
    page.wait_for_url(f"**{case_url}**")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == "resolved"

    # Another center's volunteer can open none of it.
    context = browser.new_context(base_url=live_server.url, locale="th-TH")
    outsider = context.new_page()
    log_in(outsider, "volunteer.b")
    photo_free_urls = [case_url, f"{case_url}visits/new/"]
    for url in photo_free_urls:
        assert outsider.goto(url).status == 404
    outsider.goto("/watch/")
    assert case.number not in outsider.content()
    context.close()
