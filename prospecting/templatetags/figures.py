"""How figures read on Quarry's pages."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def figure(value):
    """A number with thousands separators ("100,000"); anything else as it came. humanize's intcomma
    alone would also split the digits of a text such as a date ("2,027-01-01")."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return intcomma(value)
    return value
