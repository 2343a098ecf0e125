"""Browser test (Playwright + Debian chromium) on a 390x844 phone: from a person's page the chair
opens a case, assigns the least busy volunteer found by search, and hands over goods from the
case with the household already filled in; the household list finds the family by name."""

import re

import pytest
from playwright.sync_api import expect

from asa.cases.models import Case
from asa.cases.tests.test_pages_cases import make_case, make_person
from asa.conftest import log_in, make_volunteer
from asa.registry.actions import create_household

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_chair_goes_from_a_person_to_a_case_an_assignment_and_goods_on_a_phone(
    phone_page, chair_a, volunteer_a, center_a
):
    page = phone_page
    person = make_person(chair_a, title="นาง", first_name="ทองม้วน", last_name="ใจดี")
    household = create_household(actor=chair_a, head=person)
    make_case(chair_a, volunteer_a)  # volunteer A already has an open case
    idle = make_volunteer(center_a, first_name="ว่างงาน", last_name="พร้อมช่วย")
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # The household list finds the family by the head's name.
    page.goto("/households/")
    page.get_by_label("ค้นหาชื่อสมาชิก เลขประจำตัวประชาชน โทรศัพท์ หรือรหัสครัวเรือน").fill("ทองม้วน")
    page.get_by_role("button", name="ค้นหา").click()
    page.get_by_role("link", name=household.code).click()
    page.get_by_role("link", name="นางทองม้วน ใจดี").click()
    # The person's page opens a case with the person chosen.
    page.get_by_role("link", name="รับเรื่อง (เปิดกรณี) ของบุคคลนี้").click()
    expect(page.get_by_text("นางทองม้วน ใจดี").first).to_be_visible()
    page.get_by_label("ปกติ", exact=True).check()
    page.get_by_label("เรื่องโดยย่อ").fill("ผู้สูงอายุอยู่ลำพัง รายได้ไม่พอซื้อยา")
    page.get_by_role("button", name="บันทึกรับเรื่อง").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(person=person)
    # Assign: the idle volunteer leads the list (fewest open cases), found by search too.
    page.locator("summary", has_text="มอบหมาย อพม.").click()
    rows = page.locator("#assign-list li")
    expect(rows.filter(has_text="ว่างงาน")).to_contain_text("เปิดอยู่ 0 กรณี")
    expect(rows.last).to_contain_text("อาสาเอ")  # the busiest comes last
    expect(rows.last).to_contain_text("เปิดอยู่ 1 กรณี")
    page.get_by_label("ค้นหาชื่อ อพม.").fill("ว่างงาน")
    expect(page.locator("#assign-list li:visible")).to_have_count(1)
    page.get_by_label(idle.full_name, exact=True).check()
    page.get_by_role("button", name="มอบหมาย", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+/"))
    assert list(case.assignments.values_list("volunteer_id", flat=True)) == [idle.pk]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # Goods from the case: the household is filled in, nobody types its code from memory.
    page.get_by_role("link", name="มอบสิ่งของให้ครัวเรือนนี้").click()
    page.wait_for_url(re.compile(rf"/distributions/new/\?case={case.pk}$"))
    expect(page.locator("input[name=household]")).to_have_value(household.code)
