from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "asa.accounts"
    label = "accounts"
    verbose_name = "บัญชีผู้ใช้"

    def ready(self):
        from django import forms

        from asa.accounts import checks  # noqa: F401 (registers the deployment checks)
        from asa.lib.validators import NoControlCharactersValidator

        # Every text field of every page form refuses control characters (the API's input
        # schemas do the same, asa.lib.schemas): one rule, not one per form.
        forms.CharField.default_validators = [NoControlCharactersValidator()]
