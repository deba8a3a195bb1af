"""The national dashboard's key figures (issue 19, point 16): every figure on one line,
and the cards fill their row, on a desktop and on a 360 px phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_dashboards import PASSWORD, county_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

LAYOUT = """() => [...document.querySelectorAll('.kpis')].map(row => {
    const box = row.getBoundingClientRect();
    const cards = [...row.querySelectorAll('.kpi')].map(c => c.getBoundingClientRect());
    const values = [...row.querySelectorAll('.kpi .value')].map(v => {
        const lh = parseFloat(getComputedStyle(v).lineHeight) || parseFloat(getComputedStyle(v).fontSize) * 1.3;
        return {text: v.textContent.trim(), lines: Math.round(v.getBoundingClientRect().height / lh),
                clipped: v.scrollWidth > v.clientWidth + 1};
    });
    return {id: row.id, right: box.right, cardsRight: Math.max(...cards.map(c => c.right)),
            rows: new Set(cards.map(c => Math.round(c.top))).size, values};
})"""


def _check(page, *, one_row: bool):
    rows = page.evaluate(LAYOUT)
    assert {row["id"] for row in rows} >= {"headline", "kpis"}
    for row in rows:
        for value in row["values"]:
            assert value["lines"] == 1, (row["id"], value)
            assert not value["clipped"], (row["id"], value)
        if one_row:
            assert row["rows"] == 1, row
            assert abs(row["right"] - row["cardsRight"]) <= 2, row  # the cards fill the row
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_national_figures_fit_on_a_desktop(page, login, county_world):  # noqa: F811
    login(page, "admin", PASSWORD)
    page.goto(f"{page.base_url}/dashboard/")
    expect(page.locator("#kpis .kpi")).to_have_count(4)
    # the biggest figure the programme may show
    page.evaluate("document.querySelector('#kpis .kpi .value').textContent = '¥2,626,358,712.71'")
    _check(page, one_row=True)


def test_the_national_figures_fit_on_a_phone(phone_page, login, county_world, screenshot):  # noqa: F811
    login(phone_page, "admin", PASSWORD)
    phone_page.goto(f"{phone_page.base_url}/dashboard/")
    phone_page.evaluate("document.querySelector('#kpis .kpi .value').textContent = '¥2,626,358.71'")
    _check(phone_page, one_row=False)
    screenshot(phone_page, "dashboard-national-phone")
