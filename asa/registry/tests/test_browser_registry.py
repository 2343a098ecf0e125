"""The registry in a real browser: search first, register, duplicate warning, consent,
assessment; and out of scope for another center's volunteer. Also the form on a phone."""

import os
import re

import pytest

from asa.conftest import log_in, new_national_id
from asa.lib.national_id import format_national_id
from asa.registry.models import Consent, HouseholdAssessment, Person

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("ASA_SCREENSHOTS", "")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def field(page, label):
    """The input of a label, with or without the required-field star."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def choose_anusawari(page):
    field(page, "จังหวัด").select_option("10")
    page.wait_for_selector("#id_district option[value='1005']", state="attached")
    field(page, "เขต/อำเภอ").select_option("1005")
    page.wait_for_selector("#id_subdistrict option[value='100502']", state="attached")
    field(page, "แขวง/ตำบล").select_option("100502")


def test_a_chair_searches_registers_meets_a_duplicate_and_records_consent_and_assessment(
    page, chair_a, volunteer_b, center_a
):
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.get_by_role("link", name="ฐานข้อมูลผู้ประสบปัญหา").click()
    page.get_by_label("ชื่อ-นามสกุล เลขประจำตัวประชาชน หรือโทรศัพท์").fill("บุญมี ศรีสุข")
    page.get_by_role("button", name="ค้นหา").click()
    page.get_by_text("ไม่พบบุคคลนี้ในฐานข้อมูลที่คุณเห็น").wait_for()
    page.get_by_role("link", name="ลงทะเบียนบุคคลใหม่").last.click()
    page.wait_for_url("**/people/new/**")
    assert field(page, "ชื่อ").input_value() == "บุญมี"
    assert field(page, "นามสกุล").input_value() == "ศรีสุข"

    # A bad national ID first: a Thai error next to the field, nothing saved.
    field(page, "คำนำหน้า").fill("นาง")
    field(page, "เลขเอกสาร").fill("1234567890123")
    field(page, "วันเกิด").fill("01/05/2493")
    field(page, "เพศ").select_option("female")
    field(page, "บ้านเลขที่").fill("12/3")
    choose_anusawari(page)
    page.get_by_role("group", name="กลุ่มเป้าหมาย").get_by_label("ผู้สูงอายุ", exact=True).check()
    page.get_by_role("button", name="ลงทะเบียน", exact=True).click()
    error = page.locator("#id_id_number_error")
    error.wait_for()
    assert "เลขประจำตัวประชาชน" in error.inner_text()
    assert Person.objects.count() == 0
    shot(page, "registry-bad-id")

    number = new_national_id()
    field(page, "เลขเอกสาร").fill(number)
    page.get_by_role("button", name="ลงทะเบียน", exact=True).click()
    page.get_by_text("ลงทะเบียนบุคคลแล้ว").wait_for()
    first = Person.objects.get()
    assert format_national_id(number) in page.content()
    assert page.get_by_text("ยังไม่มีฐานทางกฎหมายในการเก็บข้อมูลของบุคคลนี้").is_visible()

    # The same person again, spelled by ear, without an ID: the warning, with reasons.
    page.goto("/people/new/?q=นาง บุญมี ศรีสุก")
    field(page, "ประเภทเอกสาร").select_option("none")
    page.get_by_label("หรือปีเกิด (พ.ศ.) ถ้าไม่ทราบวันเกิด").fill("2493")
    choose_anusawari(page)
    page.get_by_role("button", name="ลงทะเบียน", exact=True).click()
    warning = page.get_by_role("alert").filter(has_text="อาจเป็นบุคคลที่มีอยู่แล้วในฐานข้อมูล")
    warning.wait_for()
    assert "ชื่อ-นามสกุลออกเสียงเหมือนกัน" in warning.inner_text()
    assert page.get_by_label("เหตุผลที่ยืนยันว่าเป็นบุคคลใหม่").is_visible()
    shot(page, "registry-duplicate")
    page.get_by_role("link", name="เปิดข้อมูลเดิม").click()
    page.wait_for_url(f"**/people/{first.pk}/")
    assert Person.objects.count() == 1

    # Consent on the existing record.
    page.get_by_role("link", name="บันทึกฐานทางกฎหมาย").first.click()
    field(page, "ฐานทางกฎหมาย").select_option("consent")
    field(page, "วันที่").fill("01/01/2567")
    field(page, "ผู้ให้ความยินยอม").select_option("self")
    field(page, "วิธีการ").select_option("signed_paper")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.get_by_text("บันทึกฐานทางกฎหมายแล้ว").wait_for()
    assert Consent.objects.filter(person=first).exists()
    assert page.get_by_text("ยังไม่มีฐานทางกฎหมายในการเก็บข้อมูลของบุคคลนี้").count() == 0

    # A household and its first assessment.
    page.get_by_role("link", name="เปิดครัวเรือนโดยมีบุคคลนี้เป็นหัวหน้า").click()
    page.get_by_role("button", name="เปิดครัวเรือน").click()
    page.get_by_text("เปิดครัวเรือนแล้ว").wait_for()
    page.get_by_role("link", name="ประเมินครัวเรือน 5 มิติ").click()
    page.get_by_label("มีน้ำสะอาดดื่มและใช้เพียงพอ").check()
    page.get_by_label("มีส้วมถูกสุขลักษณะ").check()
    page.get_by_label("ผู้ใหญ่อ่าน เขียนภาษาไทย และคิดเลขได้").check()
    shot(page, "registry-assessment")
    page.get_by_role("button", name="บันทึกการประเมิน").click()
    page.get_by_text("บันทึกการประเมินแล้ว").wait_for()
    assessment = HouseholdAssessment.objects.get()
    assert assessment.housing_score == 50 and assessment.education_score == 25
    page.goto(f"/people/{first.pk}/")
    assert page.locator("meter").count() == 5
    assert "ประเมินครัวเรือน 5 มิติ" in page.locator(".timeline").inner_text()
    shot(page, "registry-person")

    # Another center's volunteer cannot open the record.
    page.get_by_role("button", name="ออกจากระบบ").click()
    # Sign-out first wipes the field app's data on the device, then posts: wait for it to land.
    page.wait_for_url("**/accounts/login/**")
    log_in(page, "volunteer.b")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    response = page.goto(f"/people/{first.pk}/")
    assert response.status == 404


def test_the_registration_form_works_on_a_phone(phone_page, chair_a, center_a):
    page = phone_page
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/people/new/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    field(page, "ชื่อ").fill("มาลี")
    page.get_by_role("button", name="ลงทะเบียน", exact=True).click()
    page.locator("#id_id_number_error").wait_for()  # a national ID or "no document"
    field(page, "ประเภทเอกสาร").select_option("none")
    page.get_by_label("ผู้มีรายได้น้อย", exact=True).tap()
    page.get_by_label("ความยากจน", exact=True).tap()
    shot(page, "registry-phone-form")
    if SHOTS:
        page.get_by_role("group", name="ปัญหาที่พบ").screenshot(
            path=os.path.join(SHOTS, "registry-phone-problems.png")
        )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="ลงทะเบียน", exact=True).click()
    page.get_by_text("ลงทะเบียนบุคคลแล้ว").wait_for()
    person = Person.objects.get(first_name="มาลี")
    assert person.center == center_a
    assert person.problems.get().problem_type.code == "poverty"
    shot(page, "registry-phone-person")
