"""One precision for every amount of money in the project (yuan, CNY): the model field,
the API field and (in ``template_filters``) the page format all follow it."""

from decimal import Decimal

from django.db import models
from rest_framework import serializers

# 18 digits, 2 of them decimals: up to ¥9,999,999,999,999,999.99 — a nation's trailing
# 12 months of sales fits, and so does every order, line, rollup and statement.
MONEY_MAX_DIGITS = 18
MONEY_DECIMAL_PLACES = 2
CENT = Decimal("0.01")


def money_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)


def to_money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


class MoneyField(serializers.DecimalField):
    """An amount of yuan in the API: a string with two decimals ("7998.00")."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)
