"""How credit amounts read on the spend pages: "1,234.5", "1 standard credit", "0.1 universal credits"."""

from django import template

from prospecting.services.spend import amount_text, credits_text

register = template.Library()


@register.filter
def amount(value):
    return amount_text(value)


@register.filter
def credits(value, credit_type):
    return credits_text(value, credit_type)
