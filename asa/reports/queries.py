"""Reads of the reports app: the dashboard of one area for one period, from the rollup tables.

Contract (pages, API and exports all build on it)
-------------------------------------------------
`dashboard(user, *, level, code, period) -> Dashboard` — raises `PermissionDenied` when the area
is outside the user's scope and `Http404` when it does not exist. A constant number of queries
(about ten) whatever the size of the area: every figure is read from `MonthlyFigure` /
`CurrentFigure`, never counted from the base tables in a request — and usually none but the
access check: the built figures are cached per area, period and viewer class until a rollup
refresh touches the area (asa/reports/cache.py; a new builder is wrapped the same way).

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
`ChildRow`: area (AreaRef), centers_active, volunteers_active, people_total, cases_open,
cases_overdue, cases_opened, cases_closed, volunteer_hours.

Freshness: monthly figures of a center-month are recomputed by the refresh task after any action
that changes them (`asa.reports.actions.mark_rollups_stale`); stock figures of a center on the
same refresh, and for every center by `asa rollups current` (run nightly: "overdue" moves with the
calendar, not with writes). `asa rollups rebuild` recomputes everything from the base tables.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from asa.accounts.access import scope_of
from asa.lib.thai import THAI_MONTHS_SHORT, be_year, fiscal_year_be
from asa.reports.cache import cached_figures
from asa.reports.models import NATION_CODE, AreaLevel, CurrentFigure, MonthlyFigure

CHILD_LEVEL = {
    AreaLevel.NATION: AreaLevel.PROVINCE,
    AreaLevel.PROVINCE: AreaLevel.DISTRICT,
    AreaLevel.DISTRICT: AreaLevel.CENTER,
}
# Time from report to first visit in elapsed days (24 hours each), as the average beside the
# chart is: a visit 26 hours after the report is 1.1 days, so it sits in "more than 1 to 3".
FIRST_VISIT_BUCKETS = [
    ("1", _("ภายใน 1 วัน")),
    ("3", _("มากกว่า 1 ถึง 3 วัน")),
    ("7", _("มากกว่า 3 ถึง 7 วัน")),
    ("more", _("เกิน 7 วัน")),
]
TOP_AGENCIES = 10


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_label(month: dt.date) -> str:
    """ต.ค. 68 — a month in the Buddhist Era, short enough for a chart axis."""
    return f"{THAI_MONTHS_SHORT[month.month - 1]} {str(be_year(month.year))[-2:]}"


@dataclass(frozen=True)
class Period:
    """Whole months, inclusive: `start` and `end` are the first days of the first and last."""

    start: dt.date
    end: dt.date

    @classmethod
    def fiscal_year(cls, year_be: int) -> "Period":
        year = year_be - 543
        return cls(dt.date(year - 1, 10, 1), dt.date(year, 9, 1))

    @classmethod
    def months(cls, start: dt.date, end: dt.date) -> "Period":
        return cls(start.replace(day=1), end.replace(day=1))

    @classmethod
    def current_fiscal_year(cls, today: dt.date | None = None) -> "Period":
        from django.utils import timezone

        return cls.fiscal_year(fiscal_year_be(today or timezone.localdate()))

    @property
    def fiscal_year_be(self) -> int | None:
        """The BE fiscal year when the period is exactly one, else None."""
        year = fiscal_year_be(self.start)
        return year if self == Period.fiscal_year(year) else None

    @property
    def month_list(self) -> list[dt.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = _add_months(month, 1)
        return months

    @property
    def end_date(self) -> dt.date:
        """The last day of the period."""
        return _add_months(self.end, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.fiscal_year_be:
            return f"{_('ปีงบประมาณ')} {self.fiscal_year_be}"
        first = f"{THAI_MONTHS_SHORT[self.start.month - 1]} {be_year(self.start.year)}"
        last = f"{THAI_MONTHS_SHORT[self.end.month - 1]} {be_year(self.end.year)}"
        return first if self.start == self.end else f"{first} – {last}"


MAXIMUM_MONTHS = 120  # ten years: a longer span is a typo, and bounds the rows a request reads


class PeriodError(ValueError):
    """A period the caller asked for that cannot be read; `field` names the parameter."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _parse_month(text: str, field: str) -> dt.date:
    from asa.lib.thai import to_arabic_digits

    parts = to_arabic_digits(str(text or "")).strip().split("-")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise PeriodError(field, "รูปแบบเดือนต้องเป็น ปปปป-ดด ปีพุทธศักราช เช่น 2568-10")
    year, month = int(parts[0]), int(parts[1])
    if year < 2400:
        raise PeriodError(field, "กรุณาใช้ปีพุทธศักราช (เช่น 2568 ไม่ใช่ 2025)")
    if not 1 <= month <= 12:
        raise PeriodError(field, "เดือนต้องอยู่ระหว่าง 01 ถึง 12")
    return dt.date(year - 543, month, 1)


def parse_period(
    *, fiscal_year: int | str | None = None, start: str | None = None, end: str | None = None
) -> Period:
    """Read `fiscal_year=2569` or `start=2568-10&end=2569-09` (Buddhist Era); neither: this FY.

    Raises PeriodError naming the parameter at fault.
    """
    if fiscal_year not in (None, ""):
        if start or end:
            raise PeriodError("fiscal_year", "ระบุปีงบประมาณ หรือช่วงเดือน อย่างใดอย่างหนึ่ง")
        text = str(fiscal_year).strip()
        if not text.isdigit():
            raise PeriodError("fiscal_year", "ปีงบประมาณต้องเป็นตัวเลขปีพุทธศักราช เช่น 2569")
        year = int(text)
        if year < 2400:
            raise PeriodError("fiscal_year", "กรุณาใช้ปีพุทธศักราช (เช่น 2569 ไม่ใช่ 2026)")
        if year > 2700:
            raise PeriodError("fiscal_year", "ปีงบประมาณไม่ถูกต้อง")
        return Period.fiscal_year(year)
    if not start and not end:
        return Period.current_fiscal_year()
    if not start:
        raise PeriodError("start", "กรุณาระบุเดือนเริ่มต้น")
    if not end:
        raise PeriodError("end", "กรุณาระบุเดือนสิ้นสุด")
    first, last = _parse_month(start, "start"), _parse_month(end, "end")
    if last < first:
        raise PeriodError("end", "เดือนสิ้นสุดต้องไม่ก่อนเดือนเริ่มต้น")
    period = Period.months(first, last)
    if len(period.month_list) > MAXIMUM_MONTHS:
        raise PeriodError("end", f"ช่วงเวลายาวได้ไม่เกิน {MAXIMUM_MONTHS} เดือน")
    return period


@dataclass(frozen=True)
class AreaRef:
    level: str
    code: str
    name: str


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: int | Decimal


@dataclass(frozen=True)
class MonthBar:
    month: dt.date
    label: str
    opened: int
    closed: int


@dataclass
class Totals:
    centers_active: int = 0
    volunteers_active: int = 0
    people_total: int = 0
    cases_open: int = 0
    cases_overdue: int = 0
    equipment_on_loan: int = 0
    centers_opened: int = 0
    people_registered: int = 0
    problems_reported: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    visits: int = 0
    first_visits: int = 0
    first_visit_average_days: Decimal | None = None
    referrals_sent: int = 0
    goods_distributed: int = 0
    volunteer_hours: Decimal = Decimal(0)


@dataclass
class ChildRow:
    area: AreaRef
    centers_active: int = 0
    volunteers_active: int = 0
    people_total: int = 0
    cases_open: int = 0
    cases_overdue: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    volunteer_hours: Decimal = Decimal(0)


@dataclass
class Dashboard:
    area: AreaRef
    breadcrumbs: list[AreaRef]
    period: Period
    current_as_of: dt.datetime | None
    totals: Totals
    centers_opened_by_fiscal_year: list[Bar] = field(default_factory=list)
    people_by_target_group: list[Bar] = field(default_factory=list)
    people_by_problem: list[Bar] = field(default_factory=list)
    registry_by_target_group: list[Bar] = field(default_factory=list)
    first_visit_buckets: list[Bar] = field(default_factory=list)
    referrals_by_outcome: list[Bar] = field(default_factory=list)
    referrals_by_agency: list[Bar] = field(default_factory=list)
    goods_distributed: list[Bar] = field(default_factory=list)
    equipment_on_loan: list[Bar] = field(default_factory=list)
    cases_by_month: list[MonthBar] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    district_caseload: list[Bar] = field(default_factory=list)


# -- areas and scope -------------------------------------------------------------------------


def _nation() -> AreaRef:
    return AreaRef(AreaLevel.NATION, NATION_CODE, str(_("ทั้งประเทศ")))


def resolve_area(level: str, code: str):
    """(AreaRef, breadcrumbs, (province code, district code, center id)); Http404 if unknown.

    One query (none for the nation).
    """
    from asa.centers.models import Center
    from asa.geo.models import District, Province

    nation = _nation()
    code = str(code)
    if level == AreaLevel.NATION and code == NATION_CODE:
        return nation, [], (None, None, None)
    if level == AreaLevel.PROVINCE:
        province = Province.objects.filter(code=code).first()
        if province is None:
            raise Http404
        return AreaRef(level, code, province.name), [nation], (code, None, None)
    if level == AreaLevel.DISTRICT:
        district = District.objects.select_related("province").filter(code=code).first()
        if district is None:
            raise Http404
        province = district.province
        return (
            AreaRef(level, code, district.name),
            [nation, AreaRef(AreaLevel.PROVINCE, province.code, province.name)],
            (province.code, code, None),
        )
    if level == AreaLevel.CENTER and code.isdigit():
        center = Center.objects.select_related("district__province").filter(pk=int(code)).first()
        if center is None:
            raise Http404
        district, province = center.district, center.district.province
        return (
            AreaRef(level, code, center.name),
            [
                nation,
                AreaRef(AreaLevel.PROVINCE, province.code, province.name),
                AreaRef(AreaLevel.DISTRICT, district.code, district.name),
            ],
            (province.code, district.code, center.pk),
        )
    raise Http404


def may_see_area(user, level: str, province: str | None, district: str | None, center) -> bool:
    """The ministry sees every area; an officer their province or district and what is inside;
    a chair their own center. Volunteers, partners and the DPO see no dashboard."""
    scope = scope_of(user)
    if scope.national:
        return True
    if level == AreaLevel.NATION:
        return False
    if province in scope.province_codes:
        return True
    if level == AreaLevel.PROVINCE:
        return False
    if district in scope.district_codes:
        return True
    return level == AreaLevel.CENTER and center in scope.chair_center_ids


def default_area(user) -> tuple[str, str] | None:
    """The area a user's dashboard opens on, or None when they have none."""
    scope = scope_of(user)
    if scope.national:
        return AreaLevel.NATION, NATION_CODE
    if scope.province_codes:
        return AreaLevel.PROVINCE, min(scope.province_codes)
    if scope.district_codes:
        return AreaLevel.DISTRICT, min(scope.district_codes)
    if scope.chair_center_ids:
        return AreaLevel.CENTER, str(min(scope.chair_center_ids))
    return None


def may_see_dashboards(user) -> bool:
    return default_area(user) is not None


# -- the dashboard ---------------------------------------------------------------------------


def _int(value) -> int:
    return int(value or 0)


def _labels(model, keys, *, by_code: bool) -> dict[str, str]:
    if not keys:
        return {}
    if by_code:
        return {row.code: str(row) for row in model.objects.filter(code__in=keys)}
    ids = [int(key) for key in keys if key.isdigit()]
    return {str(row.pk): str(row) for row in model.objects.filter(pk__in=ids)}


def _bars(values: dict[str, Decimal], labels: dict[str, str], *, order=None) -> list[Bar]:
    keys = order if order is not None else sorted(values, key=lambda key: (-values[key], key))
    return [
        Bar(key, str(labels.get(key, key)), _number(values.get(key, 0)))
        for key in keys
        if order is None or values.get(key)
    ]


def _number(value):
    value = Decimal(value or 0)
    return int(value) if value == value.to_integral_value() else value


def viewer_class(user) -> str:
    """Which kind of viewer the figures are built for (part of their cache key): the ministry,
    an officer (province or district) or a chair."""
    scope = scope_of(user)
    if scope.national:
        return "national"
    if scope.is_officer:
        return "officer"
    return "chair"


def dashboard_area(user, *, level: str, code: str) -> tuple[AreaRef, list[AreaRef]]:
    """The access check of every dashboard read: (area, breadcrumbs); PermissionDenied outside
    the user's scope, Http404 for an unknown area. One query (none for the nation)."""
    area, breadcrumbs, (province, district, center) = resolve_area(level, code)
    if not may_see_area(user, level, province, district, center):
        raise PermissionDenied
    return area, breadcrumbs


def cached_dashboard(user, *, level: str, code: str, period: Period, kind: str, build):
    """`build(dashboard)` (a shape of the figures: the JSON body of the API, ...) for an area
    the user may see, kept in the cache like the figures themselves."""
    area, _breadcrumbs = dashboard_area(user, level=level, code=code)
    return cached_figures(
        kind,
        area=area,
        period=period,
        viewer=viewer_class(user),
        build=lambda: build(dashboard(user, level=level, code=code, period=period)),
    )


def dashboard(user, *, level: str, code: str, period: Period) -> Dashboard:
    """Every figure of one area for one period: the access check (one query, none for the
    nation), then the figures from the cache, or built from the rollups (about ten queries) and
    kept there until a rollup refresh touches the area (asa/reports/cache.py)."""
    area, breadcrumbs = dashboard_area(user, level=level, code=code)
    return cached_figures(
        "dashboard",
        area=area,
        period=period,
        viewer=viewer_class(user),
        build=lambda: build_dashboard(area, breadcrumbs, period),
    )


def build_dashboard(area: AreaRef, breadcrumbs: list[AreaRef], period: Period) -> Dashboard:
    """Every figure of one area for one period, read from the rollups (about ten queries). No
    access check: `dashboard` (or another caller that checked) only."""
    from asa.aid.models import Item
    from asa.referrals.models import Agency, ReferralStatus
    from asa.registry.models import ProblemType, TargetGroup

    monthly: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_month: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
    rows = MonthlyFigure.objects.filter(
        level=area.level, code=area.code, month__gte=period.start, month__lte=period.end
    ).values_list("metric", "dimension", "month", "value")
    for metric, dimension, month, value in rows:
        monthly[metric][dimension] += value
        if metric in ("cases_opened", "cases_closed"):
            by_month[metric, month] += value
    opened_by_year: dict[str, Decimal] = defaultdict(Decimal)
    for month, value in MonthlyFigure.objects.filter(
        level=area.level, code=area.code, metric="centers_opened"
    ).values_list("month", "value"):
        opened_by_year[str(fiscal_year_be(month))] += value
    current: dict[str, dict[str, Decimal]] = defaultdict(dict)
    as_of = None
    for metric, dimension, value, computed_at in CurrentFigure.objects.filter(
        level=area.level, code=area.code
    ).values_list("metric", "dimension", "value", "computed_at"):
        current[metric][dimension] = value
        as_of = max(as_of, computed_at) if as_of else computed_at

    def total(source, metric) -> Decimal:
        return sum(source.get(metric, {}).values(), Decimal(0))

    first_visits = total(monthly, "first_visits")
    hours = total(monthly, "first_visit_hours")
    totals = Totals(
        centers_active=_int(total(current, "centers_active")),
        volunteers_active=_int(total(current, "volunteers_active")),
        people_total=_int(total(current, "people_total")),
        cases_open=_int(total(current, "cases_open")),
        cases_overdue=_int(total(current, "cases_overdue")),
        equipment_on_loan=_int(total(current, "equipment_on_loan")),
        centers_opened=_int(total(monthly, "centers_opened")),
        people_registered=_int(total(monthly, "people_registered")),
        problems_reported=_int(total(monthly, "problems_reported")),
        cases_opened=_int(total(monthly, "cases_opened")),
        cases_closed=_int(total(monthly, "cases_closed")),
        visits=_int(total(monthly, "visits")),
        first_visits=_int(first_visits),
        first_visit_average_days=(
            (hours / first_visits / 24).quantize(Decimal("0.1")) if first_visits else None
        ),
        referrals_sent=_int(total(monthly, "referrals_by_outcome")),
        goods_distributed=_int(total(monthly, "goods_distributed")),
        volunteer_hours=total(monthly, "volunteer_hours").normalize() + 0,
    )
    group_codes = set(monthly["people_by_target_group"]) | set(current["registry_by_target_group"])
    groups = _labels(TargetGroup, group_codes, by_code=True)
    problems = _labels(ProblemType, set(monthly["problems_reported"]), by_code=True)
    item_ids = set(monthly["goods_distributed"]) | set(current["equipment_on_loan"])
    items = _labels(Item, item_ids, by_code=False)
    agency_values = monthly["referrals_by_agency"]
    top = sorted(agency_values, key=lambda key: (-agency_values[key], key))[:TOP_AGENCIES]
    agencies = _labels(Agency, set(top), by_code=False)
    agency_bars = _bars({key: agency_values[key] for key in top}, agencies)
    rest = sum((value for key, value in agency_values.items() if key not in top), Decimal(0))
    if rest:
        agency_bars.append(Bar("other", str(_("หน่วยงานอื่น")), _number(rest)))
    statuses = {value: label for value, label in ReferralStatus.choices}
    result = Dashboard(
        area=area,
        breadcrumbs=breadcrumbs,
        period=period,
        current_as_of=as_of,
        totals=totals,
        centers_opened_by_fiscal_year=[
            Bar(year, year, _int(opened_by_year[year])) for year in sorted(opened_by_year)
        ],
        people_by_target_group=_bars(monthly["people_by_target_group"], groups),
        people_by_problem=_bars(monthly["problems_reported"], problems),
        registry_by_target_group=_bars(current["registry_by_target_group"], groups),
        first_visit_buckets=[
            Bar(key, str(label), _int(monthly["first_visits"].get(key)))
            for key, label in FIRST_VISIT_BUCKETS
        ],
        referrals_by_outcome=_bars(monthly["referrals_by_outcome"], statuses, order=list(statuses)),
        referrals_by_agency=agency_bars,
        goods_distributed=_bars(monthly["goods_distributed"], items),
        equipment_on_loan=_bars(current["equipment_on_loan"], items),
        cases_by_month=[
            MonthBar(
                month,
                month_label(month),
                _int(by_month.get(("cases_opened", month))),
                _int(by_month.get(("cases_closed", month))),
            )
            for month in period.month_list
        ],
    )
    result.children = _children(area, period)
    result.district_caseload = _district_caseload(area)
    return result


def _parent_filter(area: AreaRef) -> dict:
    if area.level == AreaLevel.PROVINCE:
        return {"province_code": area.code}
    if area.level == AreaLevel.DISTRICT:
        return {"district_code": area.code}
    return {}


CHILD_STOCKS = (
    "centers_active",
    "volunteers_active",
    "people_total",
    "cases_open",
    "cases_overdue",
)
CHILD_FLOWS = ("cases_opened", "cases_closed", "volunteer_hours")


def _children(area: AreaRef, period: Period) -> list[ChildRow]:
    """The areas one level down that have a center, with their key figures (three queries)."""
    from asa.centers.models import Center
    from asa.geo.models import District, Province

    level = CHILD_LEVEL.get(area.level)
    if level is None:
        return []
    inside = _parent_filter(area)
    rows: dict[str, ChildRow] = {}
    stocks = (
        CurrentFigure.objects.filter(level=level, metric__in=CHILD_STOCKS, **inside)
        .values("code", "metric")
        .annotate(total=Sum("value"))
    )
    figures: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in stocks:
        figures[row["code"]][row["metric"]] = row["total"]
    flows = (
        MonthlyFigure.objects.filter(
            level=level,
            metric__in=CHILD_FLOWS,
            month__gte=period.start,
            month__lte=period.end,
            **inside,
        )
        .values("code", "metric")
        .annotate(total=Sum("value"))
    )
    for row in flows:
        figures[row["code"]][row["metric"]] = row["total"]
    if level == AreaLevel.CENTER:
        ids = [int(code) for code in figures if code.isdigit()]
        names = {str(center.pk): center.name for center in Center.objects.filter(pk__in=ids)}
    else:
        model = Province if level == AreaLevel.PROVINCE else District
        names = {row.code: row.name for row in model.objects.filter(code__in=list(figures))}
    for code, values in figures.items():
        rows[code] = ChildRow(
            area=AreaRef(level, code, names.get(code, code)),
            centers_active=_int(values.get("centers_active")),
            volunteers_active=_int(values.get("volunteers_active")),
            people_total=_int(values.get("people_total")),
            cases_open=_int(values.get("cases_open")),
            cases_overdue=_int(values.get("cases_overdue")),
            cases_opened=_int(values.get("cases_opened")),
            cases_closed=_int(values.get("cases_closed")),
            volunteer_hours=(values.get("volunteer_hours") or Decimal(0)).normalize() + 0,
        )
    return sorted(rows.values(), key=lambda row: row.area.code)


def _district_caseload(area: AreaRef) -> list[Bar]:
    """Open cases now per district inside the area, for the map (one query)."""
    if area.level == AreaLevel.CENTER:
        return []
    rows = CurrentFigure.objects.filter(level=AreaLevel.DISTRICT, metric="cases_open")
    if area.level == AreaLevel.PROVINCE:
        rows = rows.filter(province_code=area.code)
    elif area.level == AreaLevel.DISTRICT:
        rows = rows.filter(code=area.code)
    return [Bar(code, code, _int(value)) for code, value in rows.values_list("code", "value")]
