from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "asa.privacy"
    label = "privacy"
    verbose_name = "การคุ้มครองข้อมูลส่วนบุคคล"
