"""Thai first, English on request, Thai digits on request."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from asa.accounts.tests.test_scope import KINDS, PAGES, world  # noqa: F401 (the fixture)
from asa.conftest import log_in

CATALOG = Path(settings.BASE_DIR) / "asa" / "locale" / "en" / "LC_MESSAGES" / "django.po"
THAI_LETTERS = re.compile(r"[\u0e01-\u0e4e]")


def test_it_translates_every_string_to_english():
    text = CATALOG.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    blocks = text.strip().split("\n\n")[1:]  # the first block is the header
    assert len(blocks) > 100
    untranslated = [block for block in blocks if re.search(r'^msgstr(\[\d\])? ""$', block, re.M)]
    assert not untranslated, untranslated[:5]
    assert CATALOG.with_suffix(".mo").exists()
    assert CATALOG.with_suffix(".mo").stat().st_size > 1000


def test_it_speaks_thai_by_default(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="th">' in body
    assert "เข้าสู่ระบบ" in body


def test_it_switches_to_english_and_back(client_for, chair_a):
    client = client_for(chair_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/centers/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get("/centers/").content.decode()
    assert '<html lang="en">' in body
    assert ">Centers<" in body
    assert "Bang Khen Volunteer Coordination Center" in body  # the center's English name
    client.post("/i18n/setlang/", {"language": "th", "next": "/centers/"})
    body = client.get("/centers/").content.decode()
    assert '<html lang="th">' in body
    assert ">ศูนย์ประสานงาน<" in body


def test_it_shows_error_messages_in_english(client, chair_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/accounts/login/", {"username": "chair.a", "password": "wrong"})
    assert "Incorrect username or password" in response.content.decode()


@pytest.mark.parametrize("language", ["th", "en"])
def test_it_renders_every_page_in_both_languages(client_for, admin_user, world, language):  # noqa: F811
    client = client_for(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    checked = 0
    for name, entry in PAGES.items():
        if "GET" not in entry.methods or "admin_user" not in KINDS[entry.kind]:
            continue
        url = reverse(name, kwargs=entry.kwargs(world)) + entry.query(world)
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{language} {url}: {response.status_code}"
        if not response.get("Content-Type", "").startswith("text/html"):
            checked += 1  # a visit photo, streamed: no page chrome to translate
            continue
        body = response.content.decode()
        if "<html" in body and not url.startswith("/api/"):  # the API docs page is ninja's
            assert f'<html lang="{language}">' in body, url
        checked += 1
    assert checked >= 10


def test_it_leaves_no_thai_in_the_english_chrome(client_for, admin_user):
    client = client_for(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/accounts/tokens/").content.decode()
    # The page's own words (not data) are all English; only the switch names Thai.
    chrome = body.replace('lang="th">ภาษาไทย<', "").replace('aria-hidden="true">อ<', "")
    chrome = re.sub(r'<button[^>]*title="[^"]*"[^>]*>๑๒๓</button>', "", chrome)
    assert not THAI_LETTERS.search(chrome), THAI_LETTERS.search(chrome)


@pytest.mark.django_db(transaction=True)
def test_it_switches_language_in_the_browser(page, chair_a):
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.locator("html").get_attribute("lang") == "th"
    nav = page.get_by_role("navigation", name="เมนูหลัก")
    assert nav.get_by_role("link", name="ศูนย์ประสานงาน").is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    nav = page.get_by_role("navigation", name="Main menu")
    assert nav.get_by_role("link", name="Centers").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()

    page.get_by_role("button", name="ภาษาไทย").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("navigation", name="เมนูหลัก").is_visible()


@pytest.mark.django_db(transaction=True)
def test_it_shows_counts_in_thai_digits_on_request(page, chair_a, center_a):
    log_in(page, "chair.a")
    page.goto(f"/centers/{center_a.pk}/")
    count = page.locator(".stat").first
    assert count.inner_text().strip() == "1"  # chair_a is the center's one volunteer

    page.get_by_role("button", name="๑๒๓").click()
    page.wait_for_load_state()
    assert page.locator(".stat").first.inner_text().strip() == "๑"
    assert "๒๕๖๒" in page.content()  # the opening date's BE year, in Thai digits

    page.get_by_role("button", name="123").click()
    page.wait_for_load_state()
    assert page.locator(".stat").first.inner_text().strip() == "1"
