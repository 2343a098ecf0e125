"""`{% low_stock_of center as low %}` for the center page's stock summary (one query)."""

from django import template

from asa.aid.queries import low_stock_of as low_stock_query

register = template.Library()


@register.simple_tag
def low_stock_of(center):
    return list(low_stock_query(center)[:20])
