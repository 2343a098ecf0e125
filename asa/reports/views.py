"""Dashboard pages and their exports. Thin: read the period, ask the scoped query, render.

Every page and every file goes through `asa.reports.queries.dashboard`, which refuses an area
outside the user's scope (PermissionDenied → 403) and an unknown one (404). The ministry lands
on the nation, an officer on their province or district, a chair on their center; volunteers,
partner agencies and the DPO have no dashboard.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from asa.lib.thai import THAI_MONTHS_SHORT, be_year, fiscal_year_be, thai_digits_preferred
from asa.reports import charts, exporting, maps, pdf, queries
from asa.reports import outcomes as outcome_queries
from asa.reports.models import NATION_CODE, AreaLevel

FIRST_FISCAL_YEAR = 2560  # the first centers opened in fiscal year 2560 (the seed)
PERIOD_FIELDS = ("fiscal_year", "start", "end")

URL_NAMES = {
    AreaLevel.NATION: "reports:nation",
    AreaLevel.PROVINCE: "reports:province",
    AreaLevel.DISTRICT: "reports:district",
    AreaLevel.CENTER: "reports:center",
}


OUTCOME_URL_NAMES = {
    AreaLevel.NATION: "reports:nation_outcomes",
    AreaLevel.PROVINCE: "reports:province_outcomes",
    AreaLevel.DISTRICT: "reports:district_outcomes",
    AreaLevel.CENTER: "reports:center_outcomes",
}


def outcomes_url(level: str, code: str, query: str = "") -> str:
    if level == AreaLevel.NATION:
        url = reverse(OUTCOME_URL_NAMES[level])
    elif level == AreaLevel.CENTER:
        url = reverse(OUTCOME_URL_NAMES[level], kwargs={"pk": int(code)})
    else:
        url = reverse(OUTCOME_URL_NAMES[level], kwargs={"code": code})
    return f"{url}?{query}" if query else url


def area_url(level: str, code: str, query: str = "") -> str:
    if level == AreaLevel.NATION:
        url = reverse("reports:nation")
    elif level == AreaLevel.CENTER:
        url = reverse("reports:center", kwargs={"pk": int(code)})
    else:
        url = reverse(URL_NAMES[level], kwargs={"code": code})
    return f"{url}?{query}" if query else url


def _period_params(request) -> dict[str, str]:
    """The period fields the user filled in. Months chosen win over the fiscal year: the form
    keeps a year selected by default, and someone who picks months means the months."""
    values = {name: request.GET.get(name, "").strip() for name in PERIOD_FIELDS}
    if values["start"] or values["end"]:
        values["fiscal_year"] = ""
    return values


def _period_query(request) -> str:
    return urlencode({name: value for name, value in _period_params(request).items() if value})


@login_required
def home(request):
    """The user's own dashboard: the nation, their province or district, or their center."""
    area = queries.default_area(request.user)
    if area is None:
        return render(request, "reports/no_dashboard.html", status=403)
    return redirect(area_url(*area, _period_query(request)))


@login_required
def nation(request):
    return _page(request, AreaLevel.NATION, NATION_CODE)


@login_required
def province(request, code):
    return _page(request, AreaLevel.PROVINCE, code)


@login_required
def district(request, code):
    return _page(request, AreaLevel.DISTRICT, code)


@login_required
def center(request, pk):
    return _page(request, AreaLevel.CENTER, str(pk))


def _fiscal_years(today) -> list[int]:
    return list(range(fiscal_year_be(today), FIRST_FISCAL_YEAR - 1, -1))


def _month_choices(today) -> list[tuple[str, str]]:
    """Every month from the first fiscal year to now, newest first: ("2568-10", "ต.ค. 2568")."""
    choices = []
    year, month = today.year, today.month
    while (be_year(year), month) >= (FIRST_FISCAL_YEAR - 1, 10):
        choices.append(
            (f"{be_year(year)}-{month:02d}", f"{THAI_MONTHS_SHORT[month - 1]} {be_year(year)}")
        )
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return choices


def _last_month(today) -> str:
    """The month a monthly report is usually for: the one just ended ("2569-10")."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{be_year(year)}-{month:02d}"


def _period_form(request, period=None, error=None) -> dict:
    today = timezone.localdate()
    values = _period_params(request)
    if period is not None and not any(values.values()):
        values["fiscal_year"] = str(period.fiscal_year_be or "")
    return {
        "values": values,
        "fiscal_years": _fiscal_years(today),
        "months": _month_choices(today),
        "error": error,
    }


def _read_period(request, *, single_month: bool = False):
    """The period asked for; with `single_month`, `month=2569-03` is that one month (reports)."""
    month = request.GET.get("month") if single_month else None
    if month:
        try:
            return queries.parse_period(start=month, end=month)
        except queries.PeriodError as error:
            raise queries.PeriodError("month", error.message) from error
    return queries.parse_period(**_period_params(request))


def _page(request, level: str, code: str):
    try:
        period = _read_period(request)
    except queries.PeriodError as error:
        # The figures of a period we could not read would mislead: show the form and the error.
        context = {"period_form": _period_form(request, error=error), "level": level}
        return render(request, "reports/period_error.html", context, status=400)
    dashboard = queries.dashboard(request.user, level=level, code=code, period=period)
    query = _period_query(request)
    context = {
        "dashboard": dashboard,
        "totals": dashboard.totals,
        "crumbs": _crumbs(request.user, dashboard, query),
        "period_form": _period_form(request, period),
        "charts": _charts(dashboard),
        "map": _map(dashboard, query),
        "children": [
            (child, area_url(child.area.level, child.area.code, query))
            for child in dashboard.children
        ],
        "child_level": queries.CHILD_LEVEL.get(dashboard.area.level),
        "exports": _export_links(dashboard, query),
        "outcomes_url": outcomes_url(dashboard.area.level, dashboard.area.code, query),
        "is_center": dashboard.area.level == AreaLevel.CENTER,
        "report_months": _month_choices(timezone.localdate()),
        "last_month": _last_month(timezone.localdate()),
    }
    return render(request, "reports/dashboard.html", context)


def _crumbs(user, dashboard, query: str) -> list[tuple[str, str]]:
    """(name, url) of each area above this one; url empty where the user may not go."""
    crumbs = []
    province = district = None
    for crumb in dashboard.breadcrumbs:
        if crumb.level == AreaLevel.PROVINCE:
            province = crumb.code
        elif crumb.level == AreaLevel.DISTRICT:
            district = crumb.code
        allowed = queries.may_see_area(user, crumb.level, province, district, None)
        crumbs.append((crumb.name, area_url(crumb.level, crumb.code, query) if allowed else ""))
    return crumbs


def _child_bars(dashboard, attribute: str) -> list[queries.Bar]:
    """One bar per area one level down (largest first), for the charts of volunteers and cases."""
    rows = sorted(dashboard.children, key=lambda row: (-getattr(row, attribute), row.area.code))
    return [queries.Bar(row.area.code, row.area.name, getattr(row, attribute)) for row in rows]


def _charts(dashboard) -> dict[str, charts.Chart]:
    item, count = _("รายการ"), _("จำนวน")
    area_header = _("พื้นที่")
    return {
        "volunteers_by_area": charts.horizontal_bars(
            _child_bars(dashboard, "volunteers_active"),
            title=_("อาสาสมัคร (อพม.) ที่ปฏิบัติงาน จำแนกตามพื้นที่"),
            label_header=area_header,
            value_header=_("คน"),
        ),
        "hours_by_area": charts.horizontal_bars(
            _child_bars(dashboard, "volunteer_hours"),
            title=_("ชั่วโมงการทำงานของอาสาสมัคร จำแนกตามพื้นที่"),
            label_header=area_header,
            value_header=_("ชั่วโมง"),
        ),
        "cases_open_by_area": charts.horizontal_bars(
            _child_bars(dashboard, "cases_open"),
            title=_("กรณีที่ยังดำเนินการ จำแนกตามพื้นที่"),
            label_header=area_header,
            value_header=_("กรณี"),
        ),
        "centers_opened": charts.bar_chart(
            dashboard.centers_opened_by_fiscal_year,
            title=_("ศูนย์ประสานงานที่เปิดในแต่ละปีงบประมาณ"),
            label_header=_("ปีงบประมาณ"),
            value_header=_("ศูนย์ที่เปิด"),
        ),
        "cases_by_month": charts.trend_chart(
            dashboard.cases_by_month,
            title=_("กรณีที่รับแจ้งและปิดในแต่ละเดือน"),
            month_header=_("เดือน"),
            series=(("opened", _("รับแจ้งใหม่")), ("closed", _("ปิดแล้ว"))),
        ),
        "people_by_target_group": charts.horizontal_bars(
            dashboard.people_by_target_group,
            title=_("ผู้ลงทะเบียนใหม่ จำแนกตามกลุ่มเป้าหมาย"),
            label_header=_("กลุ่มเป้าหมาย"),
            value_header=_("คน"),
        ),
        "people_by_problem": charts.horizontal_bars(
            dashboard.people_by_problem,
            title=_("ปัญหาที่รายงานใหม่ จำแนกตามประเภท"),
            label_header=_("ประเภทปัญหา"),
            value_header=count,
        ),
        "registry_by_target_group": charts.horizontal_bars(
            dashboard.registry_by_target_group,
            title=_("ผู้ประสบปัญหาในฐานข้อมูลทั้งหมด จำแนกตามกลุ่มเป้าหมาย"),
            label_header=_("กลุ่มเป้าหมาย"),
            value_header=_("คน"),
        ),
        "first_visit_buckets": charts.bar_chart(
            dashboard.first_visit_buckets,
            title=_("ระยะเวลาจากรับแจ้งถึงเยี่ยมบ้านครั้งแรก"),
            label_header=_("ระยะเวลา"),
            value_header=_("กรณี"),
        ),
        "referrals_by_outcome": charts.horizontal_bars(
            dashboard.referrals_by_outcome,
            title=_("การส่งต่อ จำแนกตามผล"),
            label_header=_("สถานะ"),
            value_header=count,
        ),
        "referrals_by_agency": charts.horizontal_bars(
            dashboard.referrals_by_agency,
            title=_("การส่งต่อ จำแนกตามหน่วยงาน"),
            label_header=_("หน่วยงาน"),
            value_header=count,
        ),
        "goods_distributed": charts.horizontal_bars(
            dashboard.goods_distributed,
            title=_("สิ่งของที่แจกจ่าย"),
            label_header=item,
            value_header=count,
        ),
        "equipment_on_loan": charts.horizontal_bars(
            dashboard.equipment_on_loan,
            title=_("ครุภัณฑ์ที่ให้ยืมอยู่"),
            label_header=item,
            value_header=count,
        ),
    }


def _names(areas) -> dict[str, str]:
    """Code → name of the areas on a map, in the page's language (one query)."""
    field = "name_en" if get_language() == "en" else "name_th"
    return dict(areas.values_list("code", field))


def _map(dashboard, query: str):
    """The tile map one level down, coloured by open cases; None for districts and centers."""
    from asa.geo.models import District, Province

    level = dashboard.area.level
    with_centers = {child.area.code for child in dashboard.children}
    value_label = _("กรณีที่ยังดำเนินการ")
    if level == AreaLevel.NATION:
        by_province: dict[str, float] = {}
        for bar in dashboard.district_caseload:
            by_province[bar.key[:2]] = by_province.get(bar.key[:2], 0) + float(bar.value)
        names = _names(Province.objects.all())
        return maps.province_map(
            by_province,
            names,
            with_centers,
            lambda code: area_url(AreaLevel.PROVINCE, code, query),
            value_label=value_label,
        )
    if level == AreaLevel.PROVINCE:
        names = _names(District.objects.filter(province_id=dashboard.area.code))
        values = {bar.key: float(bar.value) for bar in dashboard.district_caseload}
        return maps.district_map(
            dashboard.area.code,
            names,
            values,
            with_centers,
            lambda code: area_url(AreaLevel.DISTRICT, code, query),
            value_label=value_label,
        )
    return None


def _export_links(dashboard, query: str) -> dict[str, str]:
    def link(file_format: str, extra: str = "") -> str:
        url = reverse(
            "reports:export",
            kwargs={
                "level": dashboard.area.level,
                "code": dashboard.area.code,
                "file_format": file_format,
            },
        )
        parts = "&".join(part for part in (query, extra) if part)
        return f"{url}?{parts}" if parts else url

    return {
        "xlsx": link("xlsx"),
        "csv": link("csv"),
        "pdf": link("pdf", "digits=arabic"),
        "pdf_thai": link("pdf", "digits=thai"),
        "pdf_bare": link("pdf").split("?")[0],  # the monthly report form adds its own query
    }


def _wants_thai_digits(request) -> bool:
    wanted = request.GET.get("digits")
    if wanted in ("thai", "arabic"):
        return wanted == "thai"
    return bool(thai_digits_preferred.get())


@login_required
def export(request, level, code, file_format):
    """The dashboard as XLSX, CSV or the PDF report: the same scoped query as the page."""
    if level not in URL_NAMES or file_format not in exporting.FILE_TYPES:
        raise Http404
    try:
        period = _read_period(request, single_month=True)
    except queries.PeriodError as error:
        return HttpResponse(
            f"{error.field}: {error.message}", status=400, content_type="text/plain; charset=utf-8"
        )
    dashboard = queries.dashboard(request.user, level=level, code=code, period=period)
    results = outcome_queries.outcomes(request.user, level=level, code=code, period=period)
    # For sharing outside the ministry: counts of fewer than five people become "<5".
    shared = request.GET.get("shared") == "outside"
    if file_format == "xlsx":
        content = exporting.dashboard_xlsx(dashboard, outcomes=results, suppress=shared)
    elif file_format == "csv":
        content = exporting.dashboard_csv(dashboard, outcomes=results, suppress=shared)
    else:
        content = pdf.area_report_pdf(
            dashboard,
            thai_digits=_wants_thai_digits(request),
            signer_name=_signer(request.user, dashboard),
            today=timezone.localdate(),
            outcomes=results,
            suppress=shared,
        )
    exporting.export_dashboard(
        actor=request.user, dashboard=dashboard, file_format=file_format, shared=shared
    )
    response = HttpResponse(content, content_type=exporting.FILE_TYPES[file_format])
    disposition = "inline" if file_format == "pdf" else "attachment"
    name = exporting.filename(dashboard, file_format)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _signer(user, dashboard) -> str:
    """The active chair's name under a center's report, read through the user's own scope."""
    if dashboard.area.level != AreaLevel.CENTER:
        return ""
    from asa.centers.queries import center_list_for

    center = center_list_for(user).filter(pk=int(dashboard.area.code)).first()
    chairs = center.active_chairs if center is not None else []
    return chairs[0].full_name if chairs else ""


# -- outcomes ("ผลลัพธ์") ---------------------------------------------------------------------


@login_required
def nation_outcomes(request):
    return _outcomes_page(request, AreaLevel.NATION, NATION_CODE)


@login_required
def province_outcomes(request, code):
    return _outcomes_page(request, AreaLevel.PROVINCE, code)


@login_required
def district_outcomes(request, code):
    return _outcomes_page(request, AreaLevel.DISTRICT, code)


@login_required
def center_outcomes(request, pk):
    return _outcomes_page(request, AreaLevel.CENTER, str(pk))


def _outcomes_page(request, level: str, code: str):
    """What the help achieved in one area and period: the same areas, periods and refusals as
    the dashboard, with drill-down to the outcomes of the areas one level down."""
    try:
        period = _read_period(request)
    except queries.PeriodError as error:
        context = {"period_form": _period_form(request, error=error), "level": level}
        return render(request, "reports/period_error.html", context, status=400)
    board = outcome_queries.outcomes(request.user, level=level, code=code, period=period)
    query = _period_query(request)
    exports = _export_links(board, query)
    shared_query = "&".join(part for part in (query, "shared=outside") if part)
    context = {
        "board": board,
        "crumbs": _outcome_crumbs(request.user, board, query),
        "period_form": _period_form(request, period),
        "dashboard_url": area_url(board.area.level, board.area.code, query),
        "children": [
            (child, outcomes_url(child.area.level, child.area.code, query))
            for child in board.children
        ],
        "child_level": queries.CHILD_LEVEL.get(board.area.level),
        "exports": exports,
        "shared_exports": _export_links(board, shared_query),
        "charts": _outcome_charts(board),
    }
    return render(request, "reports/outcomes.html", context)


def _outcome_crumbs(user, board, query: str) -> list[tuple[str, str]]:
    crumbs = []
    province = district = None
    for crumb in board.breadcrumbs:
        if crumb.level == AreaLevel.PROVINCE:
            province = crumb.code
        elif crumb.level == AreaLevel.DISTRICT:
            district = crumb.code
        allowed = queries.may_see_area(user, crumb.level, province, district, None)
        crumbs.append((crumb.name, outcomes_url(crumb.level, crumb.code, query) if allowed else ""))
    return crumbs


def _outcome_charts(board) -> dict[str, charts.Chart]:
    return {
        "by_outcome": charts.horizontal_bars(
            [bar for bar in board.by_outcome if bar.value],
            title=_("กรณีที่ปิด จำแนกตามผลการดำเนินงาน"),
            label_header=_("ผลการดำเนินงาน"),
            value_header=_("กรณี"),
        ),
        "households_improved": charts.horizontal_bars(
            [queries.Bar(row.key, row.label, row.improved) for row in board.households],
            title=_("ครัวเรือนที่ดีขึ้น จำแนกตามมิติ"),
            label_header=_("มิติ"),
            value_header=_("ครัวเรือน"),
        ),
        "households_worse": charts.horizontal_bars(
            [queries.Bar(row.key, row.label, row.worse) for row in board.households],
            title=_("ครัวเรือนที่แย่ลง จำแนกตามมิติ"),
            label_header=_("มิติ"),
            value_header=_("ครัวเรือน"),
        ),
        "resolved_by_area": charts.horizontal_bars(
            [
                queries.Bar(child.area.code, child.area.name, child.resolved_share)
                for child in board.children
                if child.resolved_share is not None
            ],
            title=_("ร้อยละของกรณีที่ปิดโดยแก้ไขปัญหาได้ จำแนกตามพื้นที่"),
            label_header=_("พื้นที่"),
            value_header=_("ร้อยละ"),
        ),
    }


@login_required
def partner_scorecard(request, agency_id):
    """A partner agency's own scorecard, nationwide (the ministry may open any agency's)."""
    from asa.referrals.models import Agency

    try:
        period = _read_period(request)
    except queries.PeriodError as error:
        context = {"period_form": _period_form(request, error=error), "level": ""}
        return render(request, "reports/period_error.html", context, status=400)
    rows = outcome_queries.partner_scorecard(request.user, agency_id=agency_id, period=period)
    agency = Agency.objects.filter(pk=agency_id).first() if 0 < agency_id < 2**31 else None
    if agency is None:
        raise Http404
    context = {
        "agency": agency,
        "rows": rows,
        "period": period,
        "period_form": _period_form(request, period),
    }
    return render(request, "reports/partner_scorecard.html", context)
