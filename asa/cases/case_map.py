"""The center's map: open cases and today's visits as points, drawn as inline SVG.

Visits record GPS (latitude/longitude from the phone). A case is placed where its latest visit
with GPS was made; a case never visited with GPS has no point and is counted by district on the
tile-grid map beside it (asa/reports/maps.py), so it is never lost from view.

No boundary geometry of Thailand's districts and subdistricts is shipped: none is in the
packages this project can install (geothai carries codes and names, no shapes). The points are
therefore projected from their coordinates (Web Mercator) onto a plain grid, with the district
tile map as context. A deployment that runs a tile server on its own network can set
`ASA_MAP_TILE_URL` (`https://tiles.example.go.th/{z}/{x}/{y}.png`) and the tiles are drawn
under the points, with `ASA_MAP_TILE_ATTRIBUTION` credited under the map.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from asa.lib.thai import display_digits

WIDTH, HEIGHT, PADDING = 720, 480, 36
TILE_SIZE = 256
MAX_ZOOM = 18
# A single point, or points a few metres apart, get at least this span (degrees, ~1 km) so the
# map does not zoom into one house.
MIN_SPAN = 0.01


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    kind: str  # "case" (an open case, at its latest visit) or "visit" (a visit made today)
    label: str
    href: str


def _mercator(latitude: float, longitude: float) -> tuple[float, float]:
    """World coordinates in [0, 1): x east, y south."""
    latitude = max(min(latitude, 85.0), -85.0)
    x = (longitude + 180.0) / 360.0
    sine = math.sin(math.radians(latitude))
    y = 0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)
    return x, y


def as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Frame:
    """Where the world's [0, 1) square sits on the drawing: scale and offset."""

    scale: float  # drawing pixels per world unit
    left: float  # world x at the drawing's left edge
    top: float  # world y at the drawing's top edge
    zoom: int  # tile zoom whose tiles are at most 1:1 on the drawing

    def place(self, latitude: float, longitude: float) -> tuple[float, float]:
        x, y = _mercator(latitude, longitude)
        return (x - self.left) * self.scale, (y - self.top) * self.scale


def frame_for(points: list[Point]) -> Frame:
    xs, ys = zip(*(_mercator(point.latitude, point.longitude) for point in points), strict=True)
    minimum = _mercator(0, 0)[0]
    span_floor = _mercator(0, MIN_SPAN)[0] - minimum
    span_x = max(max(xs) - min(xs), span_floor)
    span_y = max(max(ys) - min(ys), span_floor)
    scale = min((WIDTH - 2 * PADDING) / span_x, (HEIGHT - 2 * PADDING) / span_y)
    center_x, center_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    zoom = max(0, min(MAX_ZOOM, math.floor(math.log2(scale / TILE_SIZE))))
    return Frame(
        scale=scale,
        left=center_x - WIDTH / 2 / scale,
        top=center_y - HEIGHT / 2 / scale,
        zoom=zoom,
    )


def _tiles(frame: Frame, template: str) -> SafeString:
    """<image> elements of the deployment's tiles that cover the drawing."""
    count = 2**frame.zoom
    size = frame.scale / count  # one tile's size on the drawing
    first_x, first_y = math.floor(frame.left * count), math.floor(frame.top * count)
    last_x = math.floor((frame.left + WIDTH / frame.scale) * count)
    last_y = math.floor((frame.top + HEIGHT / frame.scale) * count)
    images = []
    for tile_x in range(first_x, last_x + 1):
        for tile_y in range(max(first_y, 0), min(last_y, count - 1) + 1):
            href = template.format(z=frame.zoom, x=tile_x % count, y=tile_y)
            images.append(
                (
                    href,
                    round(tile_x / count * frame.scale - frame.left * frame.scale, 2),
                    round(tile_y / count * frame.scale - frame.top * frame.scale, 2),
                    round(size + 0.5, 2),
                    round(size + 0.5, 2),
                )
            )
    return format_html_join(
        "",
        '<image class="map-tile" href="{}" x="{}" y="{}" width="{}" height="{}"/>',
        images,
    )


def _grid() -> SafeString:
    lines = [(x, 0, x, HEIGHT) for x in range(0, WIDTH + 1, 60)]
    lines += [(0, y, WIDTH, y) for y in range(0, HEIGHT + 1, 60)]
    return format_html_join("", '<line class="map-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>', lines)


EARTH_CIRCUMFERENCE_KM = 40075.016686
NICE_DISTANCES_KM = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)


def _scale_bar(frame: Frame) -> SafeString:
    """A scale bar (the grid has no streets to judge distance by) and a north mark."""
    middle_y = frame.top + HEIGHT / 2 / frame.scale
    latitude = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * middle_y))))
    pixels_per_km = frame.scale / (EARTH_CIRCUMFERENCE_KM * math.cos(math.radians(latitude)))
    distance = next(
        (km for km in NICE_DISTANCES_KM if km * pixels_per_km >= 80), NICE_DISTANCES_KM[-1]
    )
    length = round(distance * pixels_per_km, 1)
    label = _("%(km)s กม.") % {"km": display_digits(f"{distance:g}")}
    x, y = 16, HEIGHT - 16
    return format_html(
        '<g class="map-scale"><path d="M{} {} v6 h{} v-6"/>'
        '<text x="{}" y="{}">{}</text>'
        '<text class="map-north" x="{}" y="28" text-anchor="middle">N ↑</text></g>',
        x,
        y - 6,
        length,
        x,
        y - 10,
        label,
        WIDTH - 24,
    )


def points_map(points: list[Point], *, title: str, tile_url: str = "") -> SafeString:
    """An SVG with one linked marker per point; empty when there is no point to draw."""
    if not points:
        return SafeString("")
    frame = frame_for(points)
    background = _tiles(frame, tile_url) if tile_url else _grid()
    markers = []
    # Cases first, so today's visits are drawn on top of them.
    for point in sorted(points, key=lambda point: point.kind != "case"):
        x, y = frame.place(point.latitude, point.longitude)
        shape = (
            format_html(
                '<circle class="map-point case" cx="{}" cy="{}" r="7"/>', round(x, 1), round(y, 1)
            )
            if point.kind == "case"
            else format_html(
                '<rect class="map-point visit" x="{}" y="{}" width="12" height="12" '
                'transform="rotate(45 {} {})"/>',
                round(x - 6, 1),
                round(y - 6, 1),
                round(x, 1),
                round(y, 1),
            )
        )
        markers.append(
            format_html(
                '<a class="map-link" href="{}" aria-label="{}" data-kind="{}">'
                "<title>{}</title>{}</a>",
                point.href,
                point.label,
                point.kind,
                point.label,
                shape,
            )
        )
    return format_html(
        '<svg class="point-map" viewBox="0 0 {} {}" role="group" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><rect class="map-sea" width="{}" height="{}"/>'
        "{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        WIDTH,
        HEIGHT,
        background,
        mark_safe("".join(markers)),  # noqa: S308 (format_html pieces)
        _scale_bar(frame),
    )


def tile_origin(tile_url: str) -> str:
    """The scheme and host of the tile server, for the page's Content-Security-Policy."""
    parts = urlsplit(tile_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
