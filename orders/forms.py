"""Forms of the partner's order pages. They parse what was typed; orders.services
holds the rules and its field-keyed errors are put back on these forms."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rural_taobao.errors import add_errors_to_form, field_errors

from .models import MAX_LINE_QUANTITY, MAX_LINES_PER_ORDER, MAX_UNIT_PRICE, Channel, OrderStatus

# Rows of empty lines a fresh form shows; "add a line" (with or without JavaScript) adds more.
INITIAL_LINE_ROWS = 2


class OrderForm(forms.Form):
    """Every field is text: orders.services parses and checks all of it at once, so the
    partner sees every problem on one answer, in the page's language."""

    # Also in the page's URL (?form=…): see views.partner_order_new.
    client_request_id = forms.CharField(required=False, widget=forms.HiddenInput)
    channel = forms.CharField(
        label=_("Channel"),
        initial=Channel.ASSISTED_PURCHASE,
        required=False,
        widget=forms.RadioSelect(choices=Channel.choices),
    )
    villager_phone = forms.CharField(
        label=_("Villager's mobile"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "138…", "maxlength": 13}
        ),
    )
    villager_name = forms.CharField(
        label=_("Villager's name"),
        required=False,
        help_text=_("Needed for a new villager; a known villager is found by phone."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 50}),
    )
    promotion = forms.CharField(label=_("Promotion"), required=False, widget=forms.Select)
    buyer_organisation = forms.CharField(
        label=_("Buying organisation"),
        required=False,
        help_text=_("The county or township body that buys."),
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )
    reference = forms.CharField(
        label=_("Reference number"),
        required=False,
        help_text=_("The buyer's reference number."),
        widget=forms.TextInput(attrs={"maxlength": 100}),
    )
    platform_order_nos = forms.CharField(
        label=_("Taobao order number(s)"),
        required=False,
        max_length=1000,
        help_text=_("Optional: the order number(s) on Taobao, separated by commas or spaces. You can add them later."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "maxlength": 1000}),
    )

    def __init__(self, *args, promotions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["promotion"].widget.choices = [("", _("No promotion"))] + [(str(p.pk), p.name) for p in promotions]
        if not self.is_bound and not self.initial.get("client_request_id"):
            self.initial["client_request_id"] = str(uuid.uuid4())
        if not self.is_bound and "promotion" not in self.initial and promotions:
            # The running promotion is preselected.
            self.initial["promotion"] = str(promotions[0].pk)

    def service_input(self) -> dict:
        data = self.cleaned_data
        return {
            "client_request_id": data["client_request_id"],
            "channel": data["channel"],
            "villager_name": data["villager_name"],
            "villager_phone": data["villager_phone"],
            "promotion": data["promotion"] or None,
            "buyer_organisation": data["buyer_organisation"],
            "reference": data["reference"],
            "platform_order_nos": data.get("platform_order_nos") or None,
        }


def category_choices(categories, language: str | None = None) -> list:
    goods = [(c.slug, c.localized_name(language)) for c in categories if not c.is_farm_produce]
    farm = [(c.slug, c.localized_name(language)) for c in categories if c.is_farm_produce]
    return [("", "—"), (_("Goods"), goods), (_("Farm produce"), farm)]


LINE_FIELDS = ("product_name", "category", "quantity", "unit_price")


class OrderLineForm(forms.Form):
    product_name = forms.CharField(label=_("Product"), required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    category = forms.CharField(label=_("Category"), required=False, widget=forms.Select)
    quantity = forms.CharField(
        label=_("Quantity"),
        initial="1",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": MAX_LINE_QUANTITY, "step": 1}),
    )
    unit_price = forms.CharField(
        label=_("Unit price (yuan)"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "placeholder": "0.00", "autocomplete": "off", "data-max": MAX_UNIT_PRICE}
        ),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = categories

    def is_blank(self) -> bool:
        """A row the partner left empty is not a line (only the default quantity in it)."""
        return not any(self.cleaned_data.get(name) for name in ("product_name", "category", "unit_price"))

    def as_line(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in LINE_FIELDS}


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, categories=(), **kwargs):
        self.categories = categories
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"categories": self.categories}

    def initial_form_count(self):
        # Rows re-rendered from typed values (after "add a line") stay optional rows.
        return 0

    def lines(self) -> tuple[list[dict], list[OrderLineForm]]:
        """The rows with something typed in, as service input, with the form of each."""
        rows = [form for form in self.forms if form.is_valid() and not form.is_blank()]
        return [form.as_line() for form in rows], rows


def _formset_class(extra: int):
    return forms.formset_factory(
        OrderLineForm,
        formset=BaseLineFormSet,
        extra=extra,
        max_num=MAX_LINES_PER_ORDER,
        absolute_max=MAX_LINES_PER_ORDER,
    )


def line_formset(*, data=None, categories, extra_row: bool = False) -> BaseLineFormSet:
    """A fresh formset, a bound one for a POST, or (`extra_row`) the typed rows plus an empty one."""
    if data is None:
        return _formset_class(INITIAL_LINE_ROWS)(prefix="lines", categories=categories)
    bound = _formset_class(0)(data, prefix="lines", categories=categories)
    if not extra_row:
        return bound
    typed = [{name: form[name].value() for name in LINE_FIELDS} for form in bound.forms]
    return _formset_class(min(len(typed) + 1, MAX_LINES_PER_ORDER))(
        initial=typed, prefix="lines", categories=categories
    )


def apply_service_errors(error: ValidationError, *, form: OrderForm, line_forms: list[OrderLineForm]) -> list[str]:
    """Put the service's field-keyed errors on the form and its rows; return the errors
    about the lines as a whole ("add at least one line")."""
    line_errors: list[str] = []
    order_errors: dict[str, list[str]] = {}
    for key, messages in field_errors(error).items():
        if key.startswith("lines."):
            _lines, index, field = key.split(".", 2)
            line_forms[int(index)].add_error(field if field in LINE_FIELDS else None, messages)
        elif key == "lines":
            line_errors.extend(messages)
        else:
            order_errors[key] = messages
    add_errors_to_form(form, ValidationError(order_errors), exclude=("client_request_id",))
    return line_errors


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=OrderStatus.choices)
    expected_status = forms.ChoiceField(choices=OrderStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # With "paid" only (orders.services.order_transition checks it).
    platform_order_nos = forms.CharField(label=_("Taobao order number(s)"), max_length=1000, required=False)
    # With "shipped": the parcel's carrier and waybill; with "picked_up": the villager's code.
    carrier = forms.CharField(label=_("Carrier"), max_length=200, required=False)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=200, required=False)
    pickup_code = forms.CharField(label=_("Pickup code"), max_length=20, required=False)


class TrackingForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=200, required=False)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=200, required=False)


class BulkArrivedForm(forms.Form):
    orders = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": _("Tick the parcels that arrived.")}
    )

    def __init__(self, *args, order_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(pk, pk) for pk in order_ids]


class PlatformNumbersForm(forms.Form):
    """Add Taobao order numbers on the order page; orders.services checks them."""

    platform_order_nos = forms.CharField(
        label=_("Taobao order number(s)"),
        max_length=1000,
        help_text=_("Separated by commas or spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 1000}),
    )


class VillagerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or phone"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. Wang or 139"), "autocomplete": "off"}),
    )
