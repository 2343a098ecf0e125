"""Browser test (Playwright + Debian chromium): the header on a 390x844 phone shows the role's
first pages and hides the rest behind one menu button, which works from the keyboard."""

import pytest
from playwright.sync_api import expect

from asa.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_phone_header_is_compact_and_its_menu_opens_and_closes(phone_page, chair_a, page):
    phone = phone_page
    log_in(phone, "chair.a")
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    menu = phone.get_by_role("navigation", name="เมนูหลัก")
    button = phone.get_by_role("button", name="เมนู")
    expect(button).to_have_attribute("aria-expanded", "false")
    # Collapsed: two pages of the chair's work, the rest (and sign-out) out of sight.
    expect(menu.get_by_role("link")).to_have_count(2)
    expect(menu.get_by_role("link", name="งานที่รอดำเนินการ")).to_be_visible()
    expect(phone.get_by_role("button", name="ออกจากระบบ")).to_be_hidden()
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] < 844 / 6, f"the header takes {header['height']}px of 844"
    # Open from the keyboard: the first link takes the focus; every page is there.
    button.focus()
    phone.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="อพม.", exact=True)).to_be_visible()
    expect(phone.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
    assert phone.evaluate("document.activeElement.closest('#main-nav') !== null")
    # Escape closes it and gives the focus back to the button.
    phone.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(menu.get_by_role("link", name="อพม.", exact=True)).to_be_hidden()
    # Open again by tap and go to a page that was hidden.
    button.click()
    menu.get_by_role("link", name="อพม.", exact=True).click()
    phone.wait_for_url("**/volunteers/")
    # On a wide screen there is no menu button: every page is in the bar.
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.get_by_role("button", name="เมนู")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name="อพม.", exact=True)
    ).to_be_visible()
