"""Reads of the reports app: the dashboard of one area for one period, from the rollup tables.

Contract (pages, API and exports all build on it)
-------------------------------------------------
`dashboard(user, *, level, code, period) -> Dashboard` — raises `PermissionDenied` when the area
is outside the user's scope and `Http404` when it does not exist. A constant number of queries
(about ten) whatever the size of the area: every figure is read from `MonthlyFigure` /
`CurrentFigure`, never counted from the base tables in a request.

* `level` is an `AreaLevel` value: "nation" (code "TH"), "province" (DOPA code, "10" =
  Bangkok), "district" (DOPA code, "1005" = Bang Khen) or "center" (the center id as text).
* `period` is a `Period` (whole months, inclusive): `Period.fiscal_year(2569)` is 1 Oct 2568 –
  30 Sep 2569 (BE); `Period.months(start, end)` any span of months; `parse_period(...)` reads
  the API's/pages' `fiscal_year=2569` or `start=2568-10&end=2569-09` (years in BE).
* `default_area(user)` answers the (level, code) a user lands on: the nation for the ministry,
  the province or district of an officer, the chair's or volunteer's center.

`Dashboard` (dataclass), in the order a page shows it:
    area: AreaRef(level, code, name)           the area shown
    breadcrumbs: list[AreaRef]                 nation → province → district → center (parents)
    period: Period                             .start, .end (first days of months), .label (Thai)
    current_as_of: datetime | None             when the stock figures were computed
    totals: Totals                             the headline figures (ints / Decimals, see below)
    centers_opened_by_fiscal_year: list[Bar]   all time, key = "2560", one per BE fiscal year
    people_by_target_group: list[Bar]          registered in the period, by target group
    people_by_problem: list[Bar]               problems first reported in the period, by type
    registry_by_target_group: list[Bar]        everyone in the registry now, by target group
    first_visit_buckets: list[Bar]             cases first visited in the period, by days from
                                               intake: "1" ≤1 day, "3" ≤3, "7" ≤7, "more" >7
    referrals_by_outcome: list[Bar]            referrals sent in the period, by current status
    referrals_by_agency: list[Bar]             the same, by agency (top 10 + "other")
    goods_distributed: list[Bar]               quantity given out in the period, by item
    equipment_on_loan: list[Bar]               pieces out on loan now, by item
    cases_by_month: list[MonthBar]             opened and closed per month of the period
    children: list[ChildRow]                   the areas one level down with key figures
                                               (drill-down table; empty for a center)
    district_caseload: list[Bar]               open cases now per district inside the area (the
                                               map), key = district code; [] for a center

`Totals`: centers_active, volunteers_active, people_total, cases_open, cases_overdue,
equipment_on_loan (stock, now); centers_opened, people_registered, problems_reported,
cases_opened, cases_closed, visits, first_visits, first_visit_average_days (Decimal | None),
referrals_sent, goods_distributed, volunteer_hours (Decimal) (flows, in the period).

`Bar`: key (code), label (Thai or English name), value (int or Decimal).
`MonthBar`: month (date, first day), label (Thai month BE, e.g. "ต.ค. 68"), opened, closed.
`ChildRow`: area (AreaRef), volunteers_active, people_total, cases_open, cases_overdue,
cases_opened, cases_closed, volunteer_hours.

Freshness: monthly figures of a center-month are recomputed by the refresh task after any action
that changes them (`asa.reports.actions.mark_rollups_stale`); stock figures of a center on the
same refresh, and for every center by `asa rollups current` (run nightly: "overdue" moves with the
calendar, not with writes). `asa rollups rebuild` recomputes everything from the base tables.
"""
