"""Deployment checks of sign-in security (`asa check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_two_factor(app_configs=None, **kwargs):
    """asa.W010: production without the second factor for staff."""
    if settings.DEBUG or settings.ASA_REQUIRE_TWO_FACTOR:
        return []
    return [
        checks.Warning(
            "ASA_REQUIRE_TWO_FACTOR is off: officers, admins and the DPO sign in with a password "
            "alone, though they can read personal data of whole provinces.",
            hint="Unset ASA_REQUIRE_TWO_FACTOR (it is on by default).",
            id="asa.W010",
        )
    ]
