"""Output of the dashboards API: the `asa.reports.queries.Dashboard` dataclasses as JSON.

Figures are JSON numbers (hours and averages with decimals), not strings.
"""

import datetime as dt

from ninja import Schema


class AreaOut(Schema):
    level: str
    code: str
    name: str


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    end_date: dt.date
    fiscal_year_be: int | None
    label: str


class BarOut(Schema):
    key: str
    label: str
    value: int | float


class MonthBarOut(Schema):
    month: dt.date
    label: str
    opened: int
    closed: int


class TotalsOut(Schema):
    centers_active: int
    volunteers_active: int
    people_total: int
    cases_open: int
    cases_overdue: int
    equipment_on_loan: int
    centers_opened: int
    people_registered: int
    problems_reported: int
    cases_opened: int
    cases_closed: int
    visits: int
    first_visits: int
    first_visit_average_days: float | None
    referrals_sent: int
    goods_distributed: int
    volunteer_hours: float


class ChildOut(Schema):
    area: AreaOut
    centers_active: int
    volunteers_active: int
    people_total: int
    cases_open: int
    cases_overdue: int
    cases_opened: int
    cases_closed: int
    volunteer_hours: float


class DashboardOut(Schema):
    area: AreaOut
    breadcrumbs: list[AreaOut]
    period: PeriodOut
    current_as_of: dt.datetime | None
    totals: TotalsOut
    centers_opened_by_fiscal_year: list[BarOut]
    people_by_target_group: list[BarOut]
    people_by_problem: list[BarOut]
    registry_by_target_group: list[BarOut]
    first_visit_buckets: list[BarOut]
    referrals_by_outcome: list[BarOut]
    referrals_by_agency: list[BarOut]
    goods_distributed: list[BarOut]
    equipment_on_loan: list[BarOut]
    cases_by_month: list[MonthBarOut]
    children: list[ChildOut]
    district_caseload: list[BarOut]


# -- outcomes (asa.reports.outcomes) ---------------------------------------------------------


class OutcomeFigureOut(Schema):
    key: str
    label: str
    value: int | float | None
    denominator: int | None
    share: float | None  # percent, one decimal
    unit: str
    definition: str  # what it counts and what it is divided by (Thai)


class OutcomeBreakdownOut(Schema):
    key: str
    label: str
    counts: dict[str, int]  # closed cases by outcome
    total: int
    resolved: int
    share: float | None


class OutcomeProblemOut(Schema):
    key: str
    label: str
    hotline: bool
    reported: int
    resolved: int
    share: float | None


class OutcomeHouseholdOut(Schema):
    key: str
    label: str
    improved: int
    same: int
    worse: int


class OutcomePartnerOut(Schema):
    agency_id: int
    agency: str
    service_id: int
    service: str
    sent: int
    accepted: int
    completed: int
    declined: int
    late: int
    median_answer_days: float | None
    median_complete_days: float | None


class OutcomeHelpOut(Schema):
    key: str
    label: str
    cases: int
    resolved: int
    share: float | None


class OutcomeChildOut(Schema):
    area: AreaOut
    closed: int
    resolved: int
    resolved_share: float | None
    emergencies: int
    emergencies_within_24_hours: int
    households_compared: int


class OutcomesOut(Schema):
    area: AreaOut
    breadcrumbs: list[AreaOut]
    period: PeriodOut
    closed: int
    headline: list[OutcomeFigureOut]
    by_outcome: list[BarOut]
    by_target_group: list[OutcomeBreakdownOut]
    by_problem: list[OutcomeBreakdownOut]
    problems: list[OutcomeProblemOut]
    households_compared: int
    households: list[OutcomeHouseholdOut]
    show_partners: bool
    partners: list[OutcomePartnerOut]  # empty unless officers or the ministry ask
    helped_cases: int
    help_baht: float
    help_baht_per_case: float | None
    help: list[OutcomeHelpOut]
    loans: list[OutcomeHelpOut]
    children: list[OutcomeChildOut]


class PartnerScorecardOut(Schema):
    agency_id: int
    period: PeriodOut
    rows: list[OutcomePartnerOut]
