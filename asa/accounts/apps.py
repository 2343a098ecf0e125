from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "asa.accounts"
    label = "accounts"
    verbose_name = "บัญชีผู้ใช้"

    def ready(self):
        from asa.accounts import checks  # noqa: F401 (registers the deployment checks)
