from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "asa.aid"
    label = "aid"
    verbose_name = "สิ่งของและอุปกรณ์"
