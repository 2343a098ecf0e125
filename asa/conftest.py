"""Personas for every test, created through the real actions (DESIGN.md rule 8).

Center A is Bang Khen, center B is Thawi Watthana (both Bangkok). The personas:
chair_a, volunteer_a (members of A), chair_b, volunteer_b (the "Charlie" of most tests),
officer (Bangkok province), district_officer_a (Bang Khen district), outside_officer (Chiang Mai),
agency_user (a One Home partner), dpo, admin.
"""

import datetime as dt
import itertools
import os
import shutil

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from asa.accounts.actions import assign_role, create_api_token, create_user
from asa.accounts.models import Role, TwoFactorDevice
from asa.accounts.security import (
    TWO_FACTOR_ROLES,
    VERIFIED_SESSION_KEY,
    code_for,
    device_secret,
    enrol_known_secret,
)
from asa.centers.actions import link_volunteer_account, open_center, register_volunteer
from asa.centers.models import VolunteerRole
from asa.geo.models import District, Province, Subdistrict
from asa.lib.national_id import make_national_id
from asa.referrals.actions import register_agency
from asa.referrals.models import AgencyKind

PASSWORD = "correct horse battery staple"  # noqa: S105
TOTP_SECRET = "ASATESTASATESTASATESTASATEST2345"  # noqa: S105 (the personas' authenticator)

# Property-based tests (hypothesis): few examples, same ones every run, nothing remembered
# between runs, so CI is fast and a failure reproduces. HYPOTHESIS_PROFILE=thorough for more.
hypothesis_settings.register_profile(
    "asa",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile(
    "thorough", parent=hypothesis_settings.get_profile("asa"), max_examples=500, derandomize=False
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "asa"))
_ids = itertools.count(100000000001)


def new_national_id() -> str:
    return make_national_id(str(next(_ids))[:12].rjust(12, "3"))


def _ensure_reference_data() -> None:
    """Put back the data migrations' rows (geography, catalogues) after a transactional test.

    A transactional test (browser tests need one for the live server) ends by flushing every
    table, including the rows migrations loaded; the next test would find no provinces.
    """
    import importlib

    from django.apps import apps

    if not Province.objects.exists():
        from asa.geo.loading import load_areas

        load_areas(Province, District, Subdistrict)
    # Every data migration that loads a catalogue, with a model that is empty when it's gone.
    for module, model in (
        ("asa.registry.migrations.0002_catalogues", "registry.TargetGroup"),
        ("asa.referrals.migrations.0004_services", "referrals.Service"),
        ("asa.aid.migrations.0002_catalogue", "aid.Item"),
    ):
        if not apps.get_model(model).objects.exists():
            importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif marker or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    _ensure_reference_data()


@pytest.fixture(autouse=True)
def _no_figures_from_another_test():
    """The cache outlives a test's database: dashboards cached by one test must not answer the
    next (asa/reports/cache.py)."""
    from asa.reports.cache import reset

    reset()


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """`Client.force_login(user)` stands for a completed sign-in, second factor included.

    Every test that logs a persona in with force_login (client_for, the scope walker) gets a
    session that passed its second factor; tests of the second factor sign in through the form.
    """
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[VERIFIED_SESSION_KEY] = True
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests serve static files from the finders; the manifest needs collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def make_volunteer(center, *, role=VolunteerRole.MEMBER, actor=None, **overrides):
    values = {
        "title": "นาง",
        "first_name": "สมใจ",
        "last_name": "ทดสอบ",
        "national_id": new_national_id(),
        "birth_date": dt.date(1975, 6, 1),
        "sex": "female",
        "subdistrict": center.subdistrict,
        "joined_on": dt.date(2020, 1, 15),
        "phone": "0812345678",
    }
    values.update(overrides)
    return register_volunteer(actor=actor, center=center, role=role, **values)


def make_user(username, role=None, scope=None):
    user = create_user(actor=None, username=username, password=PASSWORD)
    if role:
        assign_role(actor=None, user=user, role=role, scope=scope)
    if role in TWO_FACTOR_ROLES:
        # Officers, admins and the DPO sign in with a second factor: an authenticator with a
        # known secret, so `log_in` can type its code.
        enrol_known_secret(user=user, secret=TOTP_SECRET)
    return user


@pytest.fixture
def center_a(db):
    return open_center(
        actor=None,
        code="BKK-1005",
        name_th="ศูนย์ประสานงาน อพม. เขตบางเขน",
        name_en="Bang Khen Volunteer Coordination Center",
        subdistrict=Subdistrict.objects.get(code="100502"),
        opened_on=dt.date(2019, 3, 11),
        venue="ที่ทำการชุมชน หมู่บ้านพร้อมสุข (ซ. รามอินทรา 8)",
    )


@pytest.fixture
def center_b(db):
    return open_center(
        actor=None,
        code="BKK-1048",
        name_th="ศูนย์ประสานงาน อพม. เขตทวีวัฒนา",
        name_en="Thawi Watthana Volunteer Coordination Center",
        subdistrict=Subdistrict.objects.get(code="104802"),
        opened_on=dt.date(2019, 3, 12),
        venue="ที่ทำการสุขภาพ เลียบคลองทวีวัฒนา",
    )


def _volunteer_user(center, username, role, first_name):
    volunteer = make_volunteer(center, role=role, first_name=first_name)
    user = make_user(username)
    link_volunteer_account(actor=None, volunteer=volunteer, user=user)
    return user


@pytest.fixture
def chair_a(center_a):
    return _volunteer_user(center_a, "chair.a", VolunteerRole.CHAIR, "ประธานเอ")


@pytest.fixture
def volunteer_a(center_a):
    return _volunteer_user(center_a, "volunteer.a", VolunteerRole.MEMBER, "อาสาเอ")


@pytest.fixture
def chair_b(center_b):
    return _volunteer_user(center_b, "chair.b", VolunteerRole.CHAIR, "ประธานบี")


@pytest.fixture
def volunteer_b(center_b):
    return _volunteer_user(center_b, "volunteer.b", VolunteerRole.MEMBER, "อาสาบี")


@pytest.fixture
def officer(db):
    return make_user("officer.bkk", Role.PROVINCE_OFFICER, Province.objects.get(code="10"))


@pytest.fixture
def district_officer_a(db):
    return make_user("officer.bangkhen", Role.DISTRICT_OFFICER, District.objects.get(code="1005"))


@pytest.fixture
def outside_officer(db):
    return make_user("officer.chiangmai", Role.PROVINCE_OFFICER, Province.objects.get(code="50"))


@pytest.fixture
def agency(db):
    return register_agency(
        actor=None, name_th="ศูนย์คุ้มครองคนไร้ที่พึ่งทดสอบ", kind=AgencyKind.SHELTER_DESTITUTE
    )


@pytest.fixture
def agency_user(agency):
    return make_user("agency.user", Role.AGENCY_USER, agency)


@pytest.fixture
def dpo(db):
    return make_user("dpo.user", Role.DATA_PROTECTION_OFFICER)


@pytest.fixture
def admin_user(db):
    user = make_user("admin.user", Role.MINISTRY_ADMIN)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def client_for(db):
    """A logged-in Django test client for a user: client_for(chair_a).get(url)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client_for(db):
    """A test client that sends `Authorization: Bearer <token>` for the user."""

    def make(user):
        _, secret = create_api_token(actor=None, user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make


# --- Browser tests ----------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls from the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="th-TH",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def log_in(page, username, password=PASSWORD):
    """Sign in through the login page; personas with an authenticator also type its code."""
    page.goto("/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    device = (
        TwoFactorDevice.objects.select_related("user")
        .filter(user__username=username, confirmed_at__isnull=False)
        .first()
    )
    if device is None or not device.user.check_password(password):
        return
    page.wait_for_url(lambda url: "/accounts/two-factor/" in url)
    page.get_by_label("รหัสยืนยัน").fill(next_totp_code(device))
    page.get_by_role("button", name="ยืนยัน", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def next_totp_code(device) -> str:
    """A code the device will accept now: a step it has not used (a code never works twice)."""
    import time

    from django.utils import timezone

    now = int(timezone.now().timestamp()) // 30
    step = max(now, device.last_used_step + 1)
    if step > now + 1:  # both codes of this minute are spent: wait for the next step
        time.sleep((step - 1) * 30 - timezone.now().timestamp() + 0.5)
    return code_for(device_secret(device), step=step)
