"""The One Home panel on the case page: the case's referrals, in two queries."""

from django import template

from asa.accounts.access import can_write

register = template.Library()

PANEL_SIZE = 10


@register.inclusion_tag("referrals/_case_referrals_panel.html", takes_context=True)
def case_referrals_panel(context, case):
    # The case page already checked that the user reads this case; its referrals follow it.
    user = context["request"].user
    referrals = list(
        case.referrals.select_related("agency", "service").order_by("-sent_at", "-id")[:PANEL_SIZE]
    )
    return {
        "case": case,
        "referrals": referrals,
        "may_write": case.is_open and can_write(user, case),
        "request": context["request"],
    }
