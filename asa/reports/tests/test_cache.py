"""Dashboards as a cache read (asa/reports/cache.py): built once per area, period and viewer
class; a rollup refresh shows the new figure on the next request; roles never share an entry."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.cases.actions import open_case
from asa.ops import jobs
from asa.reports import cache as figures_cache
from asa.reports.actions import rebuild_rollups
from asa.reports.queries import Period, dashboard
from asa.reports.tests.test_rollups import _person

NATION = "/api/v1/dashboards/nation"
PROVINCE = "/api/v1/dashboards/provinces/10"


def _get(client, url):
    """(response, how many queries read the rollups) for one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    reads = [query for query in queries if "reports_monthlyfigure" in query["sql"]]
    return response, len(reads)


@pytest.fixture
def built(center_a, center_b):
    rebuild_rollups()


def test_a_dashboard_is_built_once_then_read_from_the_cache(built, admin_user, api_client_for):
    client = api_client_for(admin_user)
    first, built_reads = _get(client, NATION)
    assert first.status_code == 200 and built_reads > 0
    second, cached_reads = _get(client, NATION)
    assert second.status_code == 200 and cached_reads == 0
    assert second.json() == first.json()


def test_the_page_is_a_cache_read_too_and_costs_few_queries(built, admin_user, client_for):
    client = client_for(admin_user)
    assert client.get("/reports/nation/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/nation/").status_code == 200
    assert not [query for query in queries if "reports_" in query["sql"]]
    assert len(queries) <= 8, [query["sql"] for query in queries]  # session, user, menu


def test_the_scheduled_rollup_refresh_shows_the_new_figure_on_the_next_request(
    built, admin_user, chair_a, api_client_for
):
    client = api_client_for(admin_user)
    before = client.get(NATION).json()["totals"]["cases_opened"]
    _get(client, NATION)  # now cached
    person = _person(chair_a, 1, "100502")
    open_case(actor=chair_a, person=person, source="field", story="ขาดรายได้")
    # The action marked its month stale; until the refresh runs the figure is the cached one
    # (and the rollups themselves have not moved either).
    response, reads = _get(client, NATION)
    assert reads == 0 and response.json()["totals"]["cases_opened"] == before
    assert jobs.refresh_rollups(now=timezone.now())["refreshed"] >= 1  # the scheduled job
    response, reads = _get(client, NATION)
    assert reads > 0 and response.json()["totals"]["cases_opened"] == before + 1
    # The province and the center dashboards moved too (their tokens were replaced with it).
    province = client.get(PROVINCE).json()["totals"]["cases_opened"]
    assert province == before + 1


def test_an_explicit_rebuild_forgets_every_area(built, admin_user, chair_a, api_client_for):
    client = api_client_for(admin_user)
    before = client.get(PROVINCE).json()["totals"]["cases_opened"]
    open_case(actor=chair_a, person=_person(chair_a, 2, "100502"), source="field", story="x")
    assert client.get(PROVINCE).json()["totals"]["cases_opened"] == before
    rebuild_rollups()
    assert client.get(PROVINCE).json()["totals"]["cases_opened"] == before + 1


def test_a_refresh_of_one_center_keeps_the_other_provinces_cached(
    built, admin_user, chair_a, api_client_for
):
    from asa.centers.actions import open_center
    from asa.geo.models import Subdistrict

    open_center(
        actor=None,
        code="T-501001",
        name_th="ศูนย์ทดสอบเชียงใหม่",
        subdistrict=Subdistrict.objects.get(code="501001"),
        opened_on=dt.date(2020, 1, 1),
    )
    rebuild_rollups()
    client = api_client_for(admin_user)
    chiang_mai = "/api/v1/dashboards/provinces/50"
    assert client.get(chiang_mai).status_code == 200
    open_case(actor=chair_a, person=_person(chair_a, 3, "100502"), source="field", story="x")
    jobs.refresh_rollups(now=timezone.now())  # Bangkok's center only
    _, reads = _get(client, chiang_mai)
    assert reads == 0
    _, reads = _get(client, PROVINCE)
    assert reads > 0


def test_two_roles_with_different_visibility_never_share_an_entry(
    built, admin_user, officer, outside_officer, chair_a, district_officer_a, center_a,
    api_client_for,
):  # fmt: skip
    ministry, province_officer = api_client_for(admin_user), api_client_for(officer)
    assert ministry.get(PROVINCE).status_code == 200  # the ministry's entry is made
    response, reads = _get(province_officer, PROVINCE)
    assert response.status_code == 200 and reads > 0  # built again for an officer
    assert _get(province_officer, PROVINCE)[1] == 0  # and then the officer's own entry
    # Someone outside the area is refused although the figures are in the cache.
    assert api_client_for(outside_officer).get(PROVINCE).status_code == 403
    center = f"/api/v1/dashboards/centers/{center_a.pk}"
    chair, district = api_client_for(chair_a), api_client_for(district_officer_a)
    assert _get(district, center)[0].status_code == 200
    response, reads = _get(chair, center)
    assert response.status_code == 200 and reads > 0
    # The keys themselves differ by viewer class, whatever the builder.
    seen = []
    period = Period.current_fiscal_year()

    def build():
        seen.append(1)
        return {"figures": len(seen)}

    area = dashboard(admin_user, level="province", code="10", period=period).area
    for viewer in ("national", "officer", "chair", "national"):
        figures_cache.cached_figures(
            "another", area=area, period=period, viewer=viewer, build=build
        )
    assert len(seen) == 3


def test_the_language_is_part_of_the_key(built, admin_user):
    from django.utils import translation

    period = Period.current_fiscal_year()
    with translation.override("th"):
        thai = dashboard(admin_user, level="nation", code="TH", period=period)
    with translation.override("en"):
        english = dashboard(admin_user, level="nation", code="TH", period=period)
    assert thai.area.name == "ทั้งประเทศ" and english.area.name != thai.area.name
