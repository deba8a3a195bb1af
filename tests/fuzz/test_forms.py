"""Random form data and query strings to every form view, as the role that may use it:
never a 500. (The API gets the same treatment from schemathesis.)"""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.factories import OrderFactory

pytestmark = pytest.mark.django_db

text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=200, max_size=3000),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e309",
            "NaN",
            "99999999999999999999",
            "2025-13-45",
            "../../etc",
            "<script>",
            "=cmd|' /C calc'!A0",
            "13800138000",
            "410225",
            "\x00",
            "assisted_purchase",
            "paid",
            "1",
            "on",
        ]
    ),
)


def form_data(field_names):
    keys = st.one_of(st.sampled_from(field_names), st.text(min_size=1, max_size=12))
    return st.dictionaries(keys, st.one_of(text, st.lists(text, max_size=3)), max_size=len(field_names) + 3)


# (who, method, url template, field names the view knows)
FORMS = [
    ("anonymous", "post", "/accounts/login/", ["username", "password", "next"]),
    (
        "anonymous",
        "post",
        "/apply/",
        ["name", "phone", "county", "village", "previous_occupation", "motivation", "service_point_address", "next"],
    ),
    ("anonymous", "get", "/apply/villages/", ["county"]),
    ("anonymous", "post", "/i18n/setlang/", ["language", "next"]),
    (
        "alice",
        "post",
        "/partner/orders/new/",
        [
            "client_request_id",
            "channel",
            "villager_name",
            "villager_phone",
            "promotion",
            "buyer_organisation",
            "reference",
            "lines-TOTAL_FORMS",
            "lines-INITIAL_FORMS",
            "lines-0-product_name",
            "lines-0-category",
            "lines-0-quantity",
            "lines-0-unit_price",
            "lines-0-DELETE",
            "add_line",
        ],
    ),
    ("alice", "get", "/partner/orders/", ["status", "channel", "date_from", "date_to", "phone", "page", "cursor"]),
    ("alice", "get", "/partner/villagers/lookup/", ["phone", "q"]),
    ("alice", "post", "/partner/orders/{order}/status/", ["status", "to_status", "reason", "expected_status"]),
    ("alice", "get", "/partner/income/", ["month", "page"]),
    ("admin", "get", "/onboarding/", ["status", "province", "county", "applied_from", "applied_to", "q", "page"]),
    (
        "admin",
        "post",
        "/onboarding/partners/{partner}/transition/",
        ["to_status", "status", "reason", "expected_status"],
    ),
    ("admin", "post", "/onboarding/staff/", ["username", "password", "county", "counties"]),
    ("admin", "post", "/onboarding/import/", ["status", "create_villages", "dry_run"]),
    ("carol", "get", "/dashboard/county/410225/", ["period", "from", "to", "sort", "order", "compare"]),
    (
        "carol",
        "post",
        "/counties/410225/edit/",
        ["profile", "characteristic_products", "partner_office", "name", "code"],
    ),
    ("admin", "get", "/dashboard/", ["province", "region", "poverty", "sort", "page", "period"]),
]


@pytest.fixture
def cast_clients(alice, carol, admin_user):
    order = OrderFactory(partner=alice)
    clients = {"anonymous": Client(), "alice": Client(), "carol": Client(), "admin": Client()}
    clients["alice"].force_login(alice.user)
    clients["carol"].force_login(carol)
    clients["admin"].force_login(admin_user)
    return clients, {"order": order.pk, "partner": alice.pk}


@pytest.mark.parametrize(
    ("who", "method", "template", "fields"), FORMS, ids=[f"{m} {t} as {w}" for w, m, t, _ in FORMS]
)
def test_random_form_data_never_gives_a_500(cast_clients, who, method, template, fields):
    clients, ids = cast_clients
    client, url = clients[who], template.format(**ids)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=form_data(fields))
    def check(data):
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (url, data, response.status_code)

    check()
