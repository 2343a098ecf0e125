"""Schematic tile-grid maps (แผนที่แบบตาราง) of provinces and districts, as inline SVG.

The project holds no boundary geometry (geothai has codes and names) and a ministry network may
have no internet, so there are no map tiles: each area is one square on a grid that keeps its
rough place — Thailand's 77 provinces with the north at the top, Bangkok at the foot of the
central plain and the southern peninsula running down the left; Bangkok's 50 districts with the
Thonburi side on the left of the river. Other provinces' districts sit in a compact grid in the
order of their DOPA codes (a list, not a map, and the legend says so).

Tiles are coloured by caseload in a few sequential classes (CSS classes `level-0` … `level-4`
in `asa/static/reports/reports.css`), a ring marks an area with a coordination center, and each
tile links to its drill-down page.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from asa.lib.thai import display_digits

# (column, row) of every province, DOPA code → position.
PROVINCE_TILES: dict[str, tuple[int, int]] = {
    # North
    "57": (2, 0),
    "58": (0, 1),
    "50": (1, 1),
    "56": (2, 1),
    "55": (3, 1),
    "51": (1, 2),
    "52": (2, 2),
    "54": (3, 2),
    "63": (1, 3),
    "64": (2, 3),
    "53": (3, 3),
    "62": (1, 4),
    "66": (2, 4),
    "65": (3, 4),
    "67": (4, 4),
    "61": (1, 5),
    "60": (2, 5),
    # Northeast (Isan)
    "43": (6, 2),
    "38": (7, 2),
    "42": (4, 3),
    "39": (5, 3),
    "41": (6, 3),
    "47": (7, 3),
    "48": (8, 3),
    "40": (5, 4),
    "46": (6, 4),
    "49": (8, 4),
    "36": (4, 5),
    "44": (5, 5),
    "45": (6, 5),
    "35": (7, 5),
    "37": (8, 5),
    "30": (5, 6),
    "31": (6, 6),
    "32": (7, 6),
    "33": (8, 6),
    "34": (9, 6),
    # Central plain, west and east
    "18": (2, 6),
    "17": (3, 6),
    "16": (4, 6),
    "71": (0, 7),
    "72": (1, 7),
    "15": (2, 7),
    "14": (3, 7),
    "19": (4, 7),
    "26": (5, 7),
    "25": (6, 7),
    "27": (7, 7),
    "70": (0, 8),
    "73": (1, 8),
    "12": (2, 8),
    "13": (3, 8),
    "24": (4, 8),
    "75": (0, 9),
    "74": (1, 9),
    "10": (2, 9),
    "11": (3, 9),
    "20": (4, 9),
    "76": (0, 10),
    "21": (4, 10),
    "22": (5, 10),
    "23": (6, 10),
    # South: the peninsula
    "77": (0, 11),
    "85": (0, 12),
    "86": (1, 12),
    "82": (0, 13),
    "84": (1, 13),
    "83": (0, 14),
    "81": (1, 14),
    "80": (2, 14),
    "92": (1, 15),
    "93": (2, 15),
    "91": (1, 16),
    "90": (2, 16),
    "94": (3, 16),
    "95": (2, 17),
    "96": (3, 17),
}

# (column, row) of Bangkok's 50 districts: Thonburi side in columns 0–2, the river between
# them and the old city in column 3, the eastern districts out to Nong Chok in column 8.
BANGKOK_DISTRICT_TILES: dict[str, tuple[int, int]] = {
    "1036": (4, 0),  # Don Mueang
    "1042": (5, 0),  # Sai Mai
    "1041": (4, 1),  # Lak Si
    "1005": (5, 1),  # Bang Khen
    "1046": (6, 1),  # Khlong Sam Wa
    "1029": (3, 2),  # Bang Sue
    "1030": (4, 2),  # Chatuchak
    "1038": (5, 2),  # Lat Phrao
    "1043": (6, 2),  # Khan Na Yao
    "1010": (7, 2),  # Min Buri
    "1003": (8, 2),  # Nong Chok
    "1048": (0, 3),  # Thawi Watthana
    "1019": (1, 3),  # Taling Chan
    "1025": (2, 3),  # Bang Phlat
    "1002": (3, 3),  # Dusit
    "1014": (4, 3),  # Phaya Thai
    "1026": (5, 3),  # Din Daeng
    "1045": (6, 3),  # Wang Thonglang
    "1027": (7, 3),  # Bueng Kum
    "1040": (0, 4),  # Bang Khae
    "1022": (1, 4),  # Phasi Charoen
    "1020": (2, 4),  # Bangkok Noi
    "1001": (3, 4),  # Phra Nakhon
    "1037": (4, 4),  # Ratchathewi
    "1017": (5, 4),  # Huai Khwang
    "1006": (6, 4),  # Bang Kapi
    "1044": (7, 4),  # Saphan Sung
    "1011": (8, 4),  # Lat Krabang
    "1023": (0, 5),  # Nong Khaem
    "1015": (1, 5),  # Thon Buri
    "1016": (2, 5),  # Bangkok Yai
    "1008": (3, 5),  # Pom Prap Sattru Phai
    "1007": (4, 5),  # Pathum Wan
    "1039": (5, 5),  # Vadhana
    "1034": (6, 5),  # Suan Luang
    "1032": (7, 5),  # Prawet
    "1050": (0, 6),  # Bang Bon
    "1035": (1, 6),  # Chom Thong
    "1018": (2, 6),  # Khlong San
    "1013": (3, 6),  # Samphanthawong
    "1004": (4, 6),  # Bang Rak
    "1033": (5, 6),  # Khlong Toei
    "1009": (6, 6),  # Phra Khanong
    "1047": (7, 6),  # Bang Na
    "1021": (0, 7),  # Bang Khun Thian
    "1024": (1, 7),  # Rat Burana
    "1031": (3, 7),  # Bang Kho Laem
    "1028": (4, 7),  # Sathon
    "1012": (5, 7),  # Yan Nawa
    "1049": (1, 8),  # Thung Khru
}

TILE = 58  # side of a tile, in SVG units
GAP = 4
CLASSES = 5  # level-0 (none) … level-4 (most)
DISTRICT_PREFIXES = ("เขต", "อำเภอ")
GLYPH_WIDTH = 6  # average advance of a Thai letter at the tiles' 10px, in SVG units
THAI_COMBINING = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a") | frozenset(
    chr(code) for code in range(0x0E47, 0x0E4F)
)


@dataclass(frozen=True)
class Area:
    """One area to draw: its code, Thai name, figure, whether it has a center, its link."""

    code: str
    name: str
    value: float
    has_center: bool = False
    href: str = ""


def compact_grid(codes: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Positions for areas without a hand-made layout: a near-square grid in code order."""
    ordered = sorted(codes)
    columns = max(1, math.ceil(math.sqrt(len(ordered))))
    return {code: (index % columns, index // columns) for index, code in enumerate(ordered)}


def layout_for_districts(province_code: str, codes: Iterable[str]) -> dict[str, tuple[int, int]]:
    codes = list(codes)
    if province_code == "10":
        return {
            code: BANGKOK_DISTRICT_TILES[code] for code in codes if code in BANGKOK_DISTRICT_TILES
        }
    return compact_grid(codes)


def class_breaks(values: Iterable[float]) -> list[float]:
    """Upper bounds of classes 1…4: equal steps up to the largest value (0 is class 0)."""
    top = max([float(value) for value in values] + [0.0])
    if top <= 0:
        return [1.0, 2.0, 3.0, 4.0]
    # Whole numbers, since caseloads are counts; never two classes with one bound.
    steps = [max(1.0, math.ceil(top * index / (CLASSES - 1))) for index in range(1, CLASSES)]
    for index in range(1, len(steps)):
        steps[index] = max(steps[index], steps[index - 1] + 1)
    return steps


def class_of(value: float, breaks: list[float]) -> int:
    if value <= 0:
        return 0
    for index, bound in enumerate(breaks, start=1):
        if value <= bound:
            return index
    return CLASSES - 1


def short_name(name: str) -> str:
    for prefix in DISTRICT_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :].strip()
    return name


def visible_length(text: str) -> int:
    """Characters that take width: Thai vowels above and below and tone marks take none."""
    return sum(1 for char in text if char not in THAI_COMBINING)


def _count(value) -> str:
    return display_digits(f"{int(value):,}")


def tile_map(
    areas: Iterable[Area],
    layout: Mapping[str, tuple[int, int]],
    *,
    title: str,
    value_label: str,
) -> SafeString:
    """The SVG of a tile map: one linked, coloured square per area, and the legend under it."""
    areas = [area for area in areas if area.code in layout]
    if not areas:
        return SafeString("")
    breaks = class_breaks(area.value for area in areas)
    columns = max(layout[area.code][0] for area in areas) + 1
    rows = max(layout[area.code][1] for area in areas) + 1
    width = max(columns * (TILE + GAP), 5 * 96)
    map_height = rows * (TILE + GAP)
    legend_y = map_height + 12
    height = legend_y + 64
    tiles = []
    for area in areas:
        column, row = layout[area.code]
        x, y = column * (TILE + GAP), row * (TILE + GAP)
        label = short_name(area.name)
        # Long Thai names are squeezed to the tile's width rather than cut.
        fit = format_html(' textLength="{}" lengthAdjust="spacingAndGlyphs"', TILE - 6)
        center_mark = (
            format_html('<circle class="center-mark" cx="{}" cy="{}" r="5"/>', x + TILE - 9, y + 9)
            if area.has_center
            else ""
        )
        description = _("{name}: {label} {value}{center}").format(
            name=area.name,
            label=value_label,
            value=_count(area.value),
            center=(" · " + _("มีศูนย์ประสานงาน")) if area.has_center else "",
        )
        shape = format_html(
            '<rect class="tile level-{}" x="{}" y="{}" width="{}" height="{}" rx="4"/>{}'
            '<text class="tile-name" x="{}" y="{}" text-anchor="middle"{}>{}</text>'
            '<text class="tile-value" x="{}" y="{}" text-anchor="middle">{}</text>',
            class_of(area.value, breaks),
            x,
            y,
            TILE,
            TILE,
            center_mark,
            x + TILE / 2,
            y + TILE / 2 - 2,
            fit if visible_length(label) * GLYPH_WIDTH > TILE - 6 else "",
            label,
            x + TILE / 2,
            y + TILE / 2 + 16,
            _count(area.value),
        )
        if area.href:
            tiles.append(
                format_html(
                    '<a class="tile-link tile-group" href="{}" aria-label="{}"><title>{}</title>'
                    "{}</a>",
                    area.href,
                    description,
                    description,
                    shape,
                )
            )
        else:
            tiles.append(
                format_html('<g class="tile-group"><title>{}</title>{}</g>', description, shape)
            )
    legend = _legend(breaks, y=legend_y, value_label=value_label)
    return format_html(
        '<svg class="tile-map" viewBox="0 0 {} {}" role="group" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}{}</svg>',
        width,
        height,
        title,
        mark_safe("".join(tiles)),  # noqa: S308 (format_html pieces)
        legend,
    )


def _legend(breaks: list[float], *, y: int, value_label: str) -> SafeString:
    ranges = [(0, 0)]
    lower = 1
    for bound in breaks:
        ranges.append((lower, int(bound)))
        lower = int(bound) + 1
    entries = []
    for index, (low, high) in enumerate(ranges):
        if index == 0:
            text = _("ไม่มี")
        elif index == len(ranges) - 1:
            text = display_digits(f"{low:,}+") if high > low else display_digits(f"{low:,}")
        elif low == high:
            text = display_digits(f"{low:,}")
        else:
            text = display_digits(f"{low:,}–{high:,}")
        entries.append((index, index * 96, y + 20, index * 96 + 24, y + 32, text))
    body = format_html_join(
        "",
        '<rect class="tile level-{}" x="{}" y="{}" width="18" height="18" rx="3"/>'
        '<text class="legend" x="{}" y="{}">{}</text>',
        entries,
    )
    return format_html(
        '<g class="map-legend"><text class="legend-title" x="0" y="{}">{}</text>{}'
        '<circle class="center-mark" cx="9" cy="{}" r="5"/>'
        '<text class="legend" x="24" y="{}">{}</text></g>',
        y + 8,
        value_label,
        body,
        y + 52,
        y + 56,
        _("มีศูนย์ประสานงาน"),
    )


def province_map(
    values: Mapping[str, float],
    names: Mapping[str, str],
    centers: set[str],
    href: Callable[[str], str],
    *,
    value_label: str,
) -> SafeString:
    """Every province of Thailand, coloured by `values` (province code → figure)."""
    areas = [
        Area(
            code=code,
            name=names.get(code, code),
            value=float(values.get(code, 0)),
            has_center=code in centers,
            href=href(code),
        )
        for code in PROVINCE_TILES
    ]
    return tile_map(areas, PROVINCE_TILES, title=_("แผนที่แบบตาราง: จังหวัด"), value_label=value_label)


def district_map(
    province_code: str,
    names: Mapping[str, str],
    values: Mapping[str, float],
    centers: set[str],
    href: Callable[[str], str],
    *,
    value_label: str,
) -> SafeString:
    """The districts of one province (`names`: district code → Thai name)."""
    layout = layout_for_districts(province_code, names)
    areas = [
        Area(
            code=code,
            name=name,
            value=float(values.get(code, 0)),
            has_center=code in centers,
            href=href(code),
        )
        for code, name in names.items()
    ]
    return tile_map(areas, layout, title=_("แผนที่แบบตาราง: เขต/อำเภอ"), value_label=value_label)
