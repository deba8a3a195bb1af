"""Which commission rate applies: the category's rate in force on the paid day, or the
procurement rate for government procurement orders."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from .models import CommissionRate, ProcurementRate

PROCUREMENT_CHANNEL = "government_procurement"
ZERO_RATE = Decimal("0.0000")


def procurement_rate_on(day: dt.date) -> Decimal:
    rate = ProcurementRate.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return rate.rate if rate else ZERO_RATE


def commission_rates_on(*, day: dt.date, category_ids: set[int], channel: str) -> dict[int, Decimal]:
    """Rate per category for an order of `channel` paid on `day` (one query)."""
    if channel == PROCUREMENT_CHANNEL:
        rate = procurement_rate_on(day)
        return dict.fromkeys(category_ids, rate)
    rates = dict.fromkeys(category_ids, ZERO_RATE)
    # Newest first, so the first row seen per category is the one in force on `day`.
    seen: set[int] = set()
    for category_id, rate in (
        CommissionRate.objects.filter(category_id__in=category_ids, effective_from__lte=day)
        .order_by("category_id", "-effective_from")
        .values_list("category_id", "rate")
    ):
        if category_id not in seen:
            rates[category_id] = rate
            seen.add(category_id)
    return rates


def commission_amount(line_total: Decimal, rate: Decimal) -> Decimal:
    return (line_total * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
