"""The schematic tile maps: every province and Bangkok district placed once, coloured, linked."""

import geothai
import pytest

from asa.reports.maps import (
    BANGKOK_DISTRICT_TILES,
    PROVINCE_TILES,
    Area,
    class_breaks,
    class_of,
    compact_grid,
    district_map,
    province_map,
    short_name,
    tile_map,
)


def test_every_province_has_its_own_tile():
    codes = {str(province.code) for province in geothai.provinces()}
    assert len(codes) == 77
    assert set(PROVINCE_TILES) == codes
    assert len(set(PROVINCE_TILES.values())) == 77


def test_the_map_keeps_thailand_roughly_in_shape():
    chiang_rai, bangkok, narathiwat = (
        PROVINCE_TILES["57"],
        PROVINCE_TILES["10"],
        PROVINCE_TILES["96"],
    )
    ubon = PROVINCE_TILES["34"]
    assert chiang_rai[1] < bangkok[1] < narathiwat[1]  # north at the top, the south at the foot
    assert ubon[0] > bangkok[0]  # Isan to the east


def test_every_bangkok_district_has_its_own_tile():
    codes = {str(district.code) for district in geothai.districts("10")}
    assert len(codes) == 50
    assert set(BANGKOK_DISTRICT_TILES) == codes
    assert len(set(BANGKOK_DISTRICT_TILES.values())) == 50
    # Thonburi's Thawi Watthana west of the river, Nong Chok at the eastern edge.
    assert BANGKOK_DISTRICT_TILES["1048"][0] < BANGKOK_DISTRICT_TILES["1001"][0]
    assert BANGKOK_DISTRICT_TILES["1003"][0] == max(x for x, _ in BANGKOK_DISTRICT_TILES.values())


def test_other_provinces_districts_sit_in_a_compact_grid_in_code_order():
    layout = compact_grid(["5003", "5001", "5002", "5004", "5005"])
    assert layout["5001"] == (0, 0)
    assert layout["5003"] == (2, 0)
    assert layout["5004"] == (0, 1)
    assert len(set(layout.values())) == 5


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 0), (1, 1), (5, 1), (6, 2), (15, 3), (16, 4), (20, 4)]
)
def test_caseloads_fall_into_sequential_classes(value, expected):
    breaks = class_breaks([0, 3, 20])
    assert breaks == [5.0, 10.0, 15.0, 20.0]
    assert class_of(value, breaks) == expected


def test_small_counts_still_get_distinct_classes():
    assert class_breaks([1]) == [1.0, 2.0, 3.0, 4.0]
    assert class_breaks([]) == [1.0, 2.0, 3.0, 4.0]


def test_district_names_drop_their_prefix_on_a_tile():
    assert short_name("เขตบางเขน") == "บางเขน"
    assert short_name("อำเภอเมืองเชียงใหม่") == "เมืองเชียงใหม่"
    assert short_name("กรุงเทพมหานคร") == "กรุงเทพมหานคร"


def test_the_province_map_links_each_tile_and_marks_centers():
    svg = str(
        province_map(
            {"10": 32, "50": 4},
            {"10": "กรุงเทพมหานคร", "50": "เชียงใหม่"},
            {"10"},
            lambda code: f"/reports/provinces/{code}/",
            value_label="กรณีที่ยังดำเนินการ",
        )
    )
    assert svg.count('class="tile-link tile-group"') == 77
    assert 'href="/reports/provinces/10/"' in svg
    assert svg.count('class="center-mark"') == 2  # Bangkok's tile and the legend
    assert "กรุงเทพมหานคร: กรณีที่ยังดำเนินการ 32 · มีศูนย์ประสานงาน" in svg
    assert 'class="tile level-4"' in svg  # the largest caseload, darkest
    assert "style=" not in svg and "<script" not in svg


def test_the_bangkok_district_map_uses_the_hand_made_layout():
    names = {str(d.code): d.name_th for d in geothai.districts("10")}
    svg = str(
        district_map(
            "10",
            names,
            {"1005": 21, "1048": 11},
            {"1005", "1048"},
            lambda code: f"/reports/districts/{code}/",
            value_label="กรณี",
        )
    )
    assert svg.count("<a ") == 50
    assert ">บางเขน<" in svg  # the prefix เขต dropped on the tile
    assert 'href="/reports/districts/1005/"' in svg


def test_a_map_without_areas_is_empty():
    assert str(tile_map([Area("99", "x", 1)], {}, title="t", value_label="v")) == ""
