from django import template

register = template.Library()


@register.filter
def menu(user):
    """The navigation's groups of pages for this user (asa.accounts.landing.menu_for)."""
    from asa.accounts.landing import menu_for

    return menu_for(user)
