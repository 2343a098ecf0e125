"""Browser tests (Playwright + Debian chromium): a chair finds their center and registers a
volunteer, first with a bad national ID, on a desktop and a phone-sized screen."""

import re

import pytest
from playwright.sync_api import expect

from asa.centers.models import Volunteer
from asa.conftest import log_in, new_national_id
from asa.geo.loading import load_areas
from asa.geo.models import District, Province, Subdistrict
from asa.lib.crypto import identity_hash

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _areas(transactional_db):
    # A transactional test flushes the tables afterwards, areas loaded by migration included.
    if not Subdistrict.objects.exists():
        load_areas(Province, District, Subdistrict)


def field(page, label: str):
    """The input labelled exactly `label` (a required field's label ends with " *")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def fill_volunteer(page, national_id: str) -> None:
    field(page, "คำนำหน้า").select_option("นาง")
    field(page, "ชื่อ").fill("มาลี")
    field(page, "นามสกุล").fill("ศรีสุข")
    field(page, "เลขประจำตัวประชาชน").fill(national_id)
    field(page, "วันเกิด").fill("01/06/2518")
    field(page, "เพศ").select_option("female")
    field(page, "โทรศัพท์").fill("0891234567")
    field(page, "วันที่เข้าร่วม").fill("15/01/2566")
    field(page, "จังหวัด").select_option("10")
    # The district list arrives by htmx once a province is chosen.
    page.wait_for_selector("#id_district option[value='1005']", state="attached")
    field(page, "เขต/อำเภอ").select_option("1005")
    page.wait_for_selector("#id_subdistrict option[value='100502']", state="attached")
    field(page, "แขวง/ตำบล").select_option("100502")
    page.wait_for_selector("#id_postal_code option[value='10220']", state="attached")


def test_it_shows_the_chair_their_center_and_volunteers(page, chair_a, volunteer_a, center_b):
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name="ศูนย์ประสานงาน").click()
    page.wait_for_url("**/centers/")
    table = page.get_by_role("table")
    assert "ศูนย์ประสานงาน อพม. เขตบางเขน" in table.inner_text()
    assert "ทวีวัฒนา" not in table.inner_text()
    page.get_by_role("link", name="ศูนย์ประสานงาน อพม. เขตบางเขน").click()
    page.wait_for_url(re.compile(r"/centers/\d+/$"))
    rows = page.locator("#volunteer-rows")
    assert "อาสาเอ" in rows.inner_text() and "ประธานเอ" in rows.inner_text()
    # Typing in the search narrows the list without leaving the page.
    field(page, "ค้นหาชื่อ โทรศัพท์ หรือเลขประจำตัวประชาชน").fill("อาสา")
    expect(rows).not_to_contain_text("ประธานเอ")
    assert "อาสาเอ" in rows.inner_text()


def test_it_registers_a_volunteer_after_a_bad_national_id(page, chair_a, center_a):
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/volunteers/new/")
    assert field(page, "ศูนย์").input_value() == str(center_a.pk)
    good_id = new_national_id()
    bad_id = good_id[:12] + str((int(good_id[12]) + 1) % 10)
    fill_volunteer(page, bad_id)
    page.get_by_role("button", name="ลงทะเบียน").click()
    error = page.locator("#id_national_id_error")
    error.wait_for()
    assert "เลขประจำตัวประชาชนไม่ถูกต้อง" in error.inner_text()
    assert not Volunteer.objects.filter(first_name="มาลี").exists()
    # The typed values stay, the address chain included; fix the number and send again.
    assert field(page, "แขวง/ตำบล").input_value() == "100502"
    assert field(page, "วันเกิด").input_value() == "01/06/2518"
    field(page, "เลขประจำตัวประชาชน").fill(good_id)
    page.get_by_role("button", name="ลงทะเบียน").click()
    page.wait_for_url(re.compile(r"/volunteers/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "นางมาลี ศรีสุข"
    assert "1 มิถุนายน 2518" in page.content()
    volunteer = Volunteer.objects.get(national_id_hash=identity_hash(good_id))
    assert volunteer.birth_date.isoformat() == "1975-06-01"
    assert volunteer.postal_code == "10220"


def test_it_works_on_a_phone(phone_page, chair_a, center_a):
    page = phone_page
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/volunteers/new/")
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    good_id = new_national_id()
    fill_volunteer(page, good_id)
    field(page, "วันเกิด").fill("01/06/1975")  # a CE year by mistake
    page.get_by_role("button", name="ลงทะเบียน").click()
    error = page.locator("#id_birth_date_error")
    error.wait_for()
    assert "ค.ศ." in error.inner_text()
    assert error.bounding_box()["width"] <= 390
    field(page, "วันเกิด").fill("๐๑/๐๖/๒๕๑๘")  # Thai digits are fine
    page.get_by_role("button", name="ลงทะเบียน").click()
    page.wait_for_url(re.compile(r"/volunteers/\d+/$"))
    assert Volunteer.objects.filter(national_id_hash=identity_hash(good_id)).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
