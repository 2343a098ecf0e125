"""Each role lands on its own work after signing in, and its menu holds only pages it can use."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from asa.conftest import make_volunteer

PERSONAS = ["admin_user", "officer", "dpo", "chair_a", "volunteer_a", "agency_user"]


def _landing(persona, world) -> str:
    return {
        "admin_user": reverse("reports:nation"),
        "officer": reverse("cases:watch"),
        "dpo": reverse("privacy:home"),
        "chair_a": reverse("accounts:work_waiting", kwargs={"pk": world["center_a"].pk}),
        "volunteer_a": reverse("cases:today"),
        "agency_user": reverse("referrals:inbox"),
    }[persona]


@pytest.fixture
def world(center_a, center_b, admin_user, officer, dpo, chair_a, volunteer_a, agency_user):
    return {
        "center_a": center_a,
        "admin_user": admin_user,
        "officer": officer,
        "dpo": dpo,
        "chair_a": chair_a,
        "volunteer_a": volunteer_a,
        "agency_user": agency_user,
    }


def _menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_lands_on_its_work_and_every_menu_item_opens(persona, world, client_for):
    client = client_for(world[persona])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == _landing(persona, world)
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    links = _menu_links(landing.content.decode())
    assert links
    for link in links:
        answer = client.get(link, follow=True)  # the dashboards' home opens the user's area
        assert answer.status_code == 200, f"{persona}: {link}"
        assert "/accounts/login/" not in answer.request["PATH_INFO"]


def test_an_agency_user_sees_no_volunteer_pages(world, client_for):
    links = _menu_links(client_for(world["agency_user"]).get("/referrals/inbox/").content.decode())
    assert reverse("referrals:inbox") in links
    for page in ("cases:today", "centers:volunteer_list", "centers:my_hours", "aid:catalogue"):
        assert reverse(page) not in links


def test_the_ministry_admin_finds_the_audit_trail_and_user_management(world, client_for):
    links = _menu_links(client_for(world["admin_user"]).get("/accounts/profile/").content.decode())
    assert reverse("audit:search") in links
    assert reverse("accounts:user_list") in links
    volunteer_links = _menu_links(
        client_for(world["volunteer_a"]).get("/accounts/profile/").content.decode()
    )
    assert reverse("audit:search") not in volunteer_links
    assert reverse("accounts:user_list") not in volunteer_links


def test_the_chairs_work_waiting_counts_each_kind(
    world, client_for, volunteer_a, django_assert_max_num_queries
):
    from asa.cases import actions as case_actions
    from asa.registry.actions import register_person

    center = world["center_a"]
    person = register_person(
        actor=None,
        first_name="รอมอบหมาย",
        last_name="ทดสอบ",
        birth_date=dt.date(1950, 1, 1),
        subdistrict=center.subdistrict.code,
    )
    case_actions.open_case(actor=None, person=person, source="field", story="ยังไม่มีใครรับ")
    closing = case_actions.open_case(actor=None, person=person, source="field", story="ขอปิด")
    member = make_volunteer(center, first_name="ผู้รับผิดชอบ")
    case_actions.assign_case(actor=None, case=closing, volunteers=[member])
    case_actions.request_closure(actor=None, case=closing, outcome="resolved")
    client = client_for(world["chair_a"])
    url = reverse("accounts:work_waiting", kwargs={"pk": center.pk})
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["unassigned"]["count"] == 1
    assert response.context["closures"]["count"] == 1
    body = response.content.decode()
    for title in ("กรณีที่ยังไม่มอบหมาย อพม.", "กรณีที่รออนุมัติปิด", "เลยกำหนดเยี่ยมติดตาม"):
        assert title in body
    assert "สิ่งของใกล้หมด" in body and "การส่งต่อที่เลยกำหนด" in body
    # The center's volunteer cannot open it; another center's chair neither.
    assert client_for(volunteer_a).get(url).status_code == 403
