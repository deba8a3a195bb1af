"""Figures on pages, the same in every language: ¥1,234,567.89, 1,234, +12.3%.

Registered as a template builtin (settings TEMPLATES OPTIONS "builtins"): every template
has these filters without ``{% load %}``. Django's ``floatformat`` follows the language's
number format, so a Chinese page and an English one would show the same amount two ways.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from .money import MONEY_DECIMAL_PLACES

register = template.Library()


def _quantized(value, places) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


@register.filter
def yuan(value, places: int = MONEY_DECIMAL_PLACES) -> str:
    """¥1,234,567.89 (thousands separators; a negative amount -¥12.00)."""
    if value is None or value == "":
        return "—"
    amount = _quantized(value, places)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.{int(places)}f}"


@register.filter
def yuan_number(value, places: int = MONEY_DECIMAL_PLACES) -> str:
    """1,234,567.89: the figure of ``yuan`` without the ¥, for a translated sentence
    that places the ¥ itself ("after ¥%(amount)s taken back by returns")."""
    if value is None or value == "":
        return "—"
    return f"{_quantized(value, places):,.{int(places)}f}"


@register.filter
def count(value) -> str:
    """1,234 with separators."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


@register.filter
def signed_percent(change) -> str:
    """+12.3% / −4.0% for a relative change (0.123 → +12.3%)."""
    if change is None:
        return "—"
    percent = change * 100
    sign = "+" if percent > 0 else ("−" if percent < 0 else "±")
    return f"{sign}{abs(percent):,.1f}%"


@register.filter
def percent(share, places: int = 1) -> str:
    """0.1234 → 12.3% (a share)."""
    if share is None:
        return "—"
    return f"{share * 100:,.{int(places)}f}%"


@register.filter
def rate_percent(rate) -> str:
    """0.0350 → '3.50%' (a commission rate)."""
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.01'))}%"


@register.filter
def negate(value):
    """−value (an amount taken off, shown with its minus sign)."""
    try:
        return -Decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        return value
