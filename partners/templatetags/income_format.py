from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def rate_percent(rate) -> str:
    """0.0350 → '3.50%'."""
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.01'))}%"
