"""Dashboards over JSON: the same figures the dashboard pages show, for one area and period.

The period is `?fiscal_year=2569` (Thai fiscal year, 1 Oct 2568 – 30 Sep 2569) or
`?start=2568-10&end=2569-09` (whole months, inclusive); years are Buddhist Era, so a CE year
(2025) is refused with a 422 naming the parameter. Neither: the current fiscal year. An area
outside the caller's scope answers 403; one that does not exist, 404.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Query, Router
from ninja.renderers import JSONRenderer

from asa.lib.schemas import TextInputSchema
from asa.reports import queries
from asa.reports.models import NATION_CODE, AreaLevel
from asa.reports.schemas import DashboardOut

router = Router(tags=["dashboards"])
RENDERER = JSONRenderer()  # the API's (asa/api.py keeps django-ninja's default)


class PeriodIn(TextInputSchema):
    fiscal_year: str | None = None
    start: str | None = None
    end: str | None = None


def _json_body(dashboard) -> bytes:
    """The answer's body as django-ninja writes it: the figures cached are the JSON itself
    (turning ~1,000 bars into JSON cost more than reading the figures)."""
    data = DashboardOut.model_validate(dashboard, from_attributes=True).model_dump()
    return RENDERER.render(None, data, response_status=200).encode()


def _dashboard(request, level: str, code: str, period: PeriodIn):
    try:
        chosen = queries.parse_period(
            fiscal_year=period.fiscal_year, start=period.start, end=period.end
        )
    except queries.PeriodError as error:
        raise ValidationError({error.field: error.message}) from None
    body = queries.cached_dashboard(
        request.auth, level=level, code=code, period=chosen, kind="dashboard.json", build=_json_body
    )
    return HttpResponse(body, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")


@router.get("/dashboards/nation", response=DashboardOut)
def nation_dashboard(request, period: Query[PeriodIn]):
    """The whole country (ministry only).

    Period: `?fiscal_year=2569` (1 Oct 2568 – 30 Sep 2569) or `?start=2568-10&end=2569-09`
    (whole months); years are Buddhist Era (a CE year is a 422 naming the parameter); neither:
    the current fiscal year. Outside your scope: 403.
    """
    return _dashboard(request, AreaLevel.NATION, NATION_CODE, period)


@router.get("/dashboards/provinces/{code}", response=DashboardOut)
def province_dashboard(request, code: str, period: Query[PeriodIn]):
    """One province by DOPA code ("10" = Bangkok).

    Period: `?fiscal_year=2569` (1 Oct 2568 – 30 Sep 2569) or `?start=2568-10&end=2569-09`
    (whole months); years are Buddhist Era (a CE year is a 422 naming the parameter); neither:
    the current fiscal year. Outside your scope: 403.
    """
    return _dashboard(request, AreaLevel.PROVINCE, code, period)


@router.get("/dashboards/districts/{code}", response=DashboardOut)
def district_dashboard(request, code: str, period: Query[PeriodIn]):
    """One district by DOPA code ("1005" = Bang Khen).

    Period: `?fiscal_year=2569` (1 Oct 2568 – 30 Sep 2569) or `?start=2568-10&end=2569-09`
    (whole months); years are Buddhist Era (a CE year is a 422 naming the parameter); neither:
    the current fiscal year. Outside your scope: 403.
    """
    return _dashboard(request, AreaLevel.DISTRICT, code, period)


@router.get("/dashboards/centers/{center_id}", response=DashboardOut)
def center_dashboard(request, center_id: int, period: Query[PeriodIn]):
    """One coordination center by id.

    Period: `?fiscal_year=2569` (1 Oct 2568 – 30 Sep 2569) or `?start=2568-10&end=2569-09`
    (whole months); years are Buddhist Era (a CE year is a 422 naming the parameter); neither:
    the current fiscal year. Outside your scope: 403.
    """
    return _dashboard(request, AreaLevel.CENTER, str(center_id), period)
