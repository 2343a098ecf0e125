"""Distribution drives over the API (issue 15: every page action has an operation): planned
through the same action as the center's drives page, by its members only."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from asa.aid import actions
from asa.aid.models import DistributionDrive
from asa.registry.actions import create_household, register_person

URL = "/api/v1/drives"


def post(client, data):
    return client.post(URL, json.dumps(data), content_type="application/json")


def household_in(center, actor, first_name):
    head = register_person(
        actor=actor,
        first_name=first_name,
        last_name="ครัวเรือนแจกของ",
        birth_date=dt.date(1948, 2, 1),
        subdistrict=center.subdistrict.code,
        check_duplicates=False,
    )
    return create_household(actor=actor, head=head)


@pytest.fixture
def household_a(chair_a, center_a):
    return household_in(center_a, chair_a, "บุญมา")


@pytest.fixture
def household_b(chair_b, center_b):
    return household_in(center_b, chair_b, "ทองดี")


def body(center, reached, **overrides) -> dict:
    data = {
        "center": center.pk,
        "title": "แจกถุงยังชีพประจำเดือนธันวาคม",
        "planned_on": str(timezone.localdate() + dt.timedelta(days=7)),
        "households": [household.pk for household in reached],
    }
    data.update(overrides)
    return data


def test_a_member_plans_a_drive_and_follows_it(api_client_for, volunteer_a, center_a, household_a):
    client = api_client_for(volunteer_a)  # members plan drives, as on the page
    response = post(client, body(center_a, [household_a]))
    assert response.status_code == 201, response.content
    drive = response.json()
    assert drive["center"]["id"] == center_a.pk and drive["household_count"] == 1
    assert drive["households"] == [
        {
            "household_id": household_a.pk,
            "code": household_a.code,
            "distribution_id": None,
            "receipt_number": None,
        }
    ]
    listed = client.get(f"{URL}?center={center_a.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == drive["id"]
    assert client.get(f"{URL}/{drive['id']}").json()["title"] == "แจกถุงยังชีพประจำเดือนธันวาคม"
    assert DistributionDrive.objects.get().households.get() == household_a


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"planned_on": "2569-01-15"}, "planned_on"),
        ({"households": [999999]}, "households"),
        ({"title": "แจก\x07ของ"}, "title"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    api_client_for, chair_a, center_a, household_a, change, field
):
    response = post(api_client_for(chair_a), body(center_a, [household_a], **change))
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not DistributionDrive.objects.exists()


def test_another_centers_household_or_center_is_refused(
    api_client_for, chair_a, chair_b, center_a, center_b, household_a, household_b, officer
):
    # A household chair_a cannot see: 422 on households (its existence is not revealed).
    response = post(api_client_for(chair_a), body(center_a, [household_b]))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "households"
    # An officer sees both, but a drive reaches only its own center's households.
    response = post(api_client_for(officer), body(center_a, [household_a, household_b]))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "households"
    # Center A's drive planned by chair_b: 422 on center.
    response = post(api_client_for(chair_b), body(center_a, []))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "center"
    assert not DistributionDrive.objects.exists()


@pytest.mark.parametrize("persona", ["chair_b", "volunteer_b", "outside_officer", "agency_user"])
def test_outsiders_neither_plan_nor_see_a_centers_drives(
    request, api_client_for, chair_a, center_a, household_a, persona
):
    drive = actions.plan_distribution_drive(
        actor=chair_a,
        center=center_a,
        title="แจกของประจำเดือน",
        planned_on=timezone.localdate(),
        households=[household_a],
    )
    client = api_client_for(request.getfixturevalue(persona))
    assert client.get(f"{URL}/{drive.pk}").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert 400 <= post(client, body(center_a, [])).status_code < 500
    assert DistributionDrive.objects.count() == 1


def test_without_a_token_it_is_401(client, center_a):
    assert client.get(URL).status_code == 401
    assert post(client, body(center_a, [])).status_code == 401


def test_the_list_takes_a_constant_number_of_queries(
    api_client_for, chair_a, center_a, django_assert_max_num_queries
):
    client = api_client_for(chair_a)
    for index in range(4):
        household = household_in(center_a, chair_a, f"ครัวเรือนที่{index}")
        actions.plan_distribution_drive(
            actor=chair_a,
            center=center_a,
            title=f"แจกของรอบที่ {index}",
            planned_on=timezone.localdate(),
            households=[household],
        )
    with django_assert_max_num_queries(12):
        assert client.get(URL).json()["count"] == 4
