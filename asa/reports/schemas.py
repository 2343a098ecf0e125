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
