from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "asa.accounts"
    label = "accounts"
    verbose_name = "บัญชีผู้ใช้"
