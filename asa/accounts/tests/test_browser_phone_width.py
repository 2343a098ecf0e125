"""Browser walk (Playwright + Debian chromium): every page each role reaches, at 360 px wide.

The pages and their objects are the scope walker's (`test_scope.PAGES` on its `world`), so a new
URL is walked here as soon as it is classified there. A page fails when it scrolls sideways
(`document.documentElement.scrollWidth > innerWidth`); the message names the widest elements.
One browser; one context per role, signed in with the walker's session cookie.
"""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from asa.accounts.tests.test_scope import (  # noqa: F401 (the walker's fixtures)
    KINDS,
    PAGES,
    _private_media,
    world,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

# One persona per role (the walker's others are the same roles in another place).
ROLES = ["anonymous", "admin_user", "officer", "chair_a", "volunteer_a", "agency_user", "dpo"]
PHONE = {"width": 360, "height": 740}

# The page's width, and what sticks out past the right edge: the deepest such elements (they
# are the cause) and any box that scrolls sideways inside the page (a table cut off at the right
# in an `overflow-x: auto` wrapper is the same trouble as a page that scrolls).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const name = (element) => element.tagName.toLowerCase()
    + (element.id ? "#" + element.id : "")
    + (typeof element.className === "string" && element.className.trim()
      ? "." + element.className.trim().split(/\\s+/).join(".") : "");
  const all = [...document.querySelectorAll("body *")];
  const out = (element) => element.getBoundingClientRect().right > width + 1;
  const sticking = all.filter((element) => out(element) && ![...element.children].some(out));
  const scrollers = all.filter((element) => {
    const overflow = getComputedStyle(element).overflowX;
    return ["auto", "scroll"].includes(overflow) && element.scrollWidth > element.clientWidth + 1;
  });
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width,
    causes: [...scrollers, ...sticking].slice(0, 4).map(
      (element) => `${name(element)} (${element.scrollWidth}px in ${element.clientWidth}px)`
    ),
    sideways: document.documentElement.scrollWidth > width || scrollers.length > 0,
  };
}"""


def _walk(page, persona: str, scene) -> tuple[int, list[str]]:
    visited, problems = 0, []
    for name, entry in PAGES.items():
        if "GET" not in entry.methods or persona not in KINDS[entry.kind]:
            continue
        url = reverse(name, kwargs=entry.kwargs(scene)) + entry.query(scene)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file (PDF, CSV, photo), not a page
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        found = page.evaluate(OVERFLOW)
        if found["sideways"]:
            problems.append(
                f"{persona} {url} ({name}): page {found['scrollWidth']}px in {found['width']}px;"
                f" {found['causes']}"
            )
    return visited, problems


def test_no_page_scrolls_sideways_on_a_360_px_phone(browser, live_server, world):  # noqa: F811
    problems, visited = [], 0
    for persona in ROLES:
        context = browser.new_context(
            base_url=live_server.url,
            locale="th-TH",
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
        )
        session = world.clients[persona].cookies.get(settings.SESSION_COOKIE_NAME)
        if session is not None:
            context.add_cookies(
                [{"name": session.key, "value": session.value, "url": live_server.url}]
            )
        page = context.new_page()
        page.set_default_timeout(20000)
        count, found = _walk(page, persona, world)
        context.close()
        visited += count
        problems += found
    assert visited > 100, f"only {visited} pages walked"
    assert not problems, "pages that scroll sideways at 360 px:\n" + "\n".join(problems)
