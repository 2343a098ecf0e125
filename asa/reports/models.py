"""Rollup tables: the figures dashboards read, kept current by actions and a background task.

Dashboards never count whole base tables in a request. Two tables hold every figure:

* `MonthlyFigure` — flows (cases opened, hours, goods distributed, ...) per area and month:
  (level, code, month, metric, dimension) → value. Center rows are computed from the base
  tables; district, province and nation rows are sums of the center rows of that month.
* `CurrentFigure` — stocks as of `computed_at` (volunteers active, cases open and overdue,
  equipment out on loan, people in the registry): (level, code, metric, dimension) → value.

`StaleMonth` is the to-do list: an action that changes a figure upserts (center, month) here and
queues the refresh task after commit (`asa.reports.actions.mark_rollups_stale`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    CENTER = "center", _("ศูนย์")
    DISTRICT = "district", _("เขต/อำเภอ")
    PROVINCE = "province", _("จังหวัด")
    NATION = "nation", _("ทั้งประเทศ")


# The code of the one nation-level area.
NATION_CODE = "TH"


class StaleMonth(models.Model):
    """A center-month whose monthly figures (and the center's current figures) need a refresh."""

    center = models.ForeignKey("centers.Center", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # always the first day of the month
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="stale_month_once"),
        ]


class MonthlyFigure(models.Model):
    level = models.CharField(max_length=10, choices=AreaLevel.choices)
    # Center id (as text), DOPA district or province code, or NATION_CODE.
    code = models.CharField(max_length=20)
    month = models.DateField()  # first day of the month
    metric = models.CharField(max_length=40)
    # Outcome figures keep two or three keys here ("resolved|elderly", "agency|service|days").
    dimension = models.CharField(max_length=100, blank=True, default="")
    value = models.DecimalField(max_digits=16, decimal_places=2)
    # On center rows, the areas it rolls up into (so a re-sum is one GROUP BY).
    district_code = models.CharField(max_length=6, blank=True, default="")
    province_code = models.CharField(max_length=6, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "month", "metric", "dimension"],
                name="monthly_figure_once",
            ),
        ]
        indexes = [
            # A refresh re-sums one month of a district / province / the nation.
            models.Index(fields=["level", "month", "district_code"], name="monthly_fig_district"),
            models.Index(fields=["level", "month", "province_code"], name="monthly_fig_province"),
            # A dashboard reads a few metrics of the children of one area over a period.
            models.Index(
                fields=["level", "metric", "province_code", "month"], name="monthly_fig_children_p"
            ),
            models.Index(
                fields=["level", "metric", "district_code", "month"], name="monthly_fig_children_d"
            ),
        ]


class CurrentFigure(models.Model):
    level = models.CharField(max_length=10, choices=AreaLevel.choices)
    code = models.CharField(max_length=20)
    metric = models.CharField(max_length=40)
    dimension = models.CharField(max_length=40, blank=True, default="")
    value = models.DecimalField(max_digits=16, decimal_places=2)
    district_code = models.CharField(max_length=6, blank=True, default="")
    province_code = models.CharField(max_length=6, blank=True, default="")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "metric", "dimension"], name="current_figure_once"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "metric", "province_code"], name="current_fig_province"),
            models.Index(fields=["level", "metric", "district_code"], name="current_fig_district"),
        ]
