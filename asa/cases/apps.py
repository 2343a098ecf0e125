from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "asa.cases"
    label = "cases"
    verbose_name = "งานช่วยเหลือรายกรณี"
