"""Template filters of the dashboards: yuan with separators, changes as signed percentages."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value, places: int = 2) -> str:
    """¥1,234,567.89 (thousands separators; the same in Chinese and English)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.{int(places)}f}"


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
    if share is None:
        return "—"
    return f"{share * 100:,.{int(places)}f}%"
