"""The 亿元淘宝县 measure: each county's trailing-12-month online sales (what it sells:
farm produce, or the official monthly figure where imported) against the mark
(``settings.TAOBAO_COUNTY_THRESHOLD_YUAN``, ¥100 million), its projection at current
growth, the programme's headline counts and the ranking.

Reads the nightly county summary (``CountySummary``) only. The Python names and the
API keep "billion_yuan" (a contract); what they measure is the ¥1亿 mark.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.db.models import Case, Count, DecimalField, F, Max, Q, QuerySet, When
from django.utils.translation import gettext_lazy as _

from counties.models import County, Province, Region
from counties.selectors import counties_visible_to
from rural_taobao.dates import add_months

from .models import (
    CountySummary,
)
from .rollups import taobao_county_threshold

ZERO = Decimal("0.00")
MIDWEST_REGIONS = (Region.CENTRAL, Region.WEST)
# A projection further away than this is no projection at all.
MAX_PROJECTION_MONTHS = 1200


@dataclass
class BillionYuanProgress:
    """Trailing-12-month online sales against the ¥100-million mark, and when the county
    gets there; purchases and procurement beside them (not in them)."""

    trailing_12m_sales: Decimal
    prior_12m_sales: Decimal
    year_to_date_sales: Decimal
    as_of: dt.date | None
    national_rank: int | None
    provincial_rank: int | None
    status: str  # "reached", "projected" or "not_at_current_growth"
    projected_month: dt.date | None = None
    months_to_go: int | None = None
    trailing_12m_purchases: Decimal = ZERO
    trailing_12m_procurement: Decimal = ZERO
    official_months: int = 0

    @property
    def threshold(self) -> Decimal:
        return taobao_county_threshold()

    @property
    def progress(self) -> float:
        return float(self.trailing_12m_sales / taobao_county_threshold())

    @property
    def progress_percent(self) -> float:
        return min(self.progress * 100, 100.0)

    @property
    def growth(self) -> float | None:
        """Trailing 12 months over the 12 months before (1.25 = a quarter more)."""
        if self.prior_12m_sales <= 0:
            return None
        return float(self.trailing_12m_sales / self.prior_12m_sales)

    @property
    def growth_change(self) -> float | None:
        growth = self.growth
        return None if growth is None else growth - 1


def billion_yuan_projection(
    *, trailing_12m: Decimal, prior_12m: Decimal, as_of: dt.date
) -> tuple[str, dt.date | None, int | None]:
    """(status, projected month, months from ``as_of``) at the county's current 12-month growth.

    Growth g = trailing 12 months / the 12 months before. Growing by g a year, sales
    t reach the mark M (¥1亿) after m = ceil(12 · ln(M / t) / ln g) months. No growth
    (g ≤ 1), no prior year or no sales at all: "not at current growth".
    """
    t12, p12 = Decimal(trailing_12m), Decimal(prior_12m)
    mark = taobao_county_threshold()
    if t12 >= mark:
        return "reached", None, 0
    if t12 <= 0 or p12 <= 0 or t12 <= p12:
        return "not_at_current_growth", None, None
    growth = float(t12 / p12)
    exact = 12 * math.log(float(mark / t12)) / math.log(growth)
    # A whole number of months computed in floating point may come out a hair above it.
    months = math.ceil(exact - 1e-9)
    if months > MAX_PROJECTION_MONTHS:
        return "not_at_current_growth", None, None
    return "projected", add_months(as_of, months), months


def billion_yuan_progress(summary: CountySummary | None) -> BillionYuanProgress:
    if summary is None:
        return BillionYuanProgress(ZERO, ZERO, ZERO, None, None, None, "not_at_current_growth")
    status, month, months = billion_yuan_projection(
        trailing_12m=summary.trailing_12m_sales, prior_12m=summary.prior_12m_sales, as_of=summary.as_of
    )
    return BillionYuanProgress(
        trailing_12m_sales=summary.trailing_12m_sales,
        prior_12m_sales=summary.prior_12m_sales,
        year_to_date_sales=summary.year_to_date_sales,
        as_of=summary.as_of,
        national_rank=summary.national_rank,
        provincial_rank=summary.provincial_rank,
        status=status,
        projected_month=month,
        months_to_go=months,
        trailing_12m_purchases=summary.trailing_12m_purchases,
        trailing_12m_procurement=summary.trailing_12m_procurement,
        official_months=summary.official_months,
    )


def county_summary(county: County) -> CountySummary | None:
    """The county's summary row, from ``select_related("summary")`` when the caller fetched it."""
    try:
        return county.summary
    except CountySummary.DoesNotExist:
        return None


@dataclass
class Headline:
    """The programme's way of counting: ¥100-million (亿元) Taobao counties, how many in the Midwest
    (central and west regions), how many national poverty counties among them."""

    billion_yuan_counties: int
    midwest: int
    poverty: int
    provinces: int
    counties: int
    as_of: dt.date | None

    @property
    def threshold(self) -> Decimal:
        return taobao_county_threshold()


def billion_yuan_headline() -> Headline:
    billion = Q(is_billion_yuan=True)
    figures = CountySummary.objects.aggregate(
        counties=Count("pk"),
        billion=Count("pk", filter=billion),
        midwest=Count("pk", filter=billion & Q(county__region__in=MIDWEST_REGIONS)),
        poverty=Count("pk", filter=billion & Q(county__is_poverty_county=True)),
        provinces=Count("county__province_id", filter=billion, distinct=True),
        as_of=Max("as_of"),
    )
    return Headline(
        billion_yuan_counties=figures["billion"],
        midwest=figures["midwest"],
        poverty=figures["poverty"],
        provinces=figures["provinces"],
        counties=figures["counties"],
        as_of=figures["as_of"],
    )


BOOLEAN_CHOICES = [("true", _("yes")), ("false", _("no"))]


def _true(value: str) -> bool:
    return value == "true"


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Ordering where a missing value (no growth without a prior year) sorts last both ways."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        name = value.lstrip("-")
        return F(name).desc(nulls_last=True) if value.startswith("-") else F(name).asc(nulls_last=True)


class RankingFilter(django_filters.FilterSet):
    """Filters and ordering of the 亿元淘宝县 ranking: the national page and
    ``GET /api/v1/rankings/billion-yuan/`` use this one definition."""

    province = django_filters.ModelChoiceFilter(
        field_name="county__province",
        queryset=Province.objects.all(),
        to_field_name="code",
        label=_("Province"),
        empty_label=_("All provinces"),
        help_text=_("Two-digit province code."),
    )
    region = django_filters.ChoiceFilter(
        field_name="county__region", choices=Region.choices, label=_("Region"), empty_label=_("All regions")
    )
    poverty = django_filters.TypedChoiceFilter(
        field_name="county__is_poverty_county",
        choices=BOOLEAN_CHOICES,
        coerce=_true,
        label=_("National poverty counties"),
        help_text=_("true: only national poverty counties; false: only the others."),
    )
    billion_yuan = django_filters.TypedChoiceFilter(
        field_name="is_billion_yuan",
        choices=BOOLEAN_CHOICES,
        coerce=_true,
        label=_("¥100-million Taobao counties"),
        help_text=_("true: only ¥100-million Taobao counties (亿元淘宝县); false: only the others."),
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            ("national_rank", "rank"),
            ("trailing_12m_sales", "trailing_12m_sales"),
            ("year_to_date_sales", "year_to_date_sales"),
            ("growth", "growth"),
            ("county__code", "code"),
            ("county__province__code", "province"),
        ),
        field_labels={
            "national_rank": _("Rank"),
            "trailing_12m_sales": _("Trailing 12-month sales"),
            "year_to_date_sales": _("Sales this year"),
            "growth": _("Growth"),
            "county__code": _("County code"),
            "county__province__code": _("Province"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = CountySummary
        fields = ["province", "region", "poverty", "billion_yuan"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Ties sort in a stable order: by county code.
        return queryset.order_by(*queryset.query.order_by, "county__code")


def ranking_queryset(user) -> QuerySet[CountySummary]:
    """The 亿元淘宝县 ranking rows the user may see: every county for admins, their own
    counties (with their national ranks) for county staff. Best first."""
    growth = Case(
        When(prior_12m_sales__gt=0, then=F("trailing_12m_sales") / F("prior_12m_sales")),
        default=None,
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )
    return (
        CountySummary.objects.filter(county__in=counties_visible_to(user))
        .select_related("county__province")
        .annotate(growth=growth)
        .order_by("national_rank", "county__code")
    )


def county_sales_so_far(county: County) -> tuple[Decimal, Decimal, float | None]:
    """(this year's online sales, the yearly target, share of the target reached)."""
    summary = county_summary(county)
    sales = summary.year_to_date_sales if summary else ZERO
    target = county.yearly_sales_target or ZERO
    share = float(sales / target) if target > 0 else None
    return sales, target, share
