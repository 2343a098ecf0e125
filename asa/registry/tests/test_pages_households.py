"""Household pages: list, open, members with history, five-dimension assessment."""

import pytest
from django.urls import reverse

from asa.registry.actions import add_household_member, create_household, record_household_assessment
from asa.registry.models import Household, HouseholdAssessment, HouseholdMembership
from asa.registry.tests.test_pages_people import THAWI_WATTHANA, _count, make_person

pytestmark = pytest.mark.django_db


def test_it_lists_households_in_scope(client_for, chair_a, chair_b):
    mine = create_household(actor=chair_a, head=make_person(chair_a))
    theirs = create_household(
        actor=chair_b, head=make_person(chair_b, first_name="ทวี", subdistrict=THAWI_WATTHANA)
    )
    html = client_for(chair_a).get(reverse("registry:household_list")).content.decode()
    assert mine.code in html and theirs.code not in html


def test_it_keeps_the_household_list_queries_constant(client_for, officer, chair_a):
    client = client_for(officer)
    url = reverse("registry:household_list")
    for number in range(2):
        create_household(
            actor=chair_a,
            head=make_person(chair_a, first_name=f"หัว{number}", check_duplicates=False),
        )
    few = _count(client, url)
    for number in range(2, 20):
        household = create_household(
            actor=chair_a,
            head=make_person(chair_a, first_name=f"หัว{number}", check_duplicates=False),
        )
        member = make_person(
            chair_a, first_name=f"ลูก{number}", birth_date=None, check_duplicates=False
        )
        add_household_member(
            actor=chair_a, household=household, person=member, relationship="child"
        )
    assert _count(client, url) == few


def test_it_opens_a_household_for_a_head_with_their_address(client_for, chair_a):
    head = make_person(chair_a)
    client = client_for(chair_a)
    url = reverse("registry:household_create") + f"?head={head.pk}"
    assert head.full_name in client.get(url).content.decode()
    bad = client.post(url, {"started_on": "01/01/1990"}).content.decode()
    assert "ดูเหมือนเป็นปี ค.ศ." in bad and not Household.objects.exists()
    response = client.post(url, {"started_on": "01/01/2567"})
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.head == head and household.subdistrict_id == head.subdistrict_id


def test_it_refuses_to_open_a_household_out_of_scope(client_for, chair_a, volunteer_b):
    head = make_person(chair_a)
    url = reverse("registry:household_create") + f"?head={head.pk}"
    assert client_for(volunteer_b).get(url).status_code == 404
    assert client_for(volunteer_b).post(url, {}).status_code == 404
    assert client_for(chair_a).get(reverse("registry:household_create")).status_code == 404
    assert (
        client_for(chair_a).get(reverse("registry:household_create") + "?head=x").status_code == 404
    )


def test_it_adds_and_ends_members_with_history(client_for, chair_a, volunteer_b):
    household = create_household(actor=chair_a, head=make_person(chair_a))
    child = make_person(chair_a, first_name="ลูกชาย", birth_date=None)
    client = client_for(chair_a)
    detail = reverse("registry:household_detail", args=[household.pk])
    html = client.get(detail, {"q": "ลูกชาย"}).content.decode()
    assert "เพิ่มเป็นสมาชิก" in html and "ลูกชาย" in html
    add = reverse("registry:household_add_member", args=[household.pk])
    assert (
        client_for(volunteer_b).post(add, {"person": child.pk, "relationship": "child"}).status_code
        == 404
    )
    assert client.post(add, {"person": child.pk, "relationship": "child"}).status_code == 302
    membership = HouseholdMembership.objects.get(person=child)
    end = reverse("registry:membership_end", args=[membership.pk])
    assert client_for(volunteer_b).post(end, {}).status_code == 404
    assert client.post(end, {"ended_on": "01/01/1990"}).status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on is None  # refused, with a Thai message
    assert client.post(end, {}).status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on is not None
    html = client.get(detail).content.decode()
    assert "สมาชิกที่ย้ายออกแล้ว" in html and "ลูกชาย" in html.split("สมาชิกที่ย้ายออกแล้ว")[1]


def test_it_refuses_to_add_someone_from_another_area(client_for, chair_a, chair_b):
    household = create_household(actor=chair_a, head=make_person(chair_a))
    stranger = make_person(chair_b, first_name="ทวี", subdistrict=THAWI_WATTHANA)
    add = reverse("registry:household_add_member", args=[household.pk])
    response = client_for(chair_a).post(add, {"person": stranger.pk, "relationship": "child"})
    assert response.status_code == 404
    assert not HouseholdMembership.objects.filter(person=stranger, household=household).exists()


def test_it_records_a_five_dimension_assessment(client_for, chair_a, volunteer_b):
    household = create_household(actor=chair_a, head=make_person(chair_a))
    url = reverse("registry:household_assess", args=[household.pk])
    client = client_for(chair_a)
    html = client.get(url).content.decode()
    assert "ด้านรายได้" in html and "มีน้ำสะอาดดื่มและใช้เพียงพอ" in html
    assert client_for(volunteer_b).get(url).status_code == 404
    assert "อนาคต" in client.post(url, {"assessed_on": "01/01/2700"}).content.decode()
    assert not HouseholdAssessment.objects.exists()
    data = {
        "assessed_on": "01/01/2567",
        "indicator_income_above_line": "on",
        "indicator_clean_water": "on",
        "indicator_sanitary_toilet": "on",
    }
    assert client.post(url, data).status_code == 302
    row = HouseholdAssessment.objects.get()
    assert row.income_score == 25 and row.housing_score == 50 and row.health_score == 0
    html = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "ประวัติการประเมิน 5 มิติ" in html and ">50<" in html
    person_html = client.get(reverse("registry:person_detail", args=[household.head_id]))
    assert 'value="50"' in person_html.content.decode()  # the bar of the housing dimension


def test_it_keeps_the_household_page_queries_constant(client_for, chair_a):
    household = create_household(actor=chair_a, head=make_person(chair_a))
    client = client_for(chair_a)
    url = reverse("registry:household_detail", args=[household.pk])
    record_household_assessment(actor=chair_a, household=household, indicators={})
    few = _count(client, url)
    for number in range(8):
        member = make_person(chair_a, first_name=f"สมาชิก{number}", birth_date=None)
        add_household_member(
            actor=chair_a, household=household, person=member, relationship="child"
        )
        record_household_assessment(actor=chair_a, household=household, indicators={})
    assert _count(client, url) == few


def test_it_refuses_household_pages_outside_the_scope(
    client_for, chair_a, volunteer_b, outside_officer
):
    household = create_household(actor=chair_a, head=make_person(chair_a))
    for user in (volunteer_b, outside_officer):
        client = client_for(user)
        assert (
            client.get(reverse("registry:household_detail", args=[household.pk])).status_code == 404
        )
        assert (
            client.post(reverse("registry:household_assess", args=[household.pk]), {}).status_code
            == 404
        )
