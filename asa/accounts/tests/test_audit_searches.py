"""Searches and lists of people, households and cases are logged: who, what, how many, scope."""

import pytest
from django.urls import reverse

from asa.accounts.models import AuditEvent
from asa.registry.actions import register_person


@pytest.fixture
def somchai(chair_a, center_a):
    return register_person(actor=chair_a, first_name="สมชายค้นหา", last_name="ใจดี", center=center_a)


def _searches():
    return list(AuditEvent.objects.filter(action="search_records").order_by("id"))


def test_a_people_search_on_the_page_is_logged_with_text_count_and_scope(
    client_for, chair_a, center_a, somchai
):
    response = client_for(chair_a).get(reverse("registry:person_list"), {"q": "สมชายค้นหา"})
    assert response.status_code == 200
    [event] = _searches()
    assert event.actor == chair_a and event.object_type == "registry.person"
    assert event.changes == {
        "via": "page",
        "query": {"q": "สมชายค้นหา"},
        "results": 1,
        "scope": {"centers": [center_a.pk]},
    }


@pytest.mark.parametrize(
    ("url", "object_type"),
    [
        ("/people/", "registry.person"),
        ("/households/", "registry.household"),
        ("/cases/", "cases.case"),
        ("/cases/caseload/", "cases.case"),
    ],
)
def test_every_list_page_is_logged(client_for, chair_a, somchai, url, object_type):
    response = client_for(chair_a).get(url, {"page": "1"})
    assert response.status_code == 200
    [event] = _searches()
    assert event.object_type == object_type and event.changes["page"] == "1"
    assert event.changes["query"] == {} and isinstance(event.changes["results"], int)


def test_the_case_intake_search_is_logged(client_for, chair_a, somchai):
    client_for(chair_a).get("/cases/new/", {"q": "สมชายค้นหา"})
    [event] = _searches()
    assert event.changes["query"] == {"q": "สมชายค้นหา"} and event.changes["results"] == 1


@pytest.mark.parametrize(
    ("url", "object_type"),
    [
        ("/api/v1/people", "registry.person"),
        ("/api/v1/households", "registry.household"),
        ("/api/v1/cases", "cases.case"),
    ],
)
def test_every_api_list_is_logged(api_client_for, officer, somchai, url, object_type):
    body = api_client_for(officer).get(url, {"limit": 5, "offset": 0}).json()
    [event] = _searches()
    assert event.actor == officer and event.object_type == object_type
    assert event.changes["via"] == "api" and event.changes["results"] == body["count"]
    assert event.changes["scope"] == {"provinces": ["10"]}
    assert event.changes["offset"] == "0"


def test_an_api_people_search_keeps_the_search_text(api_client_for, chair_a, somchai):
    api_client_for(chair_a).get("/api/v1/people", {"q": "สมชายค้นหา", "center": somchai.center_id})
    [event] = _searches()
    assert event.changes["query"] == {"q": "สมชายค้นหา", "center": str(somchai.center_id)}
    assert event.changes["results"] == 1


def test_the_record_of_processing_says_searches_are_logged(client_for, dpo):
    page = client_for(dpo).get(reverse("privacy:ropa")).content.decode()
    assert "ทุกการค้นหาและการเปิดรายการบุคคล ครัวเรือน และกรณี" in page
    assert "คำค้นและเงื่อนไขการค้นหา" in page
