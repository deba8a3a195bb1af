"""The partner's pages on a 360 × 640 phone (issue 19, "Partner on a phone"): no page is
wider than the screen, the header is compact with 44 px targets, the next step of an order
is on the first screen, a refused form lands on its first error, the outbox says what it
did, and the new-order page is light on the wire (measured in Chromium, DEBUG off)."""

import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import expect

from orders.models import OrderStatus
from partners.models import CommissionRate
from tests.support.factories import CategoryFactory, PartnerFactory, VillageFactory, VillagerFactory
from tests.support.live_database import test_database_url
from tests.support.orders import make_order, pickup_code_of, place_order
from tests.support.servers import ROOT, gunicorn

# The service worker's own requests reach Playwright's events only with this flag (read
# when the Playwright driver starts, after collection).
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests.support.factories.UserFactory
ARTIFACTS = ROOT / "test-artifacts"
WIDTH, HEIGHT = 360, 640
PHONE = {
    "viewport": {"width": WIDTH, "height": HEIGHT},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
# GET pages of the partner's workspace. Every other /partner/ route is a form's POST
# target or the type-ahead's JSON (test_every_partner_page_is_checked keeps this honest).
PAGES = [
    "/partner/",
    "/partner/orders/new/",
    "/partner/orders/",
    "/partner/orders/{order}/",
    "/partner/villagers/",
    "/partner/income/",
    "/partner/payout-account/",
]
NOT_PAGES = {
    "partner/orders/<int:order_id>/status/",
    "partner/orders/<int:order_id>/tracking/",
    "partner/orders/<int:order_id>/pickup-code/",
    "partner/orders/arrived/",
    "partner/orders/<int:order_id>/platform-order-nos/",
    "partner/villagers/lookup/",
    "partner/income/dispute/",
}
FITS_JS = "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, vw: window.innerWidth})"
# Interactive things smaller than a thumb: links in the header, every button, summary,
# field and button-styled link on the page (links inside running text are left out).
SMALL_TARGETS_JS = """() => Array.from(document.querySelectorAll(
    'header a, header button, main button, main summary, main .button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, main .choice, .back-link'
  )).filter(el => el.offsetParent !== null && !el.closest('template'))
    .map(el => ({el, box: el.getBoundingClientRect()}))
    .filter(({box}) => box.height < 44 - 0.5)
    .map(({el, box}) => (el.id || el.tagName.toLowerCase() + '.' + el.className) + ' ' + Math.round(box.height) + 'px')"""


@pytest.fixture
def small_phone(browser, live_server, console_errors):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def partner(county_a):
    # A transactional test's flush removed the groups the data migration created.
    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)
    CategoryFactory(slug="appliances", name_zh="家电", name_en="Home appliances", sort_order=1)
    CategoryFactory(slug="daily-goods", name_zh="日用百货", name_en="Daily goods", sort_order=2)
    CategoryFactory(slug="fruit", name_zh="水果", name_en="Fruit", is_farm_produce=True, sort_order=3)
    return PartnerFactory(active=True, real_name="王爱丽", village=VillageFactory(county=county_a, name="张庄村"))


@pytest.fixture
def month_of_orders(partner):
    """This month's paid orders with long product names (the income table), and a villager."""
    heaters = CategoryFactory(slug="water-heaters", name_zh="热水器", name_en="Water heaters", sort_order=4)
    CommissionRate.objects.create(category=heaters, rate=Decimal("0.0300"), effective_from=dt.date(2020, 1, 1))
    villager = VillagerFactory(partner=partner, name="高慧荣", phone="15329966198")
    now = dt.datetime.now(dt.UTC)
    for day in range(2):
        make_order(
            partner=partner,
            villager=villager,
            lines=[(heaters, 1, Decimal("1099.00")), (heaters, 2, Decimal("35.90"))],
            paid_at=now - dt.timedelta(minutes=10 + day),
        )
    order = make_order(
        partner=partner,
        villager=villager,
        lines=[(heaters, 1, Decimal("249.33"))],
        paid_at=now - dt.timedelta(minutes=5),
    )
    order.lines.update(product_name="海尔60升电热水器 EC6001-GC")
    return order


def log_in(page, user) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/partner/$"))


def fits(page) -> dict:
    return page.evaluate(FITS_JS)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"phone-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ── No page wider than the phone ──────────────────────────────────────────────


def partner_routes(resolver=None, prefix="") -> list[str]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += partner_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("partner/"):
            found.append(route)
    return found


def test_every_partner_page_is_checked():
    pages = {page.strip("/").replace("{order}", "<int:order_id>") + "/" for page in PAGES}
    assert set(partner_routes()) == pages | NOT_PAGES


def test_every_partner_page_fits_a_360_px_phone_with_a_compact_header(
    small_phone, partner, month_of_orders, console_errors
):
    page = small_phone
    log_in(page, partner.user)
    for path in PAGES:
        # when
        page.goto(page.base_url + path.format(order=month_of_orders.pk))
        page.wait_for_load_state("networkidle")
        name = path.strip("/").replace("/", "-").replace("{order}", "order") or "home"
        screenshot(page, name)
        # then: nothing runs off the screen, the header is a compact band, every target is thumb-sized
        size = fits(page)
        assert size["doc"] <= WIDTH and size["body"] <= WIDTH, (path, size)
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] <= 100, (path, header)
        assert page.evaluate(SMALL_TARGETS_JS) == [], path
    # the order filters opened (date fields and selects used to push the page to 398 px)
    page.goto(f"{page.base_url}/partner/orders/")
    page.click("details.filters summary")
    expect(page.locator("#order-filters")).to_be_visible()
    screenshot(page, "orders-filters")
    assert fits(page)["doc"] <= WIDTH
    assert page.evaluate(SMALL_TARGETS_JS) == []
    assert console_errors == []


def test_the_villager_search_has_a_label_a_hint_and_a_one_line_button(small_phone, partner):
    page = small_phone
    VillagerFactory(partner=partner, name="赵大爷", phone="13655556666")
    log_in(page, partner.user)
    # when
    page.goto(f"{page.base_url}/partner/villagers/")
    # then
    search = page.get_by_label("姓名或手机号")
    expect(search).to_be_visible()
    expect(search).to_have_attribute("placeholder", re.compile(r"\S"))
    button = page.locator("#villager-search-submit").bounding_box()
    assert 44 <= button["height"] < 60, button  # one line of text
    assert page.locator("#villager-search-submit").evaluate("b => b.scrollWidth <= b.clientWidth")
    search.fill("赵")
    page.click("#villager-search-submit")
    expect(page.locator("#villager-list")).to_contain_text("赵大爷")


def test_the_income_table_keeps_every_column_and_product_names_whole(small_phone, partner, month_of_orders):
    page = small_phone
    log_in(page, partner.user)
    # when
    page.goto(f"{page.base_url}/partner/income/")
    table = page.locator("#statement-orders")
    table.scroll_into_view_if_needed()
    page.locator("#statement-orders").screenshot(path=str(ARTIFACTS / "phone-income-orders.png"))
    # then: the commission of every line is on the screen, not cut off to the right
    for cell in table.locator("td.line-commission").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    # and a long product name reads along a line, not one character per line
    name = table.locator("td.product", has_text="海尔60升电热水器").first
    box = name.bounding_box()
    line_height = name.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 20")
    assert box["width"] >= 150 and box["height"] <= 3 * line_height, box
    assert fits(page)["doc"] <= WIDTH
    # and the month's commission is the home page's
    figure = page.locator("#month-commission").inner_text()
    expect(page.locator("#orders-commission-total")).to_have_text(figure)
    page.goto(f"{page.base_url}/partner/")
    expect(page.locator("#kpi-month-commission")).to_have_text(figure)


# ── An order's next step on the first screen ──────────────────────────────────


def test_after_each_move_the_next_step_is_on_the_first_screen(small_phone, partner, console_errors):
    page = small_phone
    order = place_order(partner)
    log_in(page, partner.user)
    page.goto(f"{page.base_url}/partner/orders/{order.pk}/")
    steps = [
        ("paid", "标记为已付款"),
        ("shipped", "标记为已发货"),
        ("at_county_centre", "标记为已到县级服务中心"),
        ("at_service_point", "标记为已到服务站"),
        ("picked_up", "标记为已取货"),
    ]
    for status, label in steps:
        # then: the button that makes the next move is on the first screen, named as an action
        button = page.locator(f"#action-{status}")
        expect(button).to_have_text(label)
        box = button.bounding_box()
        assert page.evaluate("window.scrollY") == 0
        assert box["y"] + box["height"] <= HEIGHT, (status, box)
        if status == "picked_up":
            page.fill("#id_pickup_code", pickup_code_of(order))
        if status == "shipped":
            screenshot(page, "order-next-step")
        # when
        button.click()
        expect(page.locator(f"#status-history .badge-{status}")).to_be_visible()
    # and the history names the partner, not their login
    history = page.locator("#status-history")
    expect(history).to_contain_text("王爱丽")
    expect(history).not_to_contain_text(partner.user.username)
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP
    assert console_errors == []


# ── The new-order form ────────────────────────────────────────────────────────


def test_the_new_order_form_starts_with_the_villager_without_a_redirect(small_phone, partner):
    page = small_phone
    log_in(page, partner.user)
    redirects = []
    page.on("response", lambda r: redirects.append(r.url) if 300 <= r.status < 400 else None)
    # when
    page.goto(f"{page.base_url}/partner/orders/new/")
    # then: no 302 on the way, and the form's id is in the address for a reload or the back button
    assert redirects == []
    form_id = page.locator("input[name=client_request_id]").input_value()
    expect(page).to_have_url(re.compile(rf"\?form={form_id}$"))
    # the first field is the villager's phone, on the first screen; the channel comes after
    first = page.locator("#order-form").locator("input:not([type=hidden]), select").first
    expect(first).to_have_attribute("id", "id_villager_phone")
    assert page.locator("#id_villager_phone").bounding_box()["y"] < HEIGHT / 2
    assert (
        page.locator("#id_villager_phone").bounding_box()["y"]
        < page.locator("input[name=channel]").first.bounding_box()["y"]
    )


def test_a_refused_order_lands_on_the_first_field_in_error(small_phone, partner):
    page = small_phone
    log_in(page, partner.user)
    page.goto(f"{page.base_url}/partner/orders/new/")
    # given: a villager, a line without a price
    page.fill("#id_villager_phone", "13912340000")
    page.fill("#id_villager_name", "新村民")
    page.fill("#id_lines-0-product_name", "洗衣粉")
    page.select_option("#id_lines-0-category", "daily-goods")
    page.fill("#id_lines-0-quantity", "2")
    # when
    page.click("#submit-order")
    # then: the page says why, and the cursor is in the field to correct, on the screen
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_lines-0-unit_price")).to_be_focused()
    box = page.locator("#id_lines-0-unit_price").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, box
    screenshot(page, "order-refused")


def test_the_button_says_submitting_while_the_order_is_on_its_way(small_phone, partner):
    page = small_phone
    log_in(page, partner.user)
    page.goto(f"{page.base_url}/partner/orders/new/")
    page.fill("#id_villager_phone", "13912340000")
    page.fill("#id_villager_name", "新村民")
    page.fill("#id_lines-0-product_name", "洗衣粉")
    page.select_option("#id_lines-0-category", "daily-goods")
    page.fill("#id_lines-0-quantity", "2")
    page.fill("#id_lines-0-unit_price", "12.50")
    # The button's states are written down as they happen (kept across the navigation).
    page.evaluate(
        """() => {
          const button = document.getElementById("submit-order");
          new MutationObserver(() => sessionStorage.setItem("seen",
            (sessionStorage.getItem("seen") || "") + "|" + button.textContent + (button.disabled ? ":disabled" : "")
          )).observe(button, {childList: true, characterData: true, subtree: true, attributes: true});
        }"""
    )
    # when
    page.click("#submit-order")
    expect(page).to_have_url(re.compile(r"/partner/orders/\d+/$"))
    # then: while it was on its way the button said so, and could not be tapped again
    assert "|提交中…:disabled" in page.evaluate("sessionStorage.getItem('seen')")
    assert partner.orders.count() == 1


# ── The outbox after sending ──────────────────────────────────────────────────


def test_after_the_outbox_sends_it_says_sent_and_the_list_shows_the_order(small_phone, partner):
    page = small_phone
    log_in(page, partner.user)
    page.wait_for_function("document.documentElement.dataset.offlineReady === '1'")
    page.goto(f"{page.base_url}/partner/orders/new/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    # given: an order logged without a network
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/partner/orders/new/")
    page.fill("#id_villager_phone", "13911110001")
    page.fill("#id_villager_name", "赵大爷")
    page.fill("#id_lines-0-product_name", "海尔冰箱")
    page.select_option("#id_lines-0-category", "appliances")
    page.fill("#id_lines-0-quantity", "1")
    page.fill("#id_lines-0-unit_price", "3999.00")
    page.click("#submit-order")
    expect(page).to_have_url(re.compile(r"/partner/orders/\?queued="))
    expect(page.locator("#outbox-title")).to_be_visible()
    expect(page.locator("#outbox-sent-title")).to_have_count(0)
    expect(page.locator("#no-orders")).to_be_visible()
    # when: the connection returns and the outbox sends it
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#outbox [data-state=sent]")).to_have_count(1)
    # then: no "waiting" heading above what was sent, and the list below shows the order
    expect(page.locator("#outbox-title")).to_have_count(0)
    expect(page.locator("#outbox-sent-title")).to_be_visible()
    order = partner.orders.get()
    expect(page.locator("#order-list")).to_contain_text(order.order_no)
    screenshot(page, "outbox-sent")


def test_the_login_page_says_whom_to_ask_for_a_forgotten_password(small_phone):
    page = small_phone
    page.goto(f"{page.base_url}/accounts/login/")
    expect(page.locator("#login-forgot")).to_be_visible()
    expect(page.locator("#login-forgot")).to_contain_text("管理员")
    assert fits(page)["doc"] <= WIDTH


# ── Page weight on the wire, as on 3G (DEBUG off: gzip, compressed static files) ──


def _collect_static():
    import subprocess
    import sys

    manifest = ROOT / "staticfiles" / "staticfiles.json"
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    if manifest.exists() and manifest.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "collectstatic-" + "x" * 40}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def _from_service_worker(request) -> bool:
    try:
        request.frame  # noqa: B018 — a worker's request has no frame
    except Exception:  # noqa: BLE001 — Playwright raises a plain Error
        return True
    return False


class WireMeter:
    """Bytes on the wire: the page's own requests (CDP Network.loadingFinished
    encodedDataLength, headers included; answers the worker gave are left out) plus the
    service worker's requests that went to the network (Playwright's sizes)."""

    def __init__(self, context, page):
        self.page_bytes: dict[str, int] = {}
        self.served_by_worker: set[str] = set()
        self.urls: dict[str, str] = {}
        self.worker: list[tuple[str, int]] = []
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", lambda e: self.page_bytes.__setitem__(e["requestId"], e["encodedDataLength"]))
        context.on("requestfinished", self._finished)

    def _response(self, event):
        self.urls[event["requestId"]] = event["response"]["url"]
        if event["response"].get("fromServiceWorker"):
            self.served_by_worker.add(event["requestId"])

    def _finished(self, request):
        if _from_service_worker(request):
            sizes = request.sizes()
            self.worker.append((request.url, max(0, sizes["responseBodySize"]) + max(0, sizes["responseHeadersSize"])))

    def reset(self):
        self.page_bytes.clear()
        self.served_by_worker.clear()
        self.worker.clear()

    def page_total(self) -> int:
        return sum(n for rid, n in self.page_bytes.items() if rid not in self.served_by_worker)

    def detail(self) -> list:
        mine = [(self.urls.get(rid, rid), n) for rid, n in self.page_bytes.items() if rid not in self.served_by_worker]
        return mine + self.worker

    def worker_total(self) -> int:
        return sum(n for _url, n in self.worker)


def test_the_new_order_page_weighs_little_on_the_wire(browser, partner, month_of_orders):
    _collect_static()
    # The server runs the production settings: a password hash they know (the tests' is MD5).
    partner.user.password = PBKDF2PasswordHasher().encode(PASSWORD, "weightsalt", iterations=1000)
    partner.user.save(update_fields=["password"])
    with gunicorn(test_database_url(), workers=2) as port:
        base = f"http://127.0.0.1:{port}"
        # given: a logged-in partner's session, in a phone browser with nothing cached
        login_context = browser.new_context(**PHONE)
        login_page = login_context.new_page()
        login_page.base_url = base
        log_in(login_page, partner.user)
        cookies = login_context.cookies()
        login_context.close()
        context = browser.new_context(**PHONE)
        context.add_cookies(cookies)
        page = context.new_page()
        meter = WireMeter(context, page)
        # when: the first visit of the new-order page
        page.goto(f"{base}/partner/orders/new/")
        page.wait_for_function("document.documentElement.dataset.offlineReady === '1'", timeout=30_000)
        page.wait_for_load_state("networkidle")
        first, precache = meter.page_total(), meter.worker_total()
        precache_requests = len(meter.worker)
        # and the next visit, the worker in charge of the page and its copy warm
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        meter.reset()
        page.goto(f"{base}/partner/orders/new/")
        page.wait_for_load_state("networkidle")
        repeat = meter.page_total() + meter.worker_total()
        repeat_requests = meter.detail()
        context.close()
    figures = {
        "first_load_bytes": first,
        "repeat_load_bytes": repeat,
        "worker_precache_bytes": precache,
        "worker_precache_requests": precache_requests,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(json.dumps(figures, indent=2))
    print("page weights:", figures)  # noqa: T201 — the figures for the note
    # then (issue 19): first load < 40 KB, repeat < 8 KB
    assert first < 40_000, figures
    assert repeat < 8_000, (figures, repeat_requests)
