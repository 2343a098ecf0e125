"""What one record read costs (issue 19): the detail pages and API reads in queries, counted
exactly so that a new query is a decision. The audit event is written in the request; its
sealing is not (asa/accounts/audit.py), and whether the reader may write comes with the record
(access.with_write_flag), not from a second query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asa.cases.actions import open_case
from asa.registry.actions import create_household
from asa.registry.tests.test_api_registry import person

REASON = {"X-Access-Reason": "complaint review"}


def _count(client, url, headers=None) -> int:
    client.get(url, headers=headers or {})  # warm: session, token, reference caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.fixture
def records(chair_a):
    someone = person(chair_a, id_type="national_id", id_number="1103702071811")
    household = create_household(actor=chair_a, head=someone)
    case = open_case(actor=chair_a, person=someone, source="field", story="ขาดรายได้")
    return someone, household, case


def test_one_person_over_the_api(records, api_client_for, chair_a, district_officer_a):
    someone, _household, _case = records
    url = f"/api/v1/people/{someone.pk}"
    # token, person (with the write flag), target groups, problems, household, the event
    assert _count(api_client_for(chair_a), url) == 6
    # + the officer's reason on record (out of routine)
    assert _count(api_client_for(district_officer_a), url, REASON) == 7


def test_one_case_over_the_api(records, api_client_for, chair_a):
    _someone, _household, case = records
    assert _count(api_client_for(chair_a), f"/api/v1/cases/{case.pk}") == QUERIES["case_api"]


# Measured on both databases; the pages include the session, the user, the scope, the menu's
# unread count and the session save around the request (about 7 of each page's queries).
# The household page: 16 since it shows every center's help to the members (outcomes, issue 20).
QUERIES = {"case_api": 6, "person_page": 23, "household_page": 16, "case_page": 23}


def test_the_detail_pages(records, client_for, chair_a):
    someone, household, case = records
    client = client_for(chair_a)
    counts = {
        "person_page": _count(client, f"/people/{someone.pk}/"),
        "household_page": _count(client, f"/households/{household.pk}/"),
        "case_page": _count(client, f"/cases/{case.pk}/"),
    }
    assert counts == {key: QUERIES[key] for key in counts}
