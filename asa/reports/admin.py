"""Rollups in the admin: read-only, for looking at what a dashboard reads."""

from django.contrib import admin

from asa.reports.models import CurrentFigure, MonthlyFigure, StaleMonth


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlyFigure)
class MonthlyFigureAdmin(ReadOnly):
    list_display = ["level", "code", "month", "metric", "dimension", "value"]
    list_filter = ["level", "metric"]
    search_fields = ["code"]


@admin.register(CurrentFigure)
class CurrentFigureAdmin(ReadOnly):
    list_display = ["level", "code", "metric", "dimension", "value", "computed_at"]
    list_filter = ["level", "metric"]
    search_fields = ["code"]


@admin.register(StaleMonth)
class StaleMonthAdmin(ReadOnly):
    list_display = ["center", "month", "marked_at"]
