from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "asa.registry"
    label = "registry"
    verbose_name = "ฐานข้อมูลผู้ประสบปัญหาทางสังคม"
