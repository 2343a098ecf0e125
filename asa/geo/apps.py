from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "asa.geo"
    label = "geo"
    verbose_name = "พื้นที่"
