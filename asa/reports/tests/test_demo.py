"""After `asa demo` the dashboards have their figures, and they match the seed."""

import io

from django.core.management import call_command

from asa.accounts.models import User
from asa.reports.queries import Period, dashboard


def test_the_demo_builds_the_rollups_and_the_openings_match_the_seed(db):
    call_command("demo", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    bangkok = dashboard(admin, level="province", code="10", period=Period.fiscal_year(2562))
    # Nine Bangkok centers opened from FY2560 on, then Bang Khen and Thawi Watthana on
    # 11 and 12 March 2562 (the seed).
    by_year = {bar.key: bar.value for bar in bangkok.centers_opened_by_fiscal_year}
    assert by_year == {"2560": 3, "2561": 4, "2562": 4}
    march = Period.months(*(Period.fiscal_year(2562).start.replace(month=3, year=2019),) * 2)
    opened = dashboard(admin, level="province", code="10", period=march).totals.centers_opened
    assert opened == 2
    assert sum(by_year.values()) - opened == 9
    assert bangkok.totals.centers_active == 11 and bangkok.totals.volunteers_active > 300
    assert len(bangkok.children) == 11
    now = dashboard(admin, level="nation", code="TH", period=Period.current_fiscal_year())
    assert now.totals.cases_open > 0 and now.totals.people_total > 0
