"""The 亿元淘宝县 measure (issue 19): a county's online sales are what it sells — its
farm-produce channel, net of returns — except in a month with an official online
retail figure, which counts instead; purchases and procurement are shown beside, never
in it; the mark is ¥1亿 (``TAOBAO_COUNTY_THRESHOLD_YUAN``). Ranking, projection,
headline and API follow. Also the official figures' import."""

import datetime as dt
import io
import random
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from analytics import rollups
from analytics.billion_yuan import billion_yuan_headline
from analytics.models import CountyOnlineRetailMonth, CountySummary, RollupDirtyDay
from analytics.online_sales_import import county_online_sales_import
from counties.models import County
from partners.importing import ImportFileError
from rural_taobao import dates
from tests.support.dates import shanghai
from tests.support.import_files import csv_bytes
from tests.support.orders import make_order
from tests.support.rollup_expectations import assert_rollups_equal_the_orders, expected_figures

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)
AS_OF = TODAY - dt.timedelta(days=1)  # the summary is as of yesterday: t12 = (2024-06-14, 2025-06-14]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(dates, "shanghai_today", lambda: TODAY)


def sell(world, *, partner=0, channel="farm_produce", amount, day, returned=None):
    partner_obj = world["partners"][partner]
    villager = world["villagers"][partner * 3]
    return make_order(
        partner=partner_obj,
        villager=villager,
        channel=channel,
        lines=[(world["categories"][3], 1, Decimal(amount))],
        paid_at=shanghai(day, 10),
        returned_at=shanghai(returned, 10) if returned else None,
    )


def official(county, month, amount):
    return CountyOnlineRetailMonth.objects.create(county=county, month=month, online_retail_sales=Decimal(amount))


def roll_up(days):
    rollups.run_rollups(days, trigger="test")


# ── the measure ──────────────────────────────────────────────────────────────


def test_the_threshold_is_one_hundred_million_yuan():
    assert settings.TAOBAO_COUNTY_THRESHOLD_YUAN == 100_000_000
    assert rollups.taobao_county_threshold() == Decimal("100000000")


def test_without_official_figures_online_sales_are_the_farm_produce_channel(world, county_a):
    # given county A sells farm produce, buys for villagers and is sold a ¥129,000 procurement order
    march, april = dt.date(2025, 3, 10), dt.date(2025, 4, 2)
    sell(world, amount="5000.00", day=march)
    sell(world, amount="800.00", day=march, returned=april)
    sell(world, channel="assisted_purchase", amount="2599.00", day=march)
    sell(world, channel="government_procurement", amount="129000.00", day=april)
    # when the rollups run
    roll_up([march, april])
    # then the measure holds farm produce only (the return taken off), the rest beside it
    summary = CountySummary.objects.get(county=county_a)
    assert summary.trailing_12m_sales == Decimal("5000.00")
    assert summary.year_to_date_sales == Decimal("5000.00")
    assert summary.trailing_12m_purchases == Decimal("2599.00")
    assert summary.trailing_12m_procurement == Decimal("129000.00")
    assert summary.official_months == 0


def test_a_month_with_an_official_figure_counts_the_figure_instead_of_the_channel(world, county_a, county_b):
    # given farm produce in March and April, and the county's official March figure
    march, april = dt.date(2025, 3, 10), dt.date(2025, 4, 2)
    sell(world, amount="5000.00", day=march)
    sell(world, amount="700.00", day=april)
    official(county_a, dt.date(2025, 3, 1), "30000000.00")
    # and a June 2024 figure cut by the window's edge: 16 of its 30 days in the trailing 12 months
    official(county_a, dt.date(2024, 6, 1), "3000000.00")
    # and June 2025 so far (14 of 30 days to the summary's day)
    official(county_a, dt.date(2025, 6, 1), "3000000.00")
    roll_up([march, april])
    summary = CountySummary.objects.get(county=county_a)
    # then March is the official ¥30,000,000 (not the channel's ¥5,000), April the channel's ¥700
    assert summary.trailing_12m_sales == Decimal("30000000") + Decimal("700") + Decimal("1600000") + Decimal("1400000")
    assert summary.prior_12m_sales == Decimal("1400000.00")  # June 2024's other 14 days
    assert summary.year_to_date_sales == Decimal("30000000") + Decimal("700") + Decimal("1400000")
    assert summary.official_months == 3
    # and a county without figures or orders is ranked after it
    assert CountySummary.objects.get(county=county_b).national_rank == 2
    assert summary.national_rank == 1


def test_the_flag_is_at_one_hundred_million(world, county_a, county_b):
    # given A's official figures come to exactly ¥1亿 over whole months and B's a cent short
    for month in (dt.date(2025, 1, 1), dt.date(2025, 2, 1)):
        official(county_a, month, "50000000.00")
    official(county_b, dt.date(2025, 3, 1), "99999999.99")
    rollups.refresh_county_summary(AS_OF)
    a, b = CountySummary.objects.get(county=county_a), CountySummary.objects.get(county=county_b)
    assert (a.trailing_12m_sales, a.is_billion_yuan) == (Decimal("100000000.00"), True)
    assert (b.trailing_12m_sales, b.is_billion_yuan) == (Decimal("99999999.99"), False)
    # and the mark is the one setting
    with override_settings(TAOBAO_COUNTY_THRESHOLD_YUAN=99_999_999):
        rollups.refresh_county_summary(AS_OF)
    assert CountySummary.objects.get(county=county_b).is_billion_yuan is True


def test_the_summary_ranking_and_headline_equal_a_recomputation(world, county_a, county_b, admin_user):
    # given a year of random orders in every channel and random official months
    rng = random.Random(19)
    days = []
    for _ in range(60):
        day = AS_OF - dt.timedelta(days=rng.randrange(0, 700))
        days.append(day)
        returned = day + dt.timedelta(days=3) if rng.random() < 0.15 and day + dt.timedelta(days=3) <= AS_OF else None
        if returned:
            days.append(returned)
        sell(
            world,
            partner=rng.randrange(3),
            channel=rng.choice(["farm_produce", "farm_produce", "assisted_purchase", "government_procurement"]),
            amount=f"{rng.randrange(100, 90_000_000)}.{rng.randrange(100):02d}",
            day=day,
            returned=returned,
        )
    for county in (county_a, county_b):
        for month in rng.sample(range(24), 5):
            start = dates.add_months(dates.month_start(AS_OF), -month)
            official(county, start, f"{rng.randrange(1_000_000, 60_000_000)}.{rng.randrange(100):02d}")
    # when the rollups run
    roll_up(days)
    # then every table, the summary included, equals the recomputation
    assert_rollups_equal_the_orders(as_of=AS_OF)
    expected = expected_figures(as_of=AS_OF)["county_summary"]
    # and the headline counts what the recomputation flags
    flagged = [pk for pk, row in expected.items() if row[4]]
    headline = billion_yuan_headline()
    assert headline.billion_yuan_counties == len(flagged)
    poor = set(County.objects.filter(is_poverty_county=True).values_list("pk", flat=True))
    assert headline.poverty == len([pk for pk in flagged if pk in poor])
    # and the API's ranking is the recomputation's order
    api = APIClient()
    api.force_authenticate(admin_user)
    body = api.get(reverse("api-billion-yuan-ranking")).json()["results"]
    by_code = {c.code: c.pk for c in County.objects.all()}
    assert [(r["county"]["code"], Decimal(r["trailing_12m_sales"]), r["national_rank"]) for r in body] == sorted(
        ((code, expected[pk][1], expected[pk][5]) for code, pk in by_code.items()), key=lambda r: (r[2], r[0])
    )
    assert {r["county"]["code"]: Decimal(r["trailing_12m_procurement"]) for r in body} == {
        code: expected[pk][8] for code, pk in by_code.items()
    }


def test_the_dashboard_api_carries_the_measure_beside_purchases(world, county_a, carol):
    sell(world, amount="5000.00", day=dt.date(2025, 3, 10))
    sell(world, channel="government_procurement", amount="129000.00", day=dt.date(2025, 3, 10))
    official(county_a, dt.date(2025, 4, 1), "12000000.00")
    roll_up([dt.date(2025, 3, 10)])
    api = APIClient()
    api.force_authenticate(carol)
    body = api.get(
        reverse("api-county-dashboard", args=[county_a.code]), {"from": "2025-03-01", "to": "2025-03-31"}
    ).json()["billion_yuan"]
    assert body["trailing_12m_sales"] == "12005000.00"
    assert body["threshold"] == "100000000.00"
    assert body["progress"] == pytest.approx(0.12005)
    assert body["trailing_12m_procurement"] == "129000.00"
    assert body["official_months"] == 1


# ── the import ───────────────────────────────────────────────────────────────

ZH = ["县代码", "月份", "网络零售额"]
EN = ["county_code", "month", "online_retail_sales"]


def xlsx_of(header, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored():
    return {
        (r.county.code, r.month.strftime("%Y-%m")): r.online_retail_sales
        for r in CountyOnlineRetailMonth.objects.select_related("county")
    }


def test_a_dry_run_checks_and_writes_nothing(county_a, county_b):
    data = csv_bytes(ZH, [[county_a.code, "2025-03", "12,345,678.90"], [county_b.code, "2025-04", "¥800000"]])
    report = county_online_sales_import(source=data, filename="figures.csv", dry_run=True)
    assert (report.ok, report.rows, report.created, report.updated) == (True, 2, 2, 0)
    assert CountyOnlineRetailMonth.objects.count() == 0 and RollupDirtyDay.objects.count() == 0


def test_every_bad_row_is_reported_with_the_files_own_headings(county_a):
    # given a Chinese file with a bad row of every kind (and a good one)
    rows = [
        [county_a.code, "2025-03", "1000"],  # row 2: fine
        ["41022", "2025-03", "1000"],  # 3: not a code
        ["999999", "2025-03", "1000"],  # 4: no such county
        [county_a.code, "2025-13", "1000"],  # 5: no month 13
        [county_a.code, "2025-07", "1000"],  # 6: after this month (June 2025)
        [county_a.code, "2025-02", "lots"],  # 7: not an amount
        [county_a.code, "2025-01", "-5"],  # 8: negative
        [county_a.code, "2025-03", "2000"],  # 9: the same county and month as row 2
        [county_a.code, "", "=1+1"],  # 10: a formula, the month missing
        [county_a.code, "2024-12", "1.005"],  # 11: three decimals
    ]
    report = county_online_sales_import(source=csv_bytes(ZH, rows), filename="官方数据.csv")
    # then nothing is written, and every bad row is listed with its heading as in the file
    assert not report.ok and CountyOnlineRetailMonth.objects.count() == 0
    assert [(e.row, e.label) for e in report.errors] == [
        (3, "县代码"),
        (4, "县代码"),
        (5, "月份"),
        (6, "月份"),
        (7, "网络零售额"),
        (8, "网络零售额"),
        (9, "月份"),
        (10, "网络零售额"),
        (11, "网络零售额"),
    ]
    by_row = {e.row: e for e in report.errors}
    assert by_row[4].column == "county_code" and "999999" in by_row[4].message
    assert "第 2 行" in by_row[9].message  # the default language is Chinese
    assert "2025-07" in by_row[6].message


def test_a_file_without_the_columns_is_refused(county_a):
    with pytest.raises(ImportFileError) as refused:
        county_online_sales_import(source=csv_bytes(["县代码", "金额"], [[county_a.code, "1"]]), filename="x.csv")
    assert "month/月份" in refused.value.message and "online_retail_sales/网络零售额" in refused.value.message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "xlsx"])
def test_csv_in_each_encoding_and_xlsx_read_the_same(county_a, encoding):
    rows = [[county_a.code, "2025-03", "12345678.90"], [county_a.code, "2025年4月", "800000"]]
    if encoding == "xlsx":
        # as Excel keeps them: the code a number, the month a date cell, the amount a float
        data = xlsx_of(ZH, [[int(county_a.code), dt.datetime(2025, 3, 1), 12345678.9], [410225, "2025-04", 800000]])
    else:
        data = csv_bytes(
            ZH, rows, bom=encoding == "utf-8-sig", encoding="gb18030" if encoding == "gb18030" else "utf-8"
        )
    report = county_online_sales_import(source=data, filename=f"figures.{'xlsx' if encoding == 'xlsx' else 'csv'}")
    assert report.ok, report.errors
    assert stored() == {
        (county_a.code, "2025-03"): Decimal("12345678.90"),
        (county_a.code, "2025-04"): Decimal("800000.00"),
    }


def test_a_reimport_is_idempotent_and_a_change_is_an_update(county_a, county_b):
    data = csv_bytes(EN, [[county_a.code, "2025-03", "1000"], [county_b.code, "2025-03", "2000"]])
    first = county_online_sales_import(source=data, filename="a.csv")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    before = list(CountyOnlineRetailMonth.objects.order_by("pk").values())
    history = CountyOnlineRetailMonth.history.count()
    RollupDirtyDay.objects.all().delete()
    # the same file again changes nothing, marks nothing
    again = county_online_sales_import(source=data, filename="a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(CountyOnlineRetailMonth.objects.order_by("pk").values()) == before
    assert CountyOnlineRetailMonth.history.count() == history and RollupDirtyDay.objects.count() == 0
    # a corrected figure updates its row (with a history row) and nothing else
    fixed = county_online_sales_import(source=csv_bytes(EN, [[county_a.code, "2025-03", "1500"]]), filename="b.csv")
    assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 0)
    assert stored() == {(county_a.code, "2025-03"): Decimal("1500.00"), (county_b.code, "2025-03"): Decimal("2000.00")}
    assert CountyOnlineRetailMonth.history.count() == history + 1


def test_an_import_marks_its_months_so_the_dirty_run_refreshes_the_summary(world, county_a):
    # given the summary is built, without any official figure
    sell(world, amount="5000.00", day=dt.date(2025, 3, 10))
    roll_up([dt.date(2025, 3, 10)])
    RollupDirtyDay.objects.all().delete()
    assert CountySummary.objects.get(county=county_a).trailing_12m_sales == Decimal("5000.00")
    # when March's and June's (the month under way) official figures are imported
    data = csv_bytes(ZH, [[county_a.code, "2025-03", "101000000"], [county_a.code, "2025-06", "0"]])
    county_online_sales_import(source=data, filename="official.csv")
    # then those months are marked for the nightly run
    assert set(RollupDirtyDay.objects.values_list("day", flat=True)) == {dt.date(2025, 3, 1), dt.date(2025, 6, 1)}
    # and `run_rollups --dirty` brings the summary to the official figure
    call_command("run_rollups", "--dirty", stdout=io.StringIO())
    summary = CountySummary.objects.get(county=county_a)
    assert (summary.trailing_12m_sales, summary.is_billion_yuan, summary.official_months) == (
        Decimal("101000000.00"),
        True,
        2,
    )


def test_the_command_reports_and_refuses_bad_files(county_a, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(ZH, [[county_a.code, "2025-03", "1000"]]))
    out = io.StringIO()
    call_command("import_county_online_sales", str(good), "--dry-run", stdout=out)
    assert "would be created 1" in out.getvalue() and CountyOnlineRetailMonth.objects.count() == 0
    call_command("import_county_online_sales", str(good), stdout=out)
    assert stored() == {(county_a.code, "2025-03"): Decimal("1000.00")}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(ZH, [[county_a.code, "2025-3-15", "1000"]]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_county_online_sales", str(bad), stdout=out)
    assert "row 2, 月份:" in out.getvalue()


def test_the_upload_page_is_for_admins_only(client, carol, alice, county_a):
    url = reverse("dashboards:online_sales_import")
    assert client.get(url).status_code == 302  # to the login
    for user in (carol, alice.user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        upload = SimpleUploadedFile("x.csv", csv_bytes(ZH, [[county_a.code, "2025-03", "1000"]]), "text/csv")
        assert client.post(url, {"file": upload}).status_code == 403
    assert CountyOnlineRetailMonth.objects.count() == 0


def test_the_upload_page_dry_runs_then_imports(admin_client_en, county_a):
    url = reverse("dashboards:online_sales_import")
    page = admin_client_en.get(url).content.decode()
    assert "county_code/县代码, month/月份 (YYYY-MM), online_retail_sales/网络零售额" in page
    data = csv_bytes(ZH, [[county_a.code, "2025-03", "1000"], [county_a.code, "March", "x"]])
    response = admin_client_en.post(url, {"file": SimpleUploadedFile("f.csv", data, "text/csv"), "dry_run": "on"})
    html = response.content.decode()
    assert 'data-ok="false"' in html and "<td>月份</td>" in html and "<td>网络零售额</td>" in html
    data = csv_bytes(ZH, [[county_a.code, "2025-03", "1000"]])
    response = admin_client_en.post(url, {"file": SimpleUploadedFile("f.csv", data, "text/csv"), "dry_run": "on"})
    assert 'data-dry-run="true"' in response.content.decode() and CountyOnlineRetailMonth.objects.count() == 0
    response = admin_client_en.post(url, {"file": SimpleUploadedFile("f.csv", data, "text/csv")})
    assert '<strong id="report-created">1</strong>' in response.content.decode()
    assert stored() == {(county_a.code, "2025-03"): Decimal("1000.00")}


def test_the_upload_page_speaks_chinese(client, admin_user, county_a):
    client.force_login(admin_user)
    client.cookies["django_language"] = "zh-hans"
    data = csv_bytes(EN, [[county_a.code, "2025-03", "abc"]])
    html = client.post(
        reverse("dashboards:online_sales_import"), {"file": SimpleUploadedFile("f.csv", data, "text/csv")}
    ).content.decode()
    assert "导入县官方网络零售额" in html and "不是金额" in html and "<td>online_retail_sales</td>" in html
