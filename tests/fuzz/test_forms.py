"""Random form data and query strings to every form view, as the role that may use it:
never a 500. (The API gets the same treatment from schemathesis.)"""

import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle

from tests.support.factories import OrderFactory

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

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


def posted_names(*forms) -> list[str]:
    """The names a browser posts for these bound-less forms, formsets or filter sets: read
    from their rendered widgets (prefixes, management forms and multi-widgets included), so
    the fuzz sends what the form classes really have."""
    names: list[str] = []
    for form in forms:
        if hasattr(form, "filters"):  # a FilterSet: its form
            form = form.form
        for name in re.findall(r'name="([^"]+)"', str(form)):
            if name not in names:
                names.append(name)
    assert names, forms
    return names


def _forms(alice, carol, county_a, admin_user):
    """(who, method, url template, field names): each form view, with the names its form
    classes render, plus the few query parameters the view reads itself (page, sort, …)."""
    from analytics.billion_yuan import RankingFilter, ranking_queryset
    from analytics.forms import PeriodForm
    from counties.forms import CountyProfileForm, StaffCreateForm
    from orders.forms import OrderForm, TransitionForm, VillagerSearchForm, line_formset
    from orders.selectors import OrderFilter
    from partners.forms import ApplicationForm, ImportForm
    from partners.forms import TransitionForm as PartnerTransitionForm
    from partners.models import Partner
    from partners.selectors import PartnerFilter
    from rural_taobao.views import LoginForm

    as_request = lambda user: type("Request", (), {"user": user})()  # noqa: E731
    return [
        ("anonymous", "post", "/accounts/login/", [*posted_names(LoginForm()), "next"]),
        ("anonymous", "post", "/apply/", posted_names(ApplicationForm())),
        ("anonymous", "get", "/apply/villages/", ["county"]),  # the view reads county itself
        ("anonymous", "post", "/i18n/setlang/", ["language", "next"]),  # Django's set_language view
        (
            "alice",
            "post",
            "/partner/orders/new/",
            [*posted_names(OrderForm(), line_formset(categories=[])), "add_line"],
        ),
        (
            "alice",
            "get",
            "/partner/orders/",
            [*posted_names(OrderFilter(request=as_request(alice.user), queryset=None)), "page"],
        ),
        ("alice", "get", "/partner/villagers/", [*posted_names(VillagerSearchForm()), "page"]),
        ("alice", "get", "/partner/villagers/lookup/", ["q"]),  # the view reads q itself
        ("alice", "post", "/partner/orders/{order}/status/", posted_names(TransitionForm())),
        ("alice", "get", "/partner/income/", ["month", "page"]),  # the view reads them itself
        (
            "admin",
            "get",
            "/onboarding/",
            [*posted_names(PartnerFilter(queryset=Partner.objects.none(), request=as_request(admin_user))), "page"],
        ),
        ("admin", "post", "/onboarding/partners/{partner}/transition/", posted_names(PartnerTransitionForm())),
        ("admin", "post", "/onboarding/staff/", posted_names(StaffCreateForm())),
        ("admin", "post", "/onboarding/import/", posted_names(ImportForm())),
        ("carol", "get", "/dashboard/county/410225/", [*posted_names(PeriodForm()), "sort"]),
        (
            "carol",
            "post",
            "/counties/410225/edit/",
            posted_names(CountyProfileForm(instance=county_a, user=carol)),
        ),
        (
            "admin",
            "get",
            "/dashboard/",
            [
                *posted_names(PeriodForm(), RankingFilter(queryset=ranking_queryset(admin_user))),
                "page",
                "ordering",
            ],
        ),
    ]


ROUTES = [
    ("anonymous", "post", "/accounts/login/"),
    ("anonymous", "post", "/apply/"),
    ("anonymous", "get", "/apply/villages/"),
    ("anonymous", "post", "/i18n/setlang/"),
    ("alice", "post", "/partner/orders/new/"),
    ("alice", "get", "/partner/orders/"),
    ("alice", "get", "/partner/villagers/"),
    ("alice", "get", "/partner/villagers/lookup/"),
    ("alice", "post", "/partner/orders/{order}/status/"),
    ("alice", "get", "/partner/income/"),
    ("admin", "get", "/onboarding/"),
    ("admin", "post", "/onboarding/partners/{partner}/transition/"),
    ("admin", "post", "/onboarding/staff/"),
    ("admin", "post", "/onboarding/import/"),
    ("carol", "get", "/dashboard/county/410225/"),
    ("carol", "post", "/counties/410225/edit/"),
    ("admin", "get", "/dashboard/"),
]

# The fuzz's own address: never locked out (AXES_NEVER_LOCKOUT_WHITELIST), so hundreds of
# bad logins keep reaching the login form instead of the lockout page.
FUZZ_ADDRESS = "192.0.2.77"


@pytest.fixture
def cast_clients(alice, carol, admin_user, county_a, settings, monkeypatch):
    settings.AXES_NEVER_LOCKOUT_WHITELIST = True
    # /apply/ allows 10 an hour per address: the fuzz sends 40 in a second.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "apply", "100000/min")
    settings.AXES_IP_WHITELIST = [FUZZ_ADDRESS]
    order = OrderFactory(partner=alice)
    clients = {who: Client(REMOTE_ADDR=FUZZ_ADDRESS) for who in ("anonymous", "alice", "carol", "admin")}
    clients["alice"].force_login(alice.user)
    clients["carol"].force_login(carol)
    clients["admin"].force_login(admin_user)
    forms = {
        (who, method, template): fields for who, method, template, fields in _forms(alice, carol, county_a, admin_user)
    }
    return clients, forms, {"order": order.pk, "partner": alice.pk}


def test_the_fuzzed_names_are_the_forms_own(cast_clients):
    _, forms, _ = cast_clients
    assert set(forms) == set(ROUTES)
    assert {"status", "channel", "created_after", "created_before"} <= set(forms[ROUTES[5]])
    assert {"applied_after", "applied_before", "search"} <= set(forms[("admin", "get", "/onboarding/")])
    assert {"lines-TOTAL_FORMS", "lines-0-unit_price", "villager_phone"} <= set(forms[ROUTES[4]])
    assert {"period", "from", "to"} <= set(forms[("carol", "get", "/dashboard/county/410225/")])
    names = {name for fields in forms.values() for name in fields}
    assert not names & {"date_from", "applied_from", "cursor", "phone_number"}


def test_the_fuzz_address_is_never_locked_out(cast_clients, settings):
    clients, _, _ = cast_clients
    bad = {"username": "13800000000", "password": "wrong"}
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        response = clients["anonymous"].post("/accounts/login/", bad)
    assert response.status_code == 200 and b'name="password"' in response.content
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = elsewhere.post("/accounts/login/", bad)
    assert response.status_code == 429  # any other address is


@pytest.mark.parametrize(("who", "method", "template"), ROUTES, ids=[f"{m} {t} as {w}" for w, m, t in ROUTES])
def test_random_form_data_never_gives_a_500(cast_clients, who, method, template):
    clients, forms, ids = cast_clients
    client, url, fields = clients[who], template.format(**ids), forms[(who, method, template)]

    @hyp_settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=form_data(fields))
    def check(data):
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (url, data, response.status_code)
        assert response.status_code != 429, "a lockout or throttle caught the fuzz: it no longer reaches the form"

    check()
