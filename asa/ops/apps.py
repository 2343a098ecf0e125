from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "asa.ops"
    label = "ops"
    verbose_name = "การทำงานเบื้องหลัง"
