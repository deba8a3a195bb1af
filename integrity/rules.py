"""The rules: their default severity and thresholds, what admins may set them to, and
the words of a flag's evidence in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rural_taobao.phones import mask_phone
from rural_taobao.template_filters import yuan

from .models import Rule, RuleSetting, Severity


@dataclass(frozen=True)
class Param:
    name: str
    label: Any  # a lazy string
    default: Decimal
    minimum: Decimal
    integer: bool = True


RULE_PARAMS: dict[str, list[Param]] = {
    Rule.SELF_DEALING: [],
    Rule.VILLAGER_BURST: [
        Param("per_day", gettext_lazy("Most orders a villager may have in a day"), Decimal(5), Decimal(1)),
        Param("per_30_days", gettext_lazy("Most orders a villager may have in 30 days"), Decimal(30), Decimal(1)),
    ],
    Rule.PRICE_OUTLIER: [
        Param(
            "iqr_factor", gettext_lazy("Interquartile ranges beyond the quartiles"), Decimal(3), Decimal("0.5"), False
        ),
        Param("median_factor", gettext_lazy("Times the category median"), Decimal(10), Decimal(2), False),
        Param("min_lines", gettext_lazy("Lines needed to judge a category"), Decimal(30), Decimal(5)),
        Param("lookback_days", gettext_lazy("Days of prices to judge from"), Decimal(90), Decimal(7)),
    ],
    Rule.BULK_QUANTITY: [
        Param("max_quantity", gettext_lazy("Largest quantity on an assisted-purchase line"), Decimal(50), Decimal(1)),
    ],
    Rule.TOO_FAST: [
        Param("min_hours", gettext_lazy("Fewest hours from payment to pickup"), Decimal(24), Decimal(1), False),
    ],
    Rule.PARTNER_SPIKE: [
        Param("median_factor", gettext_lazy("Times the partner's median daily sales"), Decimal(5), Decimal(2), False),
        Param("min_sales", gettext_lazy("And above (¥)"), Decimal(20000), Decimal(0), False),
        Param("lookback_days", gettext_lazy("Days before to take the median of"), Decimal(30), Decimal(7)),
    ],
    Rule.PROCUREMENT_CHECK: [
        Param("min_amount", gettext_lazy("Orders above (¥)"), Decimal(100000), Decimal(0), False),
    ],
}

DEFAULT_SEVERITY: dict[str, str] = {
    Rule.SELF_DEALING: Severity.HIGH,
    Rule.VILLAGER_BURST: Severity.MEDIUM,
    Rule.PRICE_OUTLIER: Severity.HIGH,
    Rule.BULK_QUANTITY: Severity.MEDIUM,
    Rule.TOO_FAST: Severity.MEDIUM,
    Rule.PARTNER_SPIKE: Severity.LOW,
    Rule.PROCUREMENT_CHECK: Severity.LOW,
}


@dataclass(frozen=True)
class RuleConfig:
    rule: str
    enabled: bool
    severity: str
    params: dict[str, Decimal]

    def __getitem__(self, name: str) -> Decimal:
        return self.params[name]

    def int(self, name: str) -> int:
        return int(self.params[name])


def _params(rule: str, stored: dict | None) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for param in RULE_PARAMS[rule]:
        raw = (stored or {}).get(param.name)
        try:
            value = Decimal(str(raw)) if raw is not None else param.default
        except (InvalidOperation, ValueError):
            value = param.default
        values[param.name] = value
    return values


def rule_configs() -> dict[str, RuleConfig]:
    """Every rule with its settings (the defaults for a rule nobody has set)."""
    stored = {row.rule: row for row in RuleSetting.objects.all()}
    configs = {}
    for rule in Rule.values:
        row = stored.get(rule)
        configs[rule] = RuleConfig(
            rule=rule,
            enabled=row.enabled if row else True,
            severity=row.severity if row else DEFAULT_SEVERITY[rule],
            params=_params(rule, row.params if row else None),
        )
    return configs


# ── the words of a flag ──────────────────────────────────────────────────────


def _yuan(value) -> str:
    return yuan(Decimal(str(value)))


def _number(value) -> str:
    number = Decimal(str(value))
    return f"{int(number):,}" if number == number.to_integral_value() else f"{number:,}"


def flag_detail(rule: str, evidence: dict) -> str:
    """The evidence of a flag in words, in the active language."""
    e = evidence or {}
    if rule == Rule.SELF_DEALING:
        phone = mask_phone(e.get("phone", "")) if e.get("phone") else ""
        whose = e.get("whose")
        if whose == "own_partner":
            return _("villager phone %(phone)s is the phone of the order's own partner %(name)s") % {
                "phone": phone,
                "name": e.get("name", ""),
            }
        if whose == "other_partner":
            return _("villager phone %(phone)s is the phone of another partner, %(name)s") % {
                "phone": phone,
                "name": e.get("name", ""),
            }
        return _("villager phone %(phone)s is the phone of staff login %(name)s") % {
            "phone": phone,
            "name": e.get("name", ""),
        }
    if rule == Rule.VILLAGER_BURST:
        if e.get("window") == "day":
            return _("order %(rank)s of the villager's %(count)s on %(day)s (limit %(limit)s a day)") % {
                "rank": e.get("rank"),
                "count": e.get("count"),
                "day": e.get("day"),
                "limit": e.get("limit"),
            }
        return _("order %(rank)s of the villager's orders in the 30 days to %(day)s (limit %(limit)s)") % {
            "rank": e.get("rank"),
            "day": e.get("day"),
            "limit": e.get("limit"),
        }
    if rule == Rule.PRICE_OUTLIER:
        text = _("unit price %(price)s; category median %(median)s") % {
            "price": _yuan(e.get("unit_price", 0)),
            "median": _yuan(e.get("median", 0)),
        }
        if e.get("low") is not None and e.get("high") is not None:
            text += _("; usual range %(low)s–%(high)s over %(lines)s lines") % {
                "low": _yuan(max(Decimal(str(e["low"])), Decimal(0))),
                "high": _yuan(e["high"]),
                "lines": _number(e.get("lines", 0)),
            }
        return text
    if rule == Rule.BULK_QUANTITY:
        return _("quantity %(quantity)s of %(product)s on an assisted purchase (limit %(limit)s)") % {
            "quantity": _number(e.get("quantity", 0)),
            "product": e.get("product", ""),
            "limit": _number(e.get("limit", 0)),
        }
    if rule == Rule.TOO_FAST:
        return _("picked up %(hours)s hours after payment (at least %(limit)s expected)") % {
            "hours": f"{Decimal(str(e.get('hours', 0))):.1f}",
            "limit": _number(e.get("limit", 0)),
        }
    if rule == Rule.PARTNER_SPIKE:
        return _(
            "partner's paid sales %(sales)s on %(day)s; median daily sales %(median)s over the %(days)s days before"
        ) % {
            "sales": _yuan(e.get("sales", 0)),
            "day": e.get("day"),
            "median": _yuan(e.get("median", 0)),
            "days": e.get("days"),
        }
    if rule == Rule.PROCUREMENT_CHECK:
        return _(
            "government procurement of %(amount)s for %(buyer)s, reference %(reference)s: confirm the buyer and reference"
        ) % {
            "amount": _yuan(e.get("amount", 0)),
            "buyer": e.get("buyer", ""),
            "reference": e.get("reference", ""),
        }
    return ""
