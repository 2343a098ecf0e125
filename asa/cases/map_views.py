"""The map of open cases and today's visits (see asa/cases/case_map.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from asa.accounts.access import get_for, scope_of, visible
from asa.cases import case_map, queries
from asa.cases.views import _int, _visible_centers
from asa.centers.models import Center
from asa.lib.middleware import CONTENT_SECURITY_POLICY
from asa.reports import maps

MAP_POINTS = 500  # points drawn at most of each kind; the page says when more were left out


@login_required
def case_map_page(request):
    """Open cases (at their latest GPS) and today's visits of the cases the user may read."""
    user = request.user
    cases = queries.cases_for(user)
    centers = _visible_centers(user)
    center_id = _int(request.GET.get("center"))
    own = scope_of(user).center_ids
    if center_id is None and len(own) == 1:
        center_id = next(iter(own))
    center = None
    if center_id is not None:
        center = get_for(user, visible(user, Center.objects.select_related("district")), center_id)
        cases = cases.filter(center_id=center.pk)
    today = timezone.localdate()
    located = list(
        queries.located_open_cases(cases)
        .select_related("person")
        .order_by("urgency_order", "id")[: MAP_POINTS + 1]
    )
    visits = list(
        queries.visits_with_gps_on(cases, today).select_related("case__person")[: MAP_POINTS + 1]
    )
    points = [
        case_map.Point(
            latitude=float(case.map_latitude),
            longitude=float(case.map_longitude),
            kind="case",
            label=_("กรณี %(number)s %(name)s")
            % {"number": case.number, "name": case.person.full_name},
            href=reverse("cases:case_detail", args=[case.pk]),
        )
        for case in located[:MAP_POINTS]
    ] + [
        case_map.Point(
            latitude=float(visit.latitude),
            longitude=float(visit.longitude),
            kind="visit",
            label=_("เยี่ยมวันนี้ %(time)s %(name)s")
            % {
                "time": timezone.localtime(visit.visited_at).strftime("%H:%M"),
                "name": visit.case.person.full_name,
            },
            href=reverse("cases:case_detail", args=[visit.case_id]),
        )
        for visit in visits[:MAP_POINTS]
    ]
    by_district = queries.open_cases_by_district(cases)
    tile_map = ""
    if center is not None:
        from asa.geo.models import District

        province = center.district.province_id
        names = dict(District.objects.filter(province_id=province).values_list("code", "name_th"))
        tile_map = maps.district_map(
            province,
            names,
            by_district,
            {center.district_id},
            lambda code: "",
            value_label=_("กรณีที่ยังดำเนินการ"),
        )
    tile_url = settings.ASA_MAP_TILE_URL
    context = {
        "center": center,
        "centers": list(centers[:200]),
        "center_id": center_id,
        "svg": case_map.points_map(points, title=_("แผนที่กรณีและการเยี่ยมวันนี้"), tile_url=tile_url),
        "tile_map": tile_map,
        "tile_url": tile_url,
        "tile_attribution": settings.ASA_MAP_TILE_ATTRIBUTION,
        "points": points,
        "case_count": min(len(located), MAP_POINTS),
        "visit_count": min(len(visits), MAP_POINTS),
        "more_left_out": len(located) > MAP_POINTS or len(visits) > MAP_POINTS,
        "unlocated_count": max(sum(by_district.values()) - len(located), 0),
        "today": today,
    }
    response = render(request, "cases/case_map.html", context)
    origin = case_map.tile_origin(tile_url)
    if origin:
        # The deployment's own tile server may serve the map's images; nothing else may.
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:", f"img-src 'self' data: {origin}"
        )
    return response
