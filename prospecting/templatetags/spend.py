"""How credit amounts read on the spend pages: "1,234.5", "1 standard credit", "0.1 universal credits"."""

from django import template

from prospecting.services.spend import amount_text, credit_unit_text, credits_text

register = template.Library()


@register.filter
def amount(value):
    return amount_text(value)


@register.filter
def credits(value, credit_type):
    return credits_text(value, credit_type)


@register.filter
def credit_unit(value, credit_type):
    """The words alone, for a figure shown apart: "standard credit" for 1, "standard credits" else."""
    return credit_unit_text(value, credit_type)
