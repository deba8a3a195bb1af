"""Writes of assisted orders: placing an order and moving it along its lifecycle.

Every page and API endpoint that changes an order calls one of these functions; each
runs in one transaction and writes its status history row in that transaction.
"""

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.dirty_days import mark_days_dirty
from counties.models import County
from counties.selectors import centre_counties_for
from notifications.services import notify
from partners.access import partner_of
from partners.commission import commission_amount, commission_rates_on
from partners.models import Partner
from rural_taobao.access import is_admin
from rural_taobao.dates import shanghai_day
from rural_taobao.errors import Conflict, Forbidden, ServiceError
from rural_taobao.money import CENT, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from rural_taobao.phones import MOBILE_PHONE_MESSAGE, is_mobile_phone, normalize_phone

from .models import (
    MAX_LINE_QUANTITY,
    MAX_LINES_PER_ORDER,
    MAX_UNIT_PRICE,
    ORDER_TRANSITIONS,
    PARCEL_ON_THE_WAY,
    PLATFORM_ORDER_NO_REGEX,
    STATUS_TIMESTAMP_FIELD,
    Category,
    Channel,
    Order,
    OrderLine,
    OrderNumberCounter,
    OrderStatus,
    OrderStatusChange,
    PlatformOrderNo,
    Promotion,
    Villager,
)
from .pickup import (
    pickup_code_check,
    pickup_code_mark_used,
    pickup_codes_issue,
    text_picked_up,
    text_placed,
    text_returned,
)

# The largest order total the money column holds (16 digits, 2 of them decimals).
MAX_ORDER_TOTAL = Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)) - CENT

# Statuses that need a written reason: the partner explains a cancellation or a return.
REASON_REQUIRED = {OrderStatus.CANCELLED, OrderStatus.RETURNED}

CLIENT_REQUEST_CONSTRAINT = "order_client_request_unique_per_partner"


class OrderError(ServiceError):
    """A refused order operation; the message is for the user."""


class IllegalTransition(OrderError, Conflict):
    """The order cannot move to that status now (illegal from its status, or stale)."""


class IdempotencyConflict(OrderError, Conflict):
    """The client_request_id was already used for an order with a different content."""

    def __init__(self, message: str, order: Order):
        super().__init__(message)
        self.order = order

    def api_body(self) -> dict:
        # The client finds the order already placed under this id.
        return {**super().api_body(), "order": self.order.pk}


class PartnerNotActive(OrderError, Forbidden):
    """A suspended or exited partner (or one not yet active) may not create or move orders."""


def partner_not_active_message(partner: Partner) -> str:
    return _("Your partner account is %(status)s: you cannot log or change orders.") % {
        "status": partner.get_status_display().lower()
    }


def _ensure_active(partner: Partner) -> None:
    if not partner.is_active:
        raise PartnerNotActive(partner_not_active_message(partner))


# ── Order numbers ─────────────────────────────────────────────────────────────


def format_order_number(county_code: str, day: dt.date, sequence: int) -> str:
    return f"{county_code}-{day:%Y%m%d}-{sequence:05d}"


def order_numbers_reserve(*, county_id: int, day: dt.date, count: int = 1) -> range:
    """Reserve `count` consecutive sequence numbers of a county's Shanghai day.

    The counter row is incremented with one UPDATE, which holds its row lock until the
    surrounding transaction ends: two transactions placing orders in the same county on
    the same day queue on that row and never see the same value (a Python-side
    max()+1 would). The row is created on the day's first order; a concurrent creator
    is absorbed by ON CONFLICT DO NOTHING. Bulk loaders (seed_demo) reserve a block.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    counter = OrderNumberCounter.objects.filter(county_id=county_id, day=day)
    if not counter.update(last_value=F("last_value") + count):
        OrderNumberCounter.objects.bulk_create(
            [OrderNumberCounter(county_id=county_id, day=day, last_value=0)], ignore_conflicts=True
        )
        counter.update(last_value=F("last_value") + count)
    last = counter.values_list("last_value", flat=True).get()
    return range(last - count + 1, last + 1)


def order_number_issue(*, county: County, day: dt.date) -> str:
    (sequence,) = order_numbers_reserve(county_id=county.pk, day=day)
    return format_order_number(county.code, day, sequence)


# ── Platform (Taobao) order numbers ───────────────────────────────────────────

# The field the numbers' errors are keyed by, on forms and in the API.
PLATFORM_NUMBERS_FIELD = "platform_order_nos"
# A basket split by seller gives several Taobao orders; more than this is a typing accident.
MAX_PLATFORM_NUMBERS_PER_ORDER = 20
# Numbers are typed or pasted one per line, or separated by commas or spaces (also the
# Chinese comma and enumeration comma of a pasted list).
_PLATFORM_NUMBER_SEPARATORS = re.compile(r"[\s,，、;；]+")
_PLATFORM_NUMBER = re.compile(PLATFORM_ORDER_NO_REGEX)


class NotTheOrdersPartner(OrderError, Forbidden):
    """Only the order's own partner (or an admin) records its platform numbers."""


class PlatformNumbersRefused(OrderError, Conflict):
    """The order takes no platform numbers in its state (it was cancelled)."""


def platform_numbers_normalise(numbers: str | Sequence[str] | None) -> tuple[str, ...]:
    """The numbers as typed: stripped, split on commas, whitespace and newlines, each once
    (in the order given). A string or a list of strings (each may hold several)."""
    if numbers is None:
        return ()
    if isinstance(numbers, str):
        numbers = [numbers]
    seen: dict[str, None] = {}
    for raw in numbers:
        for piece in _PLATFORM_NUMBER_SEPARATORS.split(_text(raw)):
            if piece:
                seen.setdefault(piece, None)
    return tuple(seen)


def _platform_number_format_errors(numbers: Sequence[str]) -> list[str]:
    errors = [
        _("“%(number)s” is not a Taobao order number: 6 to 40 letters, digits or dashes.") % {"number": number[:60]}
        for number in numbers
        if not _PLATFORM_NUMBER.fullmatch(number)
    ]
    if len(numbers) > MAX_PLATFORM_NUMBERS_PER_ORDER:
        errors.append(_("An order has at most %(max)d Taobao order numbers.") % {"max": MAX_PLATFORM_NUMBERS_PER_ORDER})
    return errors


def _platform_numbers_taken(
    numbers: Sequence[str], *, partner_id: int, order: Order | None = None
) -> tuple[list[str], set[str]]:
    """Messages for the numbers recorded on another order, and the numbers `order` (if
    any) already has. The partner's own other order is named; another partner's is not
    (its number is not theirs to see)."""
    messages: list[str] = []
    on_this: set[str] = set()
    rows = PlatformOrderNo.objects.filter(number__in=list(numbers)).values_list(
        "number", "order_id", "order__order_no", "order__partner_id"
    )
    for number, order_id, order_no, order_partner_id in rows.order_by("number"):
        if order is not None and order_id == order.pk:
            on_this.add(number)
        elif order_partner_id == partner_id:
            messages.append(
                _("Taobao order number %(number)s is already recorded on order %(order_no)s.")
                % {"number": number, "order_no": order_no}
            )
        else:
            messages.append(
                _("Taobao order number %(number)s is already recorded on another order.") % {"number": number}
            )
    return messages, on_this


def _platform_numbers_insert(
    order: Order, numbers: Sequence[str], *, by_user, now: dt.datetime
) -> list[PlatformOrderNo]:
    """Record on `order` (locked by the caller, or just created) the numbers it does not
    have yet. A number on another order is refused (ValidationError keyed by
    ``platform_order_nos``), also when a concurrent request records it first: the unique
    index answers, and the savepoint keeps the caller's transaction usable."""
    taken, on_this = _platform_numbers_taken(numbers, partner_id=order.partner_id, order=order)
    if taken:
        raise ValidationError({PLATFORM_NUMBERS_FIELD: taken})
    new = [number for number in numbers if number not in on_this]
    if not new:
        return []
    if PlatformOrderNo.objects.filter(order=order).count() + len(new) > MAX_PLATFORM_NUMBERS_PER_ORDER:
        raise ValidationError(
            {
                PLATFORM_NUMBERS_FIELD: [
                    _("An order has at most %(max)d Taobao order numbers.") % {"max": MAX_PLATFORM_NUMBERS_PER_ORDER}
                ]
            }
        )
    user = by_user if getattr(by_user, "is_authenticated", False) else None
    rows = [PlatformOrderNo(order=order, number=number, created_at=now, added_by=user) for number in new]
    try:
        with transaction.atomic():
            PlatformOrderNo.objects.bulk_create(rows)
    except IntegrityError:
        # Another order took one of them between our check and our insert.
        taken, _on_this = _platform_numbers_taken(new, partner_id=order.partner_id, order=order)
        raise ValidationError(
            {
                PLATFORM_NUMBERS_FIELD: taken
                or [_("One of these Taobao order numbers was just recorded on another order. Check and try again.")]
            }
        ) from None
    return rows


def order_platform_numbers_add(
    *, order: Order | int, numbers: str | Sequence[str], by_user, partner: Partner | None = None
) -> list[PlatformOrderNo]:
    """Record platform (Taobao) order numbers on an order; returns the numbers added
    (one already on this order is skipped: adding twice is harmless).

    Only the order's own active partner or an admin may add; `partner` scopes the lookup
    (Order.DoesNotExist outside it). A cancelled order takes none (PlatformNumbersRefused,
    409); a bad or taken number is a ValidationError keyed by ``platform_order_nos``.
    """
    order_id = order.pk if isinstance(order, Order) else int(order)
    cleaned = platform_numbers_normalise(numbers)
    if not cleaned:
        raise ValidationError({PLATFORM_NUMBERS_FIELD: [_("Enter at least one Taobao order number.")]})
    errors = _platform_number_format_errors(cleaned)
    if errors:
        raise ValidationError({PLATFORM_NUMBERS_FIELD: errors})
    admin = is_admin(by_user)
    with transaction.atomic():
        # Locked: a cancellation and an addition of the same order do not cross.
        locked = Order.objects.select_for_update(of=("self",)).select_related("partner")
        if partner is not None:
            locked = locked.filter(partner=partner)
        current = locked.get(pk=order_id)
        if not admin:
            own = partner_of(by_user)
            if own is None or own.pk != current.partner_id:
                raise NotTheOrdersPartner(_("Only the order's own partner records its Taobao order numbers."))
            _ensure_active(current.partner)
        if current.status == OrderStatus.CANCELLED:
            raise PlatformNumbersRefused(
                _("Order %(order_no)s was cancelled: it takes no Taobao order numbers.")
                % {"order_no": current.order_no}
            )
        return _platform_numbers_insert(current, cleaned, by_user=by_user, now=timezone.now())


# ── Placing an order ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LineInput:
    product_name: str
    category_slug: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OrderInput:
    """What the partner asked for, normalised so a retry can be compared with the original."""

    channel: str
    villager_name: str
    villager_phone: str
    promotion_id: int | None
    buyer_organisation: str
    reference: str
    lines: tuple[LineInput, ...]
    # The Taobao order numbers given with the order (normalised; empty: none given).
    platform_order_nos: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderCreateResult:
    order: Order
    created: bool


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _category_slug(value: Any) -> str:
    if isinstance(value, Category):
        return value.slug
    return _text(value)


def _promotion_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, Promotion):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # refused by validation as "no such promotion"


def _quantity(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(_text(value))
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def _price(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        price = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        return None
    return price if price.is_finite() else None


def _normalise(
    *, channel, villager_name, villager_phone, lines, promotion, buyer_organisation, reference, platform_order_nos=None
) -> tuple[OrderInput, dict[str, list[str]]]:
    """Parse the raw input; return it normalised with any parse errors (field-keyed)."""
    errors: dict[str, list[str]] = {}
    parsed_lines = []
    for index, raw in enumerate(lines or []):
        raw = raw or {}
        quantity = _quantity(raw.get("quantity"))
        price = _price(raw.get("unit_price"))
        if quantity is None:
            errors.setdefault(f"lines.{index}.quantity", []).append(_("Enter a whole number."))
        if price is None:
            errors.setdefault(f"lines.{index}.unit_price", []).append(_("Enter a price in yuan, e.g. 3999.00."))
        parsed_lines.append(
            LineInput(
                product_name=_text(raw.get("product_name")),
                category_slug=_category_slug(raw.get("category")),
                quantity=quantity if quantity is not None else 0,
                unit_price=price if price is not None else Decimal(0),
            )
        )
    data = OrderInput(
        channel=_text(channel),
        villager_name=_text(villager_name),
        villager_phone=normalize_phone(villager_phone),
        promotion_id=_promotion_id(promotion),
        buyer_organisation=_text(buyer_organisation),
        reference=_text(reference),
        lines=tuple(parsed_lines),
        platform_order_nos=platform_numbers_normalise(platform_order_nos),
    )
    return data, errors


def _validate(
    *, partner: Partner, data: OrderInput, errors: dict[str, list[str]], today: dt.date
) -> tuple[dict[str, Category], Promotion | None, Villager | None]:
    """Check every rule of a new order; raise ValidationError with field-keyed messages."""

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if data.channel not in Channel.values:
        add("channel", _("Choose a channel: assisted purchase, government procurement or farm produce."))

    # Villagers belong to the village: a successor finds those their predecessor served.
    villager = Villager.objects.filter(village_id=partner.village_id, phone=data.villager_phone).first()
    if not is_mobile_phone(data.villager_phone):
        add("villager_phone", str(MOBILE_PHONE_MESSAGE))
    name_max_length = Villager._meta.get_field("name").max_length
    if not data.villager_name and villager is None:
        add("villager_name", _("Enter the villager's name."))
    elif name_max_length is not None and len(data.villager_name) > name_max_length:
        add("villager_name", _("The name is too long (at most 50 characters)."))

    if data.channel == Channel.GOVERNMENT_PROCUREMENT:
        if not data.buyer_organisation:
            add("buyer_organisation", _("A procurement order names the buying body."))
        if not data.reference:
            add("reference", _("A procurement order needs the buyer's reference number."))
    if len(data.buyer_organisation) > 200:
        add("buyer_organisation", _("At most 200 characters."))
    if len(data.reference) > 100:
        add("reference", _("At most 100 characters."))

    promotion = None
    if data.promotion_id is not None:
        promotion = Promotion.objects.filter(pk=data.promotion_id).first()
        if promotion is None:
            add("promotion", _("That promotion does not exist."))
        elif not (promotion.starts_on <= today <= promotion.ends_on):
            add("promotion", _("The promotion %(name)s is not running today.") % {"name": promotion.name})

    if not data.lines:
        add("lines", _("Add at least one line: product, category, quantity and unit price."))
    elif len(data.lines) > MAX_LINES_PER_ORDER:
        add("lines", _("An order has at most %(max)d lines.") % {"max": MAX_LINES_PER_ORDER})

    slugs = {line.category_slug for line in data.lines if line.category_slug}
    categories = {category.slug: category for category in Category.objects.filter(slug__in=slugs)}
    total = Decimal(0)
    for index, line in enumerate(data.lines):
        key = f"lines.{index}."
        if not line.product_name:
            add(key + "product_name", _("Enter the product name."))
        elif len(line.product_name) > 200:
            add(key + "product_name", _("At most 200 characters."))
        category = categories.get(line.category_slug)
        if not line.category_slug:
            add(key + "category", _("Choose a category."))
        elif category is None:
            add(key + "category", _("That category does not exist."))
        elif data.channel == Channel.FARM_PRODUCE and not category.is_farm_produce:
            add(key + "category", _("A farm produce order uses a farm produce category."))
        elif data.channel in Channel.values and data.channel != Channel.FARM_PRODUCE and category.is_farm_produce:
            add(key + "category", _("A farm produce category belongs to a farm produce order."))
        if key + "quantity" not in errors:
            if line.quantity < 1:
                add(key + "quantity", _("The quantity is at least 1."))
            elif line.quantity > MAX_LINE_QUANTITY:
                add(key + "quantity", _("The quantity is at most %(max)s.") % {"max": f"{MAX_LINE_QUANTITY:,}"})
        if key + "unit_price" not in errors:
            if line.unit_price <= 0:
                add(key + "unit_price", _("The unit price must be more than 0."))
            elif line.unit_price > MAX_UNIT_PRICE:
                add(key + "unit_price", _("The unit price is at most %(max)s yuan.") % {"max": f"{MAX_UNIT_PRICE:,}"})
            elif line.unit_price != line.unit_price.quantize(CENT):
                add(key + "unit_price", _("A price has at most two decimals (fen)."))
            elif 1 <= line.quantity <= MAX_LINE_QUANTITY:
                total += line.unit_price * line.quantity
    if total > MAX_ORDER_TOTAL:
        add("lines", _("The order total is too large; split it into several orders."))

    if data.platform_order_nos:
        number_errors = _platform_number_format_errors(data.platform_order_nos)
        if not number_errors:
            number_errors, _on_this = _platform_numbers_taken(data.platform_order_nos, partner_id=partner.pk)
        for message in number_errors:
            add(PLATFORM_NUMBERS_FIELD, message)

    if errors:
        raise ValidationError(dict(errors))
    return categories, promotion, villager


def _same_request(order: Order, data: OrderInput) -> bool:
    """Whether a repeated client_request_id carries the content of the stored order."""
    stored_lines = tuple(
        LineInput(
            product_name=line.product_name,
            category_slug=line.category.slug,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for line in order.lines.select_related("category").order_by("id")
    )
    return (
        order.channel == data.channel
        and order.villager.phone == data.villager_phone
        and (not data.villager_name or order.villager.name == data.villager_name)
        and order.promotion_id == data.promotion_id
        and order.buyer_organisation == data.buyer_organisation
        and order.reference == data.reference
        and stored_lines == data.lines
        # Numbers count only when the retry gives some; the order may have more by now
        # (added later from its page), so those given must all be on it.
        and (
            not data.platform_order_nos
            or set(data.platform_order_nos) <= set(order.platform_numbers.values_list("number", flat=True))
        )
    )


def _replay(order: Order, data: OrderInput) -> OrderCreateResult:
    if _same_request(order, data):
        return OrderCreateResult(order=order, created=False)
    raise IdempotencyConflict(
        _("This form was already used for order %(order_no)s with different content.") % {"order_no": order.order_no},
        order=order,
    )


def _existing(partner: Partner, client_request_id: uuid.UUID) -> Order | None:
    return Order.objects.select_related("villager").filter(partner=partner, client_request_id=client_request_id).first()


def _villager_for(*, partner: Partner, name: str, phone: str, villager: Villager | None) -> Villager:
    if villager is None:
        villager, _created = Villager.objects.get_or_create(
            village_id=partner.village_id, phone=phone, defaults={"name": name}
        )
    if name and villager.name != name:
        # The partner's latest spelling of the name wins.
        villager.name = name
        villager.save(update_fields=["name"])
    return villager


def _parse_request_id(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(_text(value))
    except ValueError:
        raise ValidationError({"client_request_id": [_("The form is out of date: reload the page.")]}) from None


def order_create(
    *,
    partner: Partner,
    client_request_id: uuid.UUID | str,
    channel: str,
    villager_name: str,
    villager_phone: str,
    lines: Sequence[dict[str, Any]],
    promotion: Promotion | int | None = None,
    buyer_organisation: str = "",
    reference: str = "",
    platform_order_nos: Sequence[str] | str | None = None,
    by_user=None,
) -> OrderCreateResult:
    """Place an assisted order for a villager, exactly once per `client_request_id`.

    `lines` are dicts with product_name, category (slug or Category), quantity and
    unit_price. The same client_request_id with the same content returns the stored
    order (created=False) — a double tap, a browser resubmit or a retry after a timeout;
    with another content it raises IdempotencyConflict. Bad input raises ValidationError
    keyed by field ("villager_phone", "lines", "lines.<i>.<field>", ...).

    `platform_order_nos` (optional) are the Taobao order numbers the partner placed it
    under, recorded in the same transaction (see ``order_platform_numbers_add``); a
    retry compares them only when it gives some.
    """
    request_id = _parse_request_id(client_request_id)
    data, errors = _normalise(
        channel=channel,
        villager_name=villager_name,
        villager_phone=villager_phone,
        lines=lines,
        promotion=promotion,
        buyer_organisation=buyer_organisation,
        reference=reference,
        platform_order_nos=platform_order_nos,
    )
    # A retry is answered with the stored order even if a rule changed meanwhile
    # (say the promotion ended at midnight): the order was accepted the first time.
    existing = _existing(partner, request_id)
    if existing is not None:
        return _replay(existing, data)
    _ensure_active(partner)
    now = timezone.now()
    today = shanghai_day(now)
    categories, promotion_obj, villager = _validate(partner=partner, data=data, errors=errors, today=today)

    with transaction.atomic():
        try:
            # A savepoint: when a concurrent submit of the same form commits first, our
            # insert hits the unique (partner, client_request_id) constraint; we roll
            # back to here (the counter increment too) and answer with its order.
            with transaction.atomic():
                order = _order_insert(
                    partner=partner,
                    request_id=request_id,
                    data=data,
                    categories=categories,
                    promotion=promotion_obj,
                    villager=villager,
                    now=now,
                    today=today,
                    by_user=by_user,
                )
        except IntegrityError:
            existing = _existing(partner, request_id)
            if existing is None:
                raise
            return _replay(existing, data)
    return OrderCreateResult(order=order, created=True)


def _order_insert(
    *,
    partner: Partner,
    request_id: uuid.UUID,
    data: OrderInput,
    categories: dict[str, Category],
    promotion: Promotion | None,
    villager: Villager | None,
    now: dt.datetime,
    today: dt.date,
    by_user,
) -> Order:
    village = partner.village
    villager = _villager_for(partner=partner, name=data.villager_name, phone=data.villager_phone, villager=villager)
    order_lines = [
        OrderLine(
            product_name=line.product_name,
            category=categories[line.category_slug],
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=(line.unit_price * line.quantity).quantize(CENT),
        )
        for line in data.lines
    ]
    order = Order.objects.create(
        order_no=order_number_issue(county=village.county, day=today),
        client_request_id=request_id,
        partner=partner,
        placed_by=partner,
        villager=villager,
        village=village,
        county_id=village.county_id,
        channel=data.channel,
        promotion=promotion,
        status=OrderStatus.PLACED,
        total_amount=sum((line.line_total for line in order_lines), Decimal("0.00")),
        buyer_organisation=data.buyer_organisation,
        reference=data.reference,
        placed_at=now,
    )
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderStatusChange.objects.create(
        order=order, from_status="", to_status=OrderStatus.PLACED, changed_by=by_user, changed_at=now
    )
    if data.platform_order_nos:
        _platform_numbers_insert(order, data.platform_order_nos, by_user=by_user, now=now)
    notify(order.villager.phone, "order_placed", text_placed(order))
    return order


# ── Moving an order along ─────────────────────────────────────────────────────

TRACKING_NO_REGEX = re.compile(r"^[0-9A-Za-z-]{6,40}$")


def tracking_normalise(carrier: Any, tracking_no: Any) -> tuple[str, str]:
    """A parcel's carrier (up to 50 characters) and waybill number (6 to 40 letters, digits
    or dashes), stripped; ``ValidationError`` naming the field otherwise."""
    carrier, tracking_no = _text(carrier), _text(tracking_no).replace(" ", "").upper()
    errors: dict[str, list[str]] = {}
    if len(carrier) > 50:
        errors["carrier"] = [_("A carrier's name has at most 50 characters.")]
    if tracking_no and not TRACKING_NO_REGEX.match(tracking_no):
        errors["tracking_no"] = [_("A tracking number has 6 to 40 letters, digits or dashes.")]
    if errors:
        raise ValidationError(errors)
    return carrier, tracking_no


def may_override_pickup(user, *, county_id: int) -> bool:
    """Admins, and county centre staff assigned to the county."""
    if is_admin(user):
        return True
    return centre_counties_for(user).filter(pk=county_id).exists()


def order_tracking_set(
    *, order_id: int, by_user, carrier: Any, tracking_no: Any, partner: Partner | None = None
) -> Order:
    """Record (or correct) the parcel's carrier and tracking number on the order's page,
    while it is on its way (not before payment, not once picked up)."""
    carrier, tracking_no = tracking_normalise(carrier, tracking_no)
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",))
        if partner is not None:
            locked = locked.filter(partner=partner)
        order = locked.get(pk=order_id)
        if order.status not in PARCEL_ON_THE_WAY and order.status != OrderStatus.PAID:
            raise IllegalTransition(
                _("Order %(order_no)s is “%(status)s”: its parcel takes no tracking number now.")
                % {"order_no": order.order_no, "status": order.get_status_display()}
            )
        order.carrier, order.tracking_no = carrier, tracking_no
        order.save(update_fields=["carrier", "tracking_no", "updated_at"])
    return order


def order_transition(
    *,
    to_status: str,
    by_user,
    order: Order | None = None,
    order_id: int | None = None,
    reason: str = "",
    partner: Partner | None = None,
    expected_status: str | None = None,
    platform_order_nos: Sequence[str] | str | None = None,
    carrier: str = "",
    tracking_no: str = "",
    pickup_code: str | None = None,
    override_reason: str = "",
) -> Order:
    """Move an order to `to_status` if ORDER_TRANSITIONS allows it from its current status.

    The order row is locked (SELECT … FOR UPDATE), so of two concurrent moves the second
    sees the first one's result and is refused when it is no longer legal. A page passes
    `expected_status` (the status it showed): a move based on a stale page is refused.
    `partner` scopes the lookup (Order.DoesNotExist outside it). Cancel and return
    need a reason. Payment snapshots each line's commission rate and amount; with it the
    partner may give the order's Taobao order numbers (`platform_order_nos`), recorded in
    the same transaction (a refused number refuses the move too). Shipping may name the
    parcel's `carrier` and `tracking_no`. Reaching the service point texts the villager a
    pickup code; picking up needs it (`pickup_code`, ``orders.pickup``) — or, from county
    centre staff of the order's county or an admin, an `override_reason`.
    """
    if order_id is None:
        if order is None:
            raise TypeError("order_transition() needs order or order_id")
        order_id = order.pk
    reason = _text(reason)
    if to_status not in OrderStatus.values:
        raise IllegalTransition(_("Unknown status “%(status)s”.") % {"status": to_status})
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": [_("Give a reason for the cancellation or return.")]})
    numbers = platform_numbers_normalise(platform_order_nos)
    if numbers:
        if to_status != OrderStatus.PAID:
            raise ValidationError(
                {PLATFORM_NUMBERS_FIELD: [_("Taobao order numbers go with the payment, or on the order's page.")]}
            )
        number_errors = _platform_number_format_errors(numbers)
        if number_errors:
            raise ValidationError({PLATFORM_NUMBERS_FIELD: number_errors})
    carrier, tracking_no = tracking_normalise(carrier, tracking_no)
    if (carrier or tracking_no) and to_status != OrderStatus.SHIPPED:
        raise ValidationError(
            {"tracking_no": [_("A carrier and tracking number go with shipping, or on the order's page.")]}
        )
    override_reason = _text(override_reason)
    if to_status == OrderStatus.PICKED_UP:
        scoped = Order.objects.filter(pk=order_id)
        if partner is not None:
            scoped = scoped.filter(partner=partner)
        found = scoped.values_list("status", "county_id").get()
        if override_reason:
            if not may_override_pickup(by_user, county_id=found[1]):
                raise Forbidden(
                    _(
                        "Only county centre staff of the order's county or an admin may hand a parcel over without its code."
                    )
                )
        elif found[0] == OrderStatus.AT_SERVICE_POINT:
            # Counted in a transaction of its own: a wrong code stays counted.
            pickup_code_check(order_id, pickup_code)
    elif override_reason:
        raise ValidationError({"override_reason": [_("Only a pickup is handed over without its code.")]})

    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("partner")
        if partner is not None:
            locked = locked.filter(partner=partner)
        current = locked.get(pk=order_id)
        _ensure_active(current.partner)
        from_status = current.status
        if expected_status and expected_status != from_status:
            raise IllegalTransition(
                _("Order %(order_no)s was changed meanwhile: it is now “%(status)s”. Check it and try again.")
                % {"order_no": current.order_no, "status": current.get_status_display()}
            )
        if to_status not in ORDER_TRANSITIONS[from_status]:
            raise IllegalTransition(
                _("Order %(order_no)s cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "order_no": current.order_no,
                    "from": current.get_status_display(),
                    "to": OrderStatus(to_status).label,
                }
            )
        now = timezone.now()
        current.status = to_status
        timestamp_field = STATUS_TIMESTAMP_FIELD[to_status]
        setattr(current, timestamp_field, now)
        changed = ["status", timestamp_field, "updated_at"]
        if to_status == OrderStatus.SHIPPED and (carrier or tracking_no):
            current.carrier, current.tracking_no = carrier or current.carrier, tracking_no or current.tracking_no
            changed += ["carrier", "tracking_no"]
        current.save(update_fields=changed)
        if to_status == OrderStatus.AT_SERVICE_POINT:
            pickup_codes_issue([current], now=now)
        elif to_status == OrderStatus.PICKED_UP:
            pickup_code_mark_used(
                current.pk, now=now, overridden_by=by_user if override_reason else None, reason=override_reason
            )
            notify(current.villager.phone, "picked_up", text_picked_up(current))
            if override_reason:
                reason = _("Handed over without the pickup code: %(reason)s") % {"reason": override_reason}
        elif to_status == OrderStatus.RETURNED:
            notify(current.villager.phone, "returned", text_returned(current))
        if to_status == OrderStatus.PAID:
            _snapshot_commission(current, paid_day=shanghai_day(now))
            if numbers:
                _platform_numbers_insert(current, numbers, by_user=by_user, now=now)
        if to_status == OrderStatus.PAID or (
            to_status in (OrderStatus.CANCELLED, OrderStatus.RETURNED) and current.paid_at is not None
        ):
            # A payment counts on its day, a return or a cancellation after payment on
            # its own day: only today's rollups change.
            mark_days_dirty([shanghai_day(now)])
        OrderStatusChange.objects.create(
            order=current,
            from_status=from_status,
            to_status=to_status,
            changed_by=by_user,
            changed_at=now,
            reason=reason,
        )
    if order is not None and order is not current:
        order.refresh_from_db()
    return current


def _snapshot_commission(order: Order, *, paid_day: dt.date) -> None:
    lines = list(order.lines.all())
    rates = commission_rates_on(day=paid_day, category_ids={line.category_id for line in lines}, channel=order.channel)
    for line in lines:
        line.commission_rate = rates[line.category_id]
        line.commission_amount = commission_amount(line.line_total, line.commission_rate)
    OrderLine.objects.bulk_update(lines, ["commission_rate", "commission_amount"])
