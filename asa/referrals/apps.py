from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "asa.referrals"
    label = "referrals"
    verbose_name = "เครือข่าย One Home"
