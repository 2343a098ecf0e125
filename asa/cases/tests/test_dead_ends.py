"""Paths that used to dead-end: the person page opens a case; goods are handed over from a case or
a visit with the household filled in; the assign picker shows each volunteer's open cases, fewest
first; the household and case lists are searched by name."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asa.cases import actions
from asa.cases.tests.test_pages_cases import make_case, make_person, volunteer_of
from asa.conftest import make_volunteer
from asa.registry.actions import create_household

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- The person page opens a case -------------------------------------------------------------


def test_the_person_page_opens_a_case_with_the_person_chosen(client_for, chair_a):
    person = make_person(chair_a, first_name="ทองใบ")
    page = client_for(chair_a).get(reverse("registry:person_detail", args=[person.pk]))
    link = f"{reverse('cases:case_create')}?person={person.pk}"
    assert link in page.content.decode()
    intake = client_for(chair_a).get(link)
    assert intake.status_code == 200 and intake.context["person"] == person


def test_the_open_case_link_is_not_offered_to_a_partner_agency(client_for, chair_a, agency_user):
    person = make_person(chair_a, first_name="ทองใบ")
    response = client_for(agency_user).get(reverse("registry:person_detail", args=[person.pk]))
    assert f"?person={person.pk}" not in response.content.decode()
    # ... nor does the intake page open for them.
    intake = client_for(agency_user).get(reverse("cases:case_create") + f"?person={person.pk}")
    assert intake.status_code in (403, 404)


# --- Goods from a case or a visit -------------------------------------------------------------


def test_goods_are_handed_over_from_a_case_and_a_visit_with_the_household_filled_in(
    client_for, chair_a, volunteer_a
):
    case = make_case(chair_a, volunteer_a)
    visit = actions.record_visit(
        actor=volunteer_a,
        case=case,
        visited_at=timezone.now(),
        observations="ข้าวสารหมด",
        volunteers=[volunteer_of(volunteer_a)],
    )
    client = client_for(chair_a)
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    new_distribution = reverse("aid:distribution_create", args=[case.center_id])
    from_case, from_visit = (
        f"{new_distribution}?case={case.pk}",
        f"{new_distribution}?visit={visit.pk}",
    )
    assert from_case in html and from_visit in html
    household = case.person.memberships.get().household
    for url in (from_case, from_visit):
        form = client.get(url)
        assert form.status_code == 200
        assert re.search(rf'name="household"[^>]*value="{household.code}"', form.content.decode())


def test_an_outsider_gets_no_goods_link_and_cannot_open_the_form_for_the_case(
    client_for, chair_a, volunteer_a, chair_b, center_b
):
    case = make_case(chair_a, volunteer_a)
    response = client_for(chair_b).get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code in (403, 404)
    # Center B's own goods form, pointed at A's case: the case is out of B's scope.
    url = reverse("aid:distribution_create", args=[center_b.pk]) + f"?case={case.pk}"
    assert client_for(chair_b).get(url).status_code == 404


# --- Assigning: open cases per volunteer --------------------------------------------------------


def test_the_assign_picker_shows_open_cases_fewest_first_with_the_caseload_link(
    client_for, chair_a, volunteer_a, center_a
):
    busy = volunteer_of(volunteer_a)
    idle = make_volunteer(center_a, first_name="ว่างงาน")
    for _ in range(2):
        make_case(chair_a, volunteer_a)  # two open cases for the busy volunteer
    case = make_case(chair_a, volunteer_a)
    response = client_for(chair_a).get(reverse("cases:case_detail", args=[case.pk]))
    choices = list(response.context["assign_form"].fields["volunteers"].queryset)
    assert choices.index(idle) < choices.index(busy)
    assert {volunteer.pk: volunteer.open_cases for volunteer in choices}[busy.pk] == 3
    html = response.content.decode()
    assert "เปิดอยู่ 3 กรณี" in html and 'data-filter-list="assign-list"' in html
    assert f"{reverse('cases:caseload')}?center={case.center_id}" in html


def test_closed_cases_and_ended_assignments_do_not_count_in_the_workload(chair_a, volunteer_a):
    from asa.cases.queries import volunteers_by_workload

    closed, moved = make_case(chair_a, volunteer_a), make_case(chair_a, volunteer_a)
    busy = volunteer_of(volunteer_a)

    def open_cases() -> int:
        return {row.pk: row.open_cases for row in volunteers_by_workload(closed.center)}[busy.pk]

    assert open_cases() == 2
    actions.close_case(actor=chair_a, case=closed, outcome="resolved")
    assert open_cases() == 1
    actions.unassign_volunteer(actor=chair_a, case=moved, volunteer=busy, reason="ย้ายงาน")
    assert open_cases() == 0


# --- Name search on the household and case lists ----------------------------------------------


def test_the_household_list_is_searched_by_a_members_name_or_the_code(client_for, chair_a, chair_b):
    mine = create_household(actor=chair_a, head=make_person(chair_a, first_name="ประยงค์"))
    other = create_household(actor=chair_a, head=make_person(chair_a, first_name="บุญส่ง"))
    client = client_for(chair_a)
    url = reverse("registry:household_list")
    found = client.get(url, {"q": "ประยงค์"}).context["page_obj"]
    assert [household.pk for household in found] == [mine.pk]
    found = client.get(url, {"q": other.code.lower()}).context["page_obj"]
    assert [household.pk for household in found] == [other.pk]
    # Another center's chair finds nothing of A's by the same name.
    assert client_for(chair_b).get(url, {"q": "ประยงค์"}).context["page_obj"].paginator.count == 0


def test_the_case_list_is_searched_by_name_or_number(client_for, chair_a, volunteer_a, chair_b):
    wanted = make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name="ประยงค์"))
    make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name="บุญส่ง"))
    client = client_for(chair_a)
    url = reverse("cases:case_list")
    assert [case.pk for case in client.get(url, {"q": "ประยงค์"}).context["page_obj"]] == [wanted.pk]
    assert [case.pk for case in client.get(url, {"q": wanted.number}).context["page_obj"]] == [
        wanted.pk
    ]
    assert client_for(chair_b).get(url, {"q": "ประยงค์"}).context["page_obj"].paginator.count == 0


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context.captured_queries)


def test_searched_lists_keep_their_queries_constant(client_for, chair_a, volunteer_a):
    client = client_for(chair_a)
    cases, households = reverse("cases:case_list"), reverse("registry:household_list")

    def grow(number: int, start: int) -> None:
        for index in range(start, start + number):
            make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name=f"สมศรี{index}"))

    grow(2, 0)
    few = (_count(client, cases, q="สมศรี"), _count(client, households, q="สมศรี"))
    grow(8, 2)
    assert client.get(cases, {"q": "สมศรี"}).context["page_obj"].paginator.count == 10
    assert (_count(client, cases, q="สมศรี"), _count(client, households, q="สมศรี")) == few
