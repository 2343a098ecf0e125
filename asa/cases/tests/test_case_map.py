"""The case map: open cases at their latest GPS and today's visits, never a point outside the
user's scope; the deployment's tile server when set, a plain grid when not."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asa.cases import actions, case_map
from asa.cases.tests.test_pages_cases import make_case, make_person
from asa.conftest import log_in

BANG_KHEN = (Decimal("13.873000"), Decimal("100.596000"))
SAI_MAI = (Decimal("13.919000"), Decimal("100.647000"))


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def visit(case, actor, where=BANG_KHEN, when=None):
    return actions.record_visit(
        actor=actor,
        case=case,
        visited_at=when or timezone.now() - dt.timedelta(minutes=5),
        observations="ผู้สูงอายุอยู่บ้านลำพัง",
        latitude=where[0] if where else None,
        longitude=where[1] if where else None,
    )


def points(html: str) -> dict[str, list[str]]:
    """The map's markers by kind: their aria-labels."""
    found: dict[str, list[str]] = {"case": [], "visit": []}
    for label, kind in re.findall(
        r'<a class="map-link" href="[^"]*" aria-label="([^"]*)" '
        r'data-kind="(\w+)"',
        html,
    ):
        found[kind].append(label)
    return found


@pytest.fixture
def cases(chair_a, volunteer_a, chair_b, volunteer_b):
    mine = make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name="เกษมสุข"))
    chairs = make_case(chair_a, chair_a, person=make_person(chair_a, first_name="ขวัญเรือน"))
    other = make_case(
        chair_b,
        volunteer_b,
        person=make_person(chair_b, first_name="แดงต่างศูนย์", subdistrict="100601"),
    )
    visit(mine, volunteer_a)
    visit(chairs, chair_a, where=SAI_MAI, when=timezone.now() - dt.timedelta(days=1))
    visit(other, volunteer_b)
    return {"mine": mine, "chairs": chairs, "other": other}


def test_the_chair_sees_the_centers_open_cases_and_todays_visits(client_for, chair_a, cases):
    html = client_for(chair_a).get(reverse("cases:case_map")).content.decode()
    found = points(html)
    assert len(found["case"]) == 2 and len(found["visit"]) == 1
    assert any("เกษมสุข" in label for label in found["visit"])  # visited today
    assert any("ขวัญเรือน" in label for label in found["case"])  # visited yesterday
    assert "แดงต่างศูนย์" not in html  # center B's, out of scope
    assert 'class="tile-map"' in html  # the district tile map as context


def test_a_volunteer_sees_only_their_own_cases(client_for, volunteer_a, cases):
    html = client_for(volunteer_a).get(reverse("cases:case_map")).content.decode()
    found = points(html)
    assert len(found["case"]) == 1 and "เกษมสุข" in found["case"][0]
    assert "ขวัญเรือน" not in html and "แดงต่างศูนย์" not in html


def test_another_centers_map_is_refused(client_for, chair_b, volunteer_b, cases, center_a):
    for user in (chair_b, volunteer_b):
        response = client_for(user).get(reverse("cases:case_map") + f"?center={center_a.pk}")
        assert response.status_code == 404
        assert "เกษมสุข" not in response.content.decode()


def test_an_officer_sees_every_center_of_the_area(client_for, officer, cases):
    html = client_for(officer).get(reverse("cases:case_map")).content.decode()
    found = points(html)
    assert len(found["case"]) == 3 and "แดงต่างศูนย์" in html


def test_cases_without_gps_are_counted_not_lost(client_for, chair_a, volunteer_a, cases):
    unvisited = make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name="บุญล้อมเงียบ"))
    visit(unvisited, volunteer_a, where=None, when=timezone.now() - dt.timedelta(days=1))
    html = client_for(chair_a).get(reverse("cases:case_map")).content.decode()
    assert "บุญล้อมเงียบ" not in html
    assert "มีกรณีที่ยังไม่มีพิกัดอีก 1 กรณี" in html


def test_the_query_count_stays_the_same_as_points_grow(client_for, chair_a, volunteer_a, cases):
    client = client_for(chair_a)
    client.get(reverse("cases:case_map"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("cases:case_map"))
    for name in ("กมลา", "เกศินี", "ไพรวัลย์"):
        visit(
            make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name=name)),
            volunteer_a,
        )
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("cases:case_map"))
    assert len(second) == len(first)


def test_the_deployments_tile_server_is_drawn_under_the_points(
    client_for, chair_a, cases, settings
):
    settings.ASA_MAP_TILE_URL = "https://tiles.example.go.th/osm/{z}/{x}/{y}.png"
    settings.ASA_MAP_TILE_ATTRIBUTION = "© ผู้ร่วมพัฒนา OpenStreetMap"
    response = client_for(chair_a).get(reverse("cases:case_map"))
    html = response.content.decode()
    tiles = re.findall(
        r'<image class="map-tile" href="https://tiles.example.go.th/osm/(\d+)/(\d+)/(\d+).png"',
        html,
    )
    assert tiles
    zoom, x, y = (int(value) for value in tiles[0])
    # Bang Khen is at world (0.7794, 0.4611) in Web Mercator: the tiles are of that place.
    assert zoom >= 10
    assert abs(x / 2**zoom - 0.7794) < 0.005 and abs(y / 2**zoom - 0.4611) < 0.005
    assert "https://tiles.example.go.th" in response["Content-Security-Policy"]
    assert "ผู้ร่วมพัฒนา OpenStreetMap" in html


def test_without_a_tile_server_nothing_is_fetched_from_outside(client_for, chair_a, cases):
    response = client_for(chair_a).get(reverse("cases:case_map"))
    assert "<image" not in response.content.decode()
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]


def test_the_projection_keeps_north_up_and_east_right():
    north = case_map.Point(latitude=14.0, longitude=100.5, kind="case", label="n", href="/")
    east = case_map.Point(latitude=13.8, longitude=100.7, kind="case", label="e", href="/")
    frame = case_map.frame_for([north, east])
    north_x, north_y = frame.place(north.latitude, north.longitude)
    east_x, east_y = frame.place(east.latitude, east.longitude)
    assert north_y < east_y and east_x > north_x
    for x, y in ((north_x, north_y), (east_x, east_y)):
        assert 0 <= x <= case_map.WIDTH and 0 <= y <= case_map.HEIGHT
    # The scale bar: ~30 km between these points; 5 km is the first round distance >= 80 px.
    svg = case_map.points_map([north, east], title="t")
    assert "5 กม." in svg and "<image" not in svg
    # One point alone is drawn in the middle, not at a corner.
    alone = case_map.frame_for([north])
    assert alone.place(14.0, 100.5) == pytest.approx((case_map.WIDTH / 2, case_map.HEIGHT / 2))


@pytest.mark.django_db(transaction=True)
def test_the_map_shows_a_visit_recorded_with_gps_in_a_browser(page, chair_a, volunteer_a):
    case = make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name="เกษมสุข"))
    visit(case, volunteer_a)
    log_in(page, "volunteer.a")
    page.goto("/today/")
    page.get_by_role("link", name="แผนที่กรณี").click()
    marker = page.locator('svg.point-map a[data-kind="visit"]')
    marker.wait_for()
    assert marker.count() == 1
    box = marker.bounding_box()
    assert box is not None and box["width"] > 0  # drawn, inside the map
    marker.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
