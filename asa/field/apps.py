from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "asa.field"
    label = "field"
    verbose_name = "แอปภาคสนาม (ออฟไลน์)"
