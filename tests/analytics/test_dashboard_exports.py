"""CSV exports: UTF-8 with a BOM, streamed, formula-looking text neutralised, the same
figures as the page."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from analytics.dashboards import county_dashboard
from analytics.exports import COUNTY_TABLES, csv_lines, safe_cell
from analytics.periods import Period
from tests.support.factories import PartnerFactory, VillageFactory
from tests.support.sales_world import START

pytestmark = pytest.mark.django_db

PERIOD = {"from": (START + dt.timedelta(days=14)).isoformat(), "to": (START + dt.timedelta(days=27)).isoformat()}


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark first, for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138", "'+86 138"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("张庄村", "张庄村"),
        ("a=b", "a=b"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (7, 7),
        (dt.date(2025, 3, 1), "2025-03-01"),
        (None, ""),
    ],
)
def test_cells_are_escaped_only_when_text_looks_like_a_formula(value, written):
    assert safe_cell(value) == written


def test_csv_lines_start_with_a_bom_and_escape_every_text_cell():
    lines = list(csv_lines(["名称", "=bad header"], [["=1+1", Decimal("3.50")]]))
    assert lines[0].startswith("\ufeff名称,'=bad header")
    assert lines[1] == "'=1+1,3.50\r\n"


def test_village_export_neutralises_formula_names(client, carol, county_a):
    # given a village and a partner whose names were typed as formulas
    PartnerFactory(active=True, real_name="@cmd|' /C calc'!A0", village=VillageFactory(county=county_a, name="=1+1"))
    client.force_login(carol)
    # when carol exports the villages table
    response = client.get(reverse("dashboards:county_export", args=[county_a.code, "villages"]))
    rows = read_csv(response)
    # then the cells are text, never formulas, and the download is named after county and period
    assert rows[1][:3] == ["'=1+1", "", "'@cmd|' /C calc'!A0"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{county_a.code}-villages-')


def test_the_exports_hold_the_figures_of_the_page(client, carol, county_a, sales_world):
    client.force_login(carol)
    dashboard = county_dashboard(
        county_a, Period(dt.date.fromisoformat(PERIOD["from"]), dt.date.fromisoformat(PERIOD["to"]))
    )

    def export(table, **extra):
        url = reverse("dashboards:county_export", args=[county_a.code, table])
        return read_csv(client.get(url, {**PERIOD, **extra}, HTTP_ACCEPT_LANGUAGE="en"))

    daily = export("daily")
    assert len(daily) == 1 + dashboard.period.days
    assert [Decimal(r[1]) for r in daily[1:]] == [p.sales for p in dashboard.daily]
    categories = export("categories")
    assert sum(Decimal(r[1]) for r in categories[1:]) == dashboard.totals.sales
    channels = export("channels")
    assert len(channels) == 4 and sum(Decimal(r[1]) for r in channels[1:]) == dashboard.totals.sales
    villages = export("villages", sort="-orders")
    assert [int(r[5]) for r in villages[1:]] == [
        v.orders for v in county_dashboard(county_a, dashboard.period, village_sort="-orders").villages
    ]
    partners = export("partners")
    assert {r[0]: Decimal(r[3]) for r in partners[1:]} == {p.name: p.sales for p in dashboard.top_by_sales}
    kpis = {r[0]: r[1:] for r in export("kpis")[1:]}
    assert Decimal(kpis["Net sales (yuan)"][0]) == dashboard.totals.sales
    assert Decimal(kpis["Net sales (yuan)"][1]) == dashboard.previous_totals.sales
    assert int(kpis["Buyers"][0]) == dashboard.totals.buyers
    promotions = export("promotions")
    assert len(promotions) == 1 + sum(len(r.days) for r in dashboard.promotions.results)


def test_every_county_table_exports(client, admin_user, county_a):
    client.force_login(admin_user)
    for table in COUNTY_TABLES:
        response = client.get(reverse("dashboards:county_export", args=[county_a.code, table]))
        assert response.status_code == 200
        assert read_csv(response)[0], table


@pytest.mark.parametrize("table", ["ranking", "provinces", "regions", "funnel", "daily"])
def test_national_exports(client, admin_user, sales_world, table):
    client.force_login(admin_user)
    rows = read_csv(client.get(reverse("dashboards:national_export", args=[table]), PERIOD))
    assert len(rows) >= 2


def test_the_ranking_export_follows_the_page_filters(client, admin_user, sales_world, county_a, county_b):
    client.force_login(admin_user)
    rows = read_csv(client.get(reverse("dashboards:national_export", args=["ranking"]), {"region": "west"}))
    assert [r[2] for r in rows[1:]] == [county_b.code]


def test_the_profile_villages_export(client, carol, county_a, alice):
    client.force_login(carol)
    rows = read_csv(client.get(reverse("counties:profile_export", args=[county_a.code])))
    assert rows[1][0] == "张庄村" and rows[1][4] == alice.real_name


def test_exports_speak_the_page_language(client, carol, county_a):
    client.force_login(carol)
    url = reverse("dashboards:county_export", args=[county_a.code, "daily"])
    assert read_csv(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))[0][0] == "Day"
