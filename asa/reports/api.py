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
from asa.reports import outcomes as outcome_queries
from asa.reports import queries
from asa.reports.models import NATION_CODE, AreaLevel
from asa.reports.schemas import DashboardOut, OutcomesOut, PartnerScorecardOut

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


def _period(period: PeriodIn) -> queries.Period:
    try:
        return queries.parse_period(
            fiscal_year=period.fiscal_year, start=period.start, end=period.end
        )
    except queries.PeriodError as error:
        raise ValidationError({error.field: error.message}) from None


def _dashboard(request, level: str, code: str, period: PeriodIn):
    body = queries.cached_dashboard(
        request.auth,
        level=level,
        code=code,
        period=_period(period),
        kind="dashboard.json",
        build=_json_body,
    )
    return HttpResponse(body, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")


def _outcomes(request, level: str, code: str, period: PeriodIn):
    return outcome_queries.outcomes(request.auth, level=level, code=code, period=_period(period))


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


OUTCOMES_DESCRIPTION = (
    "What the help achieved in the area and period: cases closed by outcome (and by target "
    "group and problem category), median days from report to first visit and to closure, "
    "emergencies visited within 24 hours, closures reopened within 90 days, problems resolved "
    "within the fiscal year (1300-hotline categories first), the five-dimension change of "
    "households assessed twice at least 90 days apart, the One Home partner scorecard (officers "
    "and the ministry only; empty for others), and help given with the outcome of its cases. "
    "Each headline figure carries its denominator and its Thai definition. Same period "
    "parameters and refusals as the dashboard (403 outside your scope, 404 unknown area, 422 "
    "for a bad period naming the parameter)."
)


@router.get("/dashboards/nation/outcomes", response=OutcomesOut, description=OUTCOMES_DESCRIPTION)
def nation_outcomes(request, period: Query[PeriodIn]):
    """Outcomes of the whole country (ministry only)."""
    return _outcomes(request, AreaLevel.NATION, NATION_CODE, period)


@router.get(
    "/dashboards/provinces/{code}/outcomes",
    response=OutcomesOut,
    description=OUTCOMES_DESCRIPTION,
)
def province_outcomes(request, code: str, period: Query[PeriodIn]):
    """Outcomes of one province by DOPA code ("10" = Bangkok)."""
    return _outcomes(request, AreaLevel.PROVINCE, code, period)


@router.get(
    "/dashboards/districts/{code}/outcomes",
    response=OutcomesOut,
    description=OUTCOMES_DESCRIPTION,
)
def district_outcomes(request, code: str, period: Query[PeriodIn]):
    """Outcomes of one district by DOPA code ("1005" = Bang Khen)."""
    return _outcomes(request, AreaLevel.DISTRICT, code, period)


@router.get(
    "/dashboards/centers/{center_id}/outcomes",
    response=OutcomesOut,
    description=OUTCOMES_DESCRIPTION,
)
def center_outcomes(request, center_id: int, period: Query[PeriodIn]):
    """Outcomes of one coordination center by id."""
    return _outcomes(request, AreaLevel.CENTER, str(center_id), period)


@router.get("/dashboards/partners/{agency_id}", response=PartnerScorecardOut)
def partner_scorecard(request, agency_id: int, period: Query[PeriodIn]):
    """One One Home partner's scorecard, nationwide, by service: referrals sent, accepted,
    completed, declined and late, median days to answer and to complete.

    The ministry may ask for any agency; a partner agency's users for their own only (403 for
    any other, and for everyone else). Period parameters as the dashboards.
    """
    chosen = _period(period)
    rows = outcome_queries.partner_scorecard(request.auth, agency_id=agency_id, period=chosen)
    return {"agency_id": agency_id, "period": chosen, "rows": rows}
