"""Every CSV of the county dashboard is what the page shows for the chosen period (issue 19,
points 9 and 10): its link carries the period, its figures are the page's figures, the
promotions CSV holds only the period's days, and money has two decimals."""

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from analytics.exports import csv_lines, safe_cell
from rural_taobao.template_filters import yuan
from tests.support.sales_world import START

pytestmark = pytest.mark.django_db

FIRST, LAST = START + dt.timedelta(days=14), START + dt.timedelta(days=27)  # 15 – 28 March 2025
CUSTOM = {"period": "custom", "from": FIRST.isoformat(), "to": LAST.isoformat()}
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def page_of(client, county, query) -> str:
    response = client.get(reverse("dashboards:county", args=[county.code]), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def export_links(page: str) -> dict[str, str]:
    links = re.findall(r'<a class="export-link" href="([^"]*)" data-export="([^"]+)"', page)
    return {table: html.unescape(href) for href, table in links}


def read_csv(client, href) -> list[list[str]]:
    response = client.get(href, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, href
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def tiles(page: str) -> dict[str, str]:
    found = re.findall(
        r'data-kpi="([a-z_]+)">\s*<div class="label">[^<]*</div>\s*<div class="value">([^<]*)</div>', page
    )
    return {key: value.strip() for key, value in found}


@pytest.mark.parametrize("query", [CUSTOM, {"period": "7d"}, {"period": "year"}])
def test_every_export_link_carries_the_period_on_screen(client, carol, county_a, sales_world, query):
    # given carol on her dashboard for a chosen period
    client.force_login(carol)
    links = export_links(page_of(client, county_a, query))
    # then every export on it, the key figures' included, asks for that same period
    assert set(links) == {"kpis", "daily", "categories", "channels", "villages", "partners", "promotions"}
    for table, href in links.items():
        asked = {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}
        assert {name: asked.get(name) for name in query} == query, (table, href)


def test_the_key_figures_export_is_the_tiles_of_the_page(client, carol, county_a, sales_world):
    # given carol's dashboard for 15 – 28 March
    client.force_login(carol)
    page = page_of(client, county_a, CUSTOM)
    shown = tiles(page)
    # when she downloads the key figures from the page's own link
    rows = {row[0]: row[1:] for row in read_csv(client, export_links(page)["kpis"])[1:]}
    # then the CSV is that period and holds each tile's figure
    assert rows["Period"][0] == f"{FIRST}–{LAST}"
    assert yuan(Decimal(rows["Net sales (yuan)"][0])) == shown["sales"]
    assert yuan(Decimal(rows["Returns (yuan)"][0])) == shown["returns"]
    assert yuan(Decimal(rows["Average order value (yuan)"][0])) == shown["average_order_value"]
    assert f"{int(rows['Orders'][0]):,}" == shown["orders"]
    assert f"{int(rows['Buyers'][0]):,}" == shown["buyers"]
    assert f"{int(rows['Active partners'][0]):,}" == shown["active_partners"]
    assert "Confirmed by the platform" in rows


def test_the_daily_export_is_the_period_on_screen(client, carol, county_a, sales_world):
    client.force_login(carol)
    page = page_of(client, county_a, CUSTOM)
    days = [row[0] for row in read_csv(client, export_links(page)["daily"])[1:]]
    assert days[0] == FIRST.isoformat() and days[-1] == LAST.isoformat() and len(days) == 14


def test_the_promotions_export_holds_only_the_days_of_the_period(client, carol, county_a, sales_world):
    # given the world's promotion (20 January – 21 March 2025) and carol's period 15 – 28 March
    client.force_login(carol)
    page = page_of(client, county_a, CUSTOM)
    # when she downloads the promotions table
    rows = read_csv(client, export_links(page)["promotions"])[1:]
    # then it holds the promotion's days inside the period, and no day outside it
    days = sorted(dt.date.fromisoformat(row[1]) for row in rows)
    assert days == [FIRST + dt.timedelta(days=i) for i in range(7)]  # 15 – 21 March
    # and the page's promotion card shows those same days and their sales
    match = re.search(r'<tr data-promotion="618-test"><td>[^<]*</td><td>([^<]*)</td><td class="num">([^<]*)</td>', page)
    assert match is not None
    assert match.group(1).strip() == "2025-03-15 – 03-21"
    assert yuan(sum(Decimal(row[2]) for row in rows)) == match.group(2)


def test_a_promotion_outside_the_period_is_neither_on_the_page_nor_in_the_export(client, carol, county_a, sales_world):
    client.force_login(carol)
    page = page_of(client, county_a, {"period": "custom", "from": "2025-03-25", "to": "2025-04-05"})
    assert 'data-promotion="618-test"' not in page
    assert read_csv(client, export_links(page)["promotions"])[1:] == []


def test_money_has_two_decimals_in_every_export(client, carol, county_a, sales_world):
    # given carol's dashboard
    client.force_login(carol)
    page = page_of(client, county_a, CUSTOM)
    checked = 0
    for table, href in export_links(page).items():
        header, *rows = read_csv(client, href)
        money = [i for i, name in enumerate(header) if "(yuan)" in name]
        if table == "kpis":
            rows, money = [row for row in rows if "(yuan)" in row[0]], [1, 2]
        for row in rows:
            for i in money:
                if row[i]:
                    assert MONEY.match(row[i]), (table, header[i], row[i])
                    checked += 1
    assert checked > 50


def test_a_sum_with_many_places_is_written_with_two():
    # a Decimal from an average or a database sum may carry more places than fen
    assert str(safe_cell(Decimal("19520.2300000000"))) == "19520.23"
    assert str(safe_cell(Decimal("0.005"))) == "0.01"
    assert list(csv_lines(["x"], [[Decimal("19520.2300000000")]]))[1] == "19520.23\r\n"
