"""The dashboards API over HTTP with a bearer token."""

import pytest

from asa.reports.actions import rebuild_rollups
from asa.reports.queries import Period, PeriodError, parse_period


@pytest.fixture
def built(center_a, center_b):
    rebuild_rollups()


def test_the_ministry_reads_the_nation_for_a_fiscal_year(built, admin_user, api_client_for):
    response = api_client_for(admin_user).get("/api/v1/dashboards/nation?fiscal_year=2562")
    assert response.status_code == 200
    body = response.json()
    assert body["area"] == {"level": "nation", "code": "TH", "name": "ทั้งประเทศ"}
    assert body["period"]["start"] == "2018-10-01" and body["period"]["end_date"] == "2019-09-30"
    assert body["period"]["fiscal_year_be"] == 2562
    assert body["totals"]["centers_opened"] == 2
    assert body["centers_opened_by_fiscal_year"] == [{"key": "2562", "label": "2562", "value": 2}]
    assert [child["area"]["code"] for child in body["children"]] == ["10"]


def test_a_span_of_months_in_the_buddhist_era(built, officer, api_client_for, center_a):
    client = api_client_for(officer)
    response = client.get("/api/v1/dashboards/provinces/10?start=2562-03&end=2562-03")
    assert response.status_code == 200
    body = response.json()
    assert body["period"]["start"] == "2019-03-01" and body["period"]["fiscal_year_be"] is None
    assert body["totals"]["centers_opened"] == 2
    assert len(body["cases_by_month"]) == 1
    district = client.get("/api/v1/dashboards/districts/1005?fiscal_year=2569").json()
    assert district["breadcrumbs"][1]["code"] == "10"
    assert [child["area"]["code"] for child in district["children"]] == [str(center_a.pk)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("fiscal_year=2026", "fiscal_year"),
        ("fiscal_year=abc", "fiscal_year"),
        ("start=2025-10&end=2026-09", "start"),
        ("start=2568-13&end=2569-09", "start"),
        ("start=2568-10", "end"),
        ("start=2569-10&end=2568-09", "end"),
        ("start=2550-01&end=2569-09", "end"),
        ("fiscal_year=2569&start=2568-10&end=2569-09", "fiscal_year"),
    ],
)
def test_a_bad_period_is_a_422_naming_the_parameter(admin_user, api_client_for, query, field):
    response = api_client_for(admin_user).get(f"/api/v1/dashboards/nation?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_areas_outside_the_scope_are_refused(
    built, chair_a, chair_b, officer, outside_officer, volunteer_a, center_a, api_client_for
):
    center = f"/api/v1/dashboards/centers/{center_a.pk}"
    assert api_client_for(chair_a).get(center).status_code == 200
    assert api_client_for(chair_b).get(center).status_code == 403
    assert api_client_for(volunteer_a).get(center).status_code == 403
    assert api_client_for(chair_a).get("/api/v1/dashboards/districts/1005").status_code == 403
    assert api_client_for(officer).get("/api/v1/dashboards/nation").status_code == 403
    assert api_client_for(officer).get("/api/v1/dashboards/provinces/50").status_code == 403
    assert api_client_for(outside_officer).get("/api/v1/dashboards/provinces/10").status_code == 403
    assert api_client_for(officer).get("/api/v1/dashboards/centers/999999").status_code == 404


def test_anonymous_is_unauthenticated(client):
    assert client.get("/api/v1/dashboards/nation").status_code == 401


def test_periods():
    assert parse_period(fiscal_year="2569") == Period.fiscal_year(2569)
    assert Period.fiscal_year(2569).label == "ปีงบประมาณ 2569"
    assert len(Period.fiscal_year(2569).month_list) == 12
    assert parse_period(start="๒๕๖๘-๑๐", end="2569-01").label == "ต.ค. 2568 – ม.ค. 2569"
    with pytest.raises(PeriodError):
        parse_period(start="2568-10", end="")


def test_figures_are_json_numbers(built, admin_user, api_client_for, center_a):
    body = api_client_for(admin_user).get(f"/api/v1/dashboards/centers/{center_a.pk}").json()
    assert isinstance(body["totals"]["volunteer_hours"], (int, float))
    assert body["totals"]["first_visit_average_days"] is None
    assert body["children"] == [] and body["district_caseload"] == []
