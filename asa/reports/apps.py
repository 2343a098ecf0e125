from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "asa.reports"
    label = "reports"
    verbose_name = "รายงานและสถิติ"
