"""Reads of the outcome figures ("ผลลัพธ์"): did the help work? From the rollups, like the dashboard.

Contract (pages, API, XLSX/CSV and the PDF build on it)
-------------------------------------------------------
`outcomes(user, *, level, code, period) -> Outcomes` — the same areas, periods and refusals as
`asa.reports.queries.dashboard` (PermissionDenied outside the user's scope, Http404 for an
unknown area); a constant number of queries (about eight) whatever the size of the area: every
figure is read from `MonthlyFigure` (the facts are `asa.reports.facts.outcome_facts`).
`partner_scorecard(user, *, agency_id, period)` — one partner's own scorecard, nationwide: the
ministry sees any agency's, a partner agency's users only their own (PermissionDenied).

Medians are exact to the day on both databases: the rollups keep each distribution as a
histogram of whole days (capped at 365), which adds up across centers and months; the median is
read off the summed histogram here (the mean of the two middle values when the count is even).

Every figure carries its definition and denominator in Thai (`Figure.definition`), shown beside
it on the page (a footnote) and in the exports.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils.translation import gettext as _

from asa.accounts.access import scope_of
from asa.reports.cache import cached_figures
from asa.reports.facts import MAX_DAYS, OUTCOME_METRICS, REOPENED_WITHIN_DAYS
from asa.reports.models import NATION_CODE, AreaLevel, MonthlyFigure
from asa.reports.queries import (
    CHILD_LEVEL,
    AreaRef,
    Bar,
    Period,
    _parent_filter,
    may_see_area,
    resolve_area,
    viewer_class,
)

# Fewer people than this are shown as "<5" in exports shared outside the ministry.
SMALL_NUMBER = 5
HELP_KINDS = ("emergency_grant", "cash", "goods", "service", "referral", "loan")
SCORECARD_STATES = ("sent", "accepted", "completed", "declined", "late")
CHILD_METRICS = ("outcome_cases_closed", "emergency_first_visit", "households_compared")


@dataclass(frozen=True)
class Figure:
    """One headline figure: `value` of `denominator` (a share in percent when both are known)."""

    key: str
    label: str
    value: int | Decimal | None
    denominator: int | None
    share: Decimal | None
    unit: str
    definition: str


@dataclass
class OutcomeRow:
    """Closed cases of one target group / problem category, by outcome."""

    key: str
    label: str
    counts: dict[str, int]
    total: int
    resolved: int
    share: Decimal | None


@dataclass
class ProblemRow:
    key: str
    label: str
    hotline: bool
    reported: int
    resolved: int
    share: Decimal | None


@dataclass
class HouseholdRow:
    key: str
    label: str
    improved: int
    same: int
    worse: int


@dataclass
class PartnerRow:
    agency_id: int
    agency: str
    service_id: int
    service: str
    sent: int
    accepted: int
    completed: int
    declined: int
    late: int
    median_answer_days: Decimal | None
    median_complete_days: Decimal | None


@dataclass
class HelpRow:
    key: str
    label: str
    cases: int
    resolved: int
    share: Decimal | None


@dataclass
class OutcomeChild:
    area: AreaRef
    closed: int
    resolved: int
    resolved_share: Decimal | None
    emergencies: int
    emergencies_within_24_hours: int
    households_compared: int


@dataclass
class Outcomes:
    area: AreaRef
    breadcrumbs: list[AreaRef]
    period: Period
    closed: int = 0
    headline: list[Figure] = field(default_factory=list)
    by_outcome: list[Bar] = field(default_factory=list)
    by_target_group: list[OutcomeRow] = field(default_factory=list)
    by_problem: list[OutcomeRow] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)
    households_compared: int = 0
    households: list[HouseholdRow] = field(default_factory=list)
    show_partners: bool = False
    partners: list[PartnerRow] = field(default_factory=list)
    helped_cases: int = 0
    help_baht: Decimal = Decimal(0)
    help_baht_per_case: Decimal | None = None
    help: list[HelpRow] = field(default_factory=list)
    loans: list[HelpRow] = field(default_factory=list)
    children: list[OutcomeChild] = field(default_factory=list)

    def figure(self, key: str) -> Figure | None:
        return next((figure for figure in self.headline if figure.key == key), None)


def share(part, whole) -> Decimal | None:
    """Percent with one decimal, None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def median_days(histogram: dict[int, int]) -> Decimal | None:
    """The median of a histogram {days: count}: the middle value, or the mean of the two."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}
    found, seen = [], 0
    for days in sorted(histogram):
        count = histogram[days]
        for position in sorted(wanted):
            if seen <= position < seen + count:
                found.append(days)
        seen += count
    return (Decimal(sum(found)) / len(found)).quantize(Decimal("0.1"))


def _int(value) -> int:
    return int(value or 0)


def _outcome_labels() -> dict[str, str]:
    from asa.cases.models import Outcome

    return {value: str(label) for value, label in Outcome.choices}


def _split(dimension: str, parts: int) -> tuple[str, ...] | None:
    pieces = dimension.split("|")
    return tuple(pieces) if len(pieces) == parts else None


def may_see_partners(user) -> bool:
    """The partner scorecard in the outcomes section: officers and the ministry (not chairs)."""
    scope = scope_of(user)
    return bool(scope.national or scope.province_codes or scope.district_codes)


def outcomes(user, *, level: str, code: str, period: Period) -> Outcomes:
    """Every outcome figure of one area for one period, read from the rollups (~8 queries)."""
    area, breadcrumbs, (province, district, center) = resolve_area(level, code)
    if not may_see_area(user, level, province, district, center):
        raise PermissionDenied
    with_partners = may_see_partners(user)
    # Kept in the cache like the dashboard's figures (asa/reports/cache.py), until a rollup
    # refresh touches the area; whether the partner scorecard shows is part of the key.
    return cached_figures(
        "outcomes",
        area=area,
        period=period,
        viewer=viewer_class(user) + ("+partners" if with_partners else ""),
        build=lambda: build_outcomes(area, breadcrumbs, period, with_partners=with_partners),
    )


def build_outcomes(
    area: AreaRef, breadcrumbs: list[AreaRef], period: Period, *, with_partners: bool
) -> Outcomes:
    """The outcome figures of one area, read from the rollups. No access check: `outcomes`."""
    figures: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = MonthlyFigure.objects.filter(
        level=area.level,
        code=area.code,
        metric__in=OUTCOME_METRICS,
        month__gte=period.start,
        month__lte=period.end,
    ).values_list("metric", "dimension", "value")
    for metric, dimension, value in rows:
        figures[metric][dimension] += value
    result = Outcomes(area=area, breadcrumbs=breadcrumbs, period=period)
    result.show_partners = with_partners
    _fill(result, figures, with_partners=result.show_partners)
    result.children = _children(area, period)
    return result


def _fill(result: Outcomes, figures, *, with_partners: bool) -> None:
    from asa.aid.models import Item
    from asa.cases.models import AssistanceKind, Outcome
    from asa.registry.models import Dimension, ProblemType, TargetGroup

    outcome_labels = _outcome_labels()
    by_outcome = figures["outcome_cases_closed"]
    closed = _int(sum(by_outcome.values()))
    resolved = _int(by_outcome.get(Outcome.RESOLVED))
    result.closed = closed
    result.by_outcome = [
        Bar(key, label, _int(by_outcome.get(key))) for key, label in outcome_labels.items()
    ]

    def histogram(metric: str) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for dimension, value in figures[metric].items():
            if dimension.isdigit():
                counts[int(dimension)] += _int(value)
        return counts

    first_visits = histogram("days_to_first_visit")
    closures = histogram("days_to_closure")
    emergencies = figures["emergency_first_visit"]
    emergency_total = _int(sum(emergencies.values()))
    within_24 = _int(emergencies.get("24h"))
    reopened = figures["closures_reopened"]
    reopened_soon = _int(reopened.get(str(REOPENED_WITHIN_DAYS)))
    all_closures = closed + _int(sum(reopened.values()))
    reported = figures["problems_reported"]
    resolved_in_year = figures["problems_resolved_in_year"]
    problems_reported = _int(sum(reported.values()))
    problems_resolved = _int(sum(resolved_in_year.values()))
    result.households_compared = _int(sum(figures["households_compared"].values()))
    capped = _("(นับสูงสุด {days} วัน)").format(days=MAX_DAYS)
    result.headline = [
        Figure(
            "resolved", _("ปิดกรณีโดยแก้ไขปัญหาได้"), resolved, closed, share(resolved, closed),
            _("กรณี"),
            _("กรณีที่ปิดในช่วงเวลานี้ด้วยผล “แก้ไขปัญหาได้แล้ว” หารด้วยกรณีที่ปิดในช่วงเวลานี้ทั้งหมด"),
        ),
        Figure(
            "median_first_visit", _("มัธยฐานวันจากรับแจ้งถึงเยี่ยมครั้งแรก"),
            median_days(first_visits), sum(first_visits.values()), None, _("วัน"),
            _("ค่ากลางของจำนวนวันเต็ม (24 ชั่วโมง) จากรับแจ้งถึงเยี่ยมบ้านครั้งแรก "
              "ของกรณีที่เยี่ยมครั้งแรกในช่วงเวลานี้ {capped}").format(capped=capped),
        ),
        Figure(
            "median_closure", _("มัธยฐานวันจากรับแจ้งถึงปิดกรณี"), median_days(closures),
            sum(closures.values()), None, _("วัน"),
            _("ค่ากลางของจำนวนวันเต็มจากรับแจ้งถึงปิดกรณี ของกรณีที่ปิดในช่วงเวลานี้ {capped}").format(
                capped=capped
            ),
        ),
        Figure(
            "emergency_24h", _("กรณีฉุกเฉินที่เยี่ยมภายใน 24 ชั่วโมง"), within_24,
            emergency_total, share(within_24, emergency_total), _("กรณี"),
            _("กรณีฉุกเฉินที่รับแจ้งในช่วงเวลานี้ ซึ่งเยี่ยมบ้านครั้งแรกภายใน 24 ชั่วโมงหลังรับแจ้ง "
              "หารด้วยกรณีฉุกเฉินที่รับแจ้งในช่วงเวลานี้ทั้งหมด (รวมที่ยังไม่ได้เยี่ยม)"),
        ),
        Figure(
            "reopened_90", _("กรณีที่ต้องเปิดใหม่ภายใน 90 วันหลังปิด"), reopened_soon,
            all_closures, share(reopened_soon, all_closures), _("ครั้ง"),
            _("การปิดกรณีในช่วงเวลานี้ที่ภายหลังถูกเปิดอีกครั้งภายใน 90 วัน "
              "หารด้วยการปิดกรณีทั้งหมดในช่วงเวลานี้ (รวมที่ถูกเปิดใหม่ภายหลัง)"),
        ),
        Figure(
            "problems_resolved", _("ปัญหาที่คลี่คลายภายในปีงบประมาณ"), problems_resolved,
            problems_reported, share(problems_resolved, problems_reported), _("ปัญหา"),
            _("ปัญหาของบุคคลที่รับแจ้งครั้งแรกในช่วงเวลานี้ และบันทึกว่าคลี่คลายแล้วภายในปีงบประมาณ"
              "เดียวกับที่รับแจ้ง หารด้วยปัญหาที่รับแจ้งครั้งแรกในช่วงเวลานี้ทั้งหมด"),
        ),
        Figure(
            "households_compared", _("ครัวเรือนที่เปรียบเทียบผลการประเมินได้"),
            result.households_compared, None, None, _("ครัวเรือน"),
            _("ครัวเรือนที่ประเมินห้ามิติอย่างน้อย 2 ครั้งห่างกันไม่น้อยกว่า 90 วัน "
              "และการประเมินล่าสุดอยู่ในช่วงเวลานี้ เทียบการประเมินครั้งแรกกับครั้งล่าสุด"),
        ),
    ]  # fmt: skip

    def outcome_rows(metric: str, labels: dict[str, str], order: dict[str, int]) -> list:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for dimension, value in figures[metric].items():
            parts = _split(dimension, 2)
            if parts:
                counts[parts[1]][parts[0]] += _int(value)
        out = []
        for key, by_kind in counts.items():
            total = sum(by_kind.values())
            done = by_kind.get(Outcome.RESOLVED, 0)
            out.append(
                OutcomeRow(
                    key, labels.get(key, key), dict(by_kind), total, done, share(done, total)
                )
            )
        return sorted(out, key=lambda row: (order.get(row.key, 999), row.key))

    group_keys = {d.split("|")[-1] for d in figures["outcome_by_target_group"]}
    problem_keys = (
        {d.split("|")[-1] for d in figures["outcome_by_problem"]}
        | set(reported)
        | set(resolved_in_year)
    )
    groups = {
        row.code: (str(row), row.sort_order)
        for row in TargetGroup.objects.filter(code__in=group_keys)
    }
    problem_types = {
        row.code: (str(row), row.sort_order, row.is_hotline_category)
        for row in ProblemType.objects.filter(code__in=problem_keys)
    }
    result.by_target_group = outcome_rows(
        "outcome_by_target_group",
        {key: value[0] for key, value in groups.items()},
        {key: value[1] for key, value in groups.items()},
    )
    # The 1300-hotline categories first, then the catalogue's order.
    problem_order = {
        key: (0 if hotline else 1000) + order
        for key, (_label, order, hotline) in problem_types.items()
    }
    result.by_problem = outcome_rows(
        "outcome_by_problem", {key: value[0] for key, value in problem_types.items()}, problem_order
    )
    result.problems = sorted(
        (
            ProblemRow(
                key,
                problem_types.get(key, (key, 0, False))[0],
                problem_types.get(key, (key, 0, False))[2],
                _int(reported.get(key)),
                _int(resolved_in_year.get(key)),
                share(_int(resolved_in_year.get(key)), _int(reported.get(key))),
            )
            for key in set(reported) | set(resolved_in_year)
        ),
        key=lambda row: (problem_order.get(row.key, 9999), row.key),
    )
    changes = figures["household_change"]
    result.households = [
        HouseholdRow(
            dimension,
            str(label),
            _int(changes.get(f"{dimension}|improved")),
            _int(changes.get(f"{dimension}|same")),
            _int(changes.get(f"{dimension}|worse")),
        )
        for dimension, label in Dimension.choices
    ]
    if with_partners:
        result.partners = _partner_rows(figures)
    # Help given, and the outcome of the cases it was given in.
    helped = figures["helped_cases_closed"]
    result.helped_cases = _int(sum(helped.values()))
    result.help_baht = sum(figures["help_baht"].values(), Decimal(0)).quantize(Decimal("0.01"))
    result.help_baht_per_case = (
        (result.help_baht / result.helped_cases).quantize(Decimal("0.01"))
        if result.helped_cases
        else None
    )
    kind_labels = {
        **{value: str(label) for value, label in AssistanceKind.choices},
        "loan": _("ยืมครุภัณฑ์/อุปกรณ์"),
    }
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dimension, value in figures["help_by_outcome"].items():
        parts = _split(dimension, 2)
        if parts:
            by_kind[parts[0]][parts[1]] += _int(value)
    result.help = [
        HelpRow(
            kind,
            kind_labels.get(kind, kind),
            sum(by_kind[kind].values()),
            by_kind[kind].get(Outcome.RESOLVED, 0),
            share(by_kind[kind].get(Outcome.RESOLVED, 0), sum(by_kind[kind].values())),
        )
        for kind in HELP_KINDS
        if by_kind.get(kind)
    ]
    by_item: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dimension, value in figures["help_loan_items"].items():
        parts = _split(dimension, 2)
        if parts:
            by_item[parts[0]][parts[1]] += _int(value)
    items = {
        str(item.pk): str(item)
        for item in Item.objects.filter(pk__in=[int(key) for key in by_item if key.isdigit()])
    }
    result.loans = sorted(
        (
            HelpRow(
                key,
                items.get(key, key),
                sum(values.values()),
                values.get(Outcome.RESOLVED, 0),
                share(values.get(Outcome.RESOLVED, 0), sum(values.values())),
            )
            for key, values in by_item.items()
        ),
        key=lambda row: (-row.cases, row.label),
    )


def _partner_rows(figures, *, agency_id: int | None = None) -> list[PartnerRow]:
    from asa.referrals.models import Agency, Service

    states: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answer: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    complete: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for metric, target in (
        ("referral_scorecard", states),
        ("referral_answer_days", answer),
        ("referral_complete_days", complete),
    ):
        for dimension, value in figures[metric].items():
            parts = _split(dimension, 3)
            if not parts or (agency_id is not None and parts[0] != str(agency_id)):
                continue
            key = parts[:2]
            bucket = parts[2] if metric == "referral_scorecard" else int(parts[2])
            target[key][bucket] += _int(value)
    keys = set(states) | set(answer) | set(complete)
    agencies = {
        str(row.pk): str(row)
        for row in Agency.objects.filter(pk__in=[int(a) for a, _s in keys if a.isdigit()])
    }
    services = {
        str(row.pk): str(row)
        for row in Service.objects.filter(pk__in=[int(s) for _a, s in keys if s.isdigit()])
    }
    rows = [
        PartnerRow(
            int(agency),
            agencies.get(agency, agency),
            int(service),
            services.get(service, service),
            *(states[agency, service].get(state, 0) for state in SCORECARD_STATES),
            median_days(answer[agency, service]),
            median_days(complete[agency, service]),
        )
        for agency, service in keys
        if agency.isdigit() and service.isdigit()
    ]
    return sorted(rows, key=lambda row: (row.agency, row.service))


def partner_scorecard(user, *, agency_id: int, period: Period) -> list[PartnerRow]:
    """One partner agency's scorecard across the country (its referrals from every center).

    The ministry sees any agency's; a partner agency's users their own only; nobody else.
    """
    scope = scope_of(user)
    if not (scope.national or agency_id in scope.agency_ids):
        raise PermissionDenied
    figures: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = MonthlyFigure.objects.filter(
        level=AreaLevel.NATION,
        code=NATION_CODE,
        metric__in=("referral_scorecard", "referral_answer_days", "referral_complete_days"),
        dimension__startswith=f"{agency_id}|",
        month__gte=period.start,
        month__lte=period.end,
    ).values_list("metric", "dimension", "value")
    for metric, dimension, value in rows:
        figures[metric][dimension] += value
    return _partner_rows(figures, agency_id=agency_id)


def _children(area: AreaRef, period: Period) -> list[OutcomeChild]:
    """The areas one level down, with their key outcome figures (two queries)."""
    from asa.cases.models import Outcome
    from asa.centers.models import Center
    from asa.geo.models import District, Province

    level = CHILD_LEVEL.get(area.level)
    if level is None:
        return []
    rows = (
        MonthlyFigure.objects.filter(
            level=level,
            metric__in=CHILD_METRICS,
            month__gte=period.start,
            month__lte=period.end,
            **_parent_filter(area),
        )
        .values("code", "metric", "dimension")
        .annotate(total=Sum("value"))
    )
    figures: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        figures[row["code"]][row["metric"], row["dimension"]] += _int(row["total"])
    if level == AreaLevel.CENTER:
        ids = [int(code) for code in figures if code.isdigit()]
        names = {str(center.pk): center.name for center in Center.objects.filter(pk__in=ids)}
    else:
        model = Province if level == AreaLevel.PROVINCE else District
        names = {row.code: row.name for row in model.objects.filter(code__in=list(figures))}
    children = []
    for code, values in figures.items():
        closed = sum(v for (metric, _d), v in values.items() if metric == "outcome_cases_closed")
        resolved = values.get(("outcome_cases_closed", Outcome.RESOLVED), 0)
        emergencies = sum(
            v for (metric, _d), v in values.items() if metric == "emergency_first_visit"
        )
        children.append(
            OutcomeChild(
                area=AreaRef(level, code, names.get(code, code)),
                closed=closed,
                resolved=resolved,
                resolved_share=share(resolved, closed),
                emergencies=emergencies,
                emergencies_within_24_hours=values.get(("emergency_first_visit", "24h"), 0),
                households_compared=values.get(("households_compared", ""), 0),
            )
        )
    return sorted(children, key=lambda row: row.area.code)


def suppressed(value, *, small: int = SMALL_NUMBER):
    """A count of people shown outside the ministry: 1–4 become "<5" (0 stays 0)."""
    if isinstance(value, int) and 0 < value < small:
        return f"<{small}"
    return value
