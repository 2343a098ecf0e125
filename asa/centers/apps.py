from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "asa.centers"
    label = "centers"
    verbose_name = "ศูนย์ประสานงานและ อพม."
