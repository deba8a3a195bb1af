"""The platform feed import: encodings and XLSX, Chinese headers, every bad-row kind, nothing
half-written, idempotent re-import, newer statuses move records on, older ones are skipped;
the command, the admins' page and the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import PlatformOrder
from orders.platform_feed import parse_amount, parse_moment, platform_orders_import
from partners.importing import ImportFileError
from tests.support.commands import call
from tests.support.import_files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

ENGLISH = ["platform_order_no", "status", "amount", "paid_at", "confirmed_at", "refunded_amount", "refunded_at"]
CHINESE = ["订单编号", "订单状态", "实付金额", "付款时间", "确认收货时间", "退款金额", "退款时间"]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

ROWS = [
    ["3001000000000000001", "paid", "1,299.00", "2026-11-03 14:22:05", "", "", ""],
    ["3001000000000000002", "confirmed", "¥59.9", "2026-11-01 09:00:00", "2026-11-05 10:00:00", "", ""],
    ["3001000000000000003", "refunded", "200", "2026-11-02T08:00:00+08:00", "", "200.00", "2026-11-04 12:00:00"],
]
CHINESE_ROWS = [
    ["3001000000000000001", "已付款", "1,299.00", "2026-11-03 14:22:05", "", "", ""],
    ["3001000000000000002", "交易成功", "¥59.9", "2026-11-01 09:00:00", "2026-11-05 10:00:00", "", ""],
    ["3001000000000000003", "退款成功", "200", "2026-11-02T08:00:00+08:00", "", "200.00", "2026-11-04 12:00:00"],
]


def feed(rows, header=ENGLISH, fmt="csv_bom") -> tuple[bytes, str]:
    if fmt == "csv_bom":
        return csv_bytes(header, rows, bom=True), "feed.csv"
    if fmt == "csv":
        return csv_bytes(header, rows, bom=False), "feed.csv"
    if fmt == "gb18030":
        return csv_bytes(header, rows, bom=False, encoding="gb18030"), "feed.csv"
    if fmt == "xlsx":
        return xlsx_bytes(header, rows), "feed.xlsx"
    raise ValueError(fmt)


def run(rows, header=ENGLISH, fmt="csv_bom", **options):
    content, name = feed(rows, header, fmt)
    return platform_orders_import(source=content, filename=name, **options)


def record(number: str) -> PlatformOrder:
    return PlatformOrder.objects.get(number=number)


def errors_of(report) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in report.errors}


# ── Cells ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,299.00", "1299.00"), ("¥1299", "1299"), ("￥ 59.9", "59.9"), ("0", "0"), ("12.345", None), ("-5", None)],
)
def test_amounts(text, expected):
    assert parse_amount(text) == expected


def test_times_are_shanghai_unless_they_say_otherwise():
    assert parse_moment("2026-11-03 14:22:05") == dt.datetime(2026, 11, 3, 14, 22, 5, tzinfo=SHANGHAI)
    assert parse_moment("2026/11/3 14:22:05") == dt.datetime(2026, 11, 3, 14, 22, 5, tzinfo=SHANGHAI)
    assert parse_moment("2026-11-03T06:22:05Z") == dt.datetime(2026, 11, 3, 6, 22, 5, tzinfo=dt.UTC)
    assert parse_moment("2026-13-03 14:22:05") is None
    assert parse_moment("tomorrow") is None


# ── The service ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize("fmt", ["csv_bom", "csv", "gb18030", "xlsx"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_clean_file_is_imported_and_a_second_import_changes_nothing(fmt, language):
    header, rows = (ENGLISH, ROWS) if language == "en" else (CHINESE, CHINESE_ROWS)
    report = run(rows, header, fmt)
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged, report.skipped) == (3, 3, 0, 0, 0)
    paid = record("3001000000000000001")
    assert paid.status == "paid" and paid.amount == Decimal("1299.00")
    assert paid.paid_at == dt.datetime(2026, 11, 3, 6, 22, 5, tzinfo=dt.UTC)
    assert paid.first_seen_at == paid.changed_at
    confirmed = record("3001000000000000002")
    assert confirmed.status == "confirmed" and confirmed.amount == Decimal("59.90")
    assert confirmed.confirmed_at == dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.UTC)
    refunded = record("3001000000000000003")
    assert refunded.refunded_amount == Decimal("200.00") and refunded.paid_at == dt.datetime(
        2026, 11, 2, 0, 0, tzinfo=dt.UTC
    )
    before = dict(PlatformOrder.objects.values_list("number", "changed_at"))

    again = run(rows, header, fmt)
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 3, 0)
    assert dict(PlatformOrder.objects.values_list("number", "changed_at")) == before


def test_a_dry_run_counts_and_writes_nothing():
    report = run(ROWS, dry_run=True)
    assert report.ok and report.dry_run and report.created == 3
    assert not PlatformOrder.objects.exists()
    run(ROWS[:1])
    moved = [["3001000000000000001", "shipped", "1299", "2026-11-03 14:22:05", "", "", ""], *ROWS[1:]]
    report = run(moved, dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    assert record("3001000000000000001").status == "paid" and PlatformOrder.objects.count() == 1


def test_a_newer_status_moves_the_record_on_and_sets_changed_at():
    run(ROWS)
    first = record("3001000000000000001")
    later = [["3001000000000000001", "交易成功", "1299", "2026-11-03 14:22:05", "2026-11-09 08:00:00", "", ""]]
    report = run(later, CHINESE)
    assert (report.created, report.updated, report.unchanged, report.skipped) == (0, 1, 0, 0)
    moved = record("3001000000000000001")
    assert moved.status == "confirmed" and moved.confirmed_at == dt.datetime(2026, 11, 9, 0, 0, tzinfo=dt.UTC)
    assert moved.changed_at > first.changed_at and moved.first_seen_at == first.first_seen_at
    # Untouched records keep their changed_at.
    assert record("3001000000000000002").changed_at == first.changed_at


def test_the_same_status_with_changed_figures_updates():
    run(ROWS)
    before = record("3001000000000000001").changed_at
    report = run([["3001000000000000001", "paid", "1,199.00", "2026-11-03 14:22:05", "", "", ""]])
    assert report.updated == 1
    changed = record("3001000000000000001")
    assert changed.amount == Decimal("1199.00") and changed.changed_at > before


def test_refunded_and_closed_share_a_rank_and_replace_each_other():
    run(ROWS)
    report = run([["3001000000000000003", "closed", "200", "2026-11-02 08:00:00", "", "200", "2026-11-04 12:00:00"]])
    assert report.updated == 1 and record("3001000000000000003").status == "closed"


def test_an_older_status_never_moves_a_record_back_and_is_skipped():
    run(ROWS)
    before = {r.number: (r.status, r.changed_at) for r in PlatformOrder.objects.all()}
    older = [
        ["3001000000000000002", "shipped", "59.90", "2026-11-01 09:00:00", "", "", ""],
        ["3001000000000000003", "paid", "200", "2026-11-02 08:00:00", "", "", ""],
        ["3001000000000000004", "paid", "10", "", "", "", ""],
    ]
    report = run(older)
    assert report.ok
    assert (report.created, report.updated, report.unchanged, report.skipped) == (1, 0, 0, 2)
    after = {r.number: (r.status, r.changed_at) for r in PlatformOrder.objects.exclude(number="3001000000000000004")}
    assert after == before


def test_an_optional_column_the_file_lacks_keeps_the_stored_value():
    run(ROWS)
    header = ["platform_order_no", "status", "amount", "confirmed_at"]
    report = run([["3001000000000000001", "confirmed", "1299", "2026-11-09 08:00:00"]], header)
    assert report.updated == 1
    moved = record("3001000000000000001")
    assert moved.status == "confirmed" and moved.paid_at == dt.datetime(2026, 11, 3, 6, 22, 5, tzinfo=dt.UTC)


def test_the_same_number_twice_with_the_same_content_is_one_record():
    report = run([ROWS[0], ROWS[1], ROWS[0]])
    assert report.ok and (report.rows, report.created, report.unchanged) == (3, 2, 1)


BAD_ROWS = [
    # (row cells, column at fault)
    (["", "paid", "10", "", "", "", ""], "platform_order_no"),
    (["12 34", "paid", "10", "", "", "", ""], "platform_order_no"),
    (["3001000000000000101", "", "10", "", "", "", ""], "status"),
    (["3001000000000000102", "待发货", "10", "", "", "", ""], "status"),
    (["3001000000000000103", "paid", "", "", "", "", ""], "amount"),
    (["3001000000000000104", "paid", "ten", "", "", "", ""], "amount"),
    (["3001000000000000105", "paid", "-10", "", "", "", ""], "amount"),
    (["3001000000000000106", "paid", "10.123", "", "", "", ""], "amount"),
    (["3001000000000000107", "paid", "10", "yesterday", "", "", ""], "paid_at"),
    (["3001000000000000108", "confirmed", "10", "2026-11-01 09:00:00", "", "", ""], "confirmed_at"),
    (["3001000000000000109", "confirmed", "10", "", "2026-02-30 09:00:00", "", ""], "confirmed_at"),
    (["3001000000000000110", "refunded", "10", "", "", "10", ""], "refunded_at"),
    (["3001000000000000111", "refunded", "10", "", "", "¥x", "2026-11-04 12:00:00"], "refunded_amount"),
    (["3001000000000000112", "refunded", "10", "", "", "20", "2026-11-04 12:00:00"], "refunded_amount"),
    (["3001000000000000113", "refunded", "10", "", "", "10", "2026-11-04 25:00:00"], "refunded_at"),
]


@pytest.mark.parametrize(("cells", "column"), BAD_ROWS, ids=[f"{c}-{i}" for i, (_r, c) in enumerate(BAD_ROWS)])
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(cells, column):
    report = run([ROWS[0], cells, ROWS[1]])
    assert not report.ok
    assert errors_of(report) == {(3, column)}, report.errors
    assert (report.created, report.updated, report.unchanged, report.skipped) == (0, 0, 0, 0)
    assert not PlatformOrder.objects.exists()


def test_every_bad_row_is_reported_at_once_and_nothing_is_half_written():
    run(ROWS[:1])
    before = list(PlatformOrder.objects.values())
    rows = [ROWS[1], *[cells for cells, _column in BAD_ROWS], ROWS[2]]
    report = run(rows)
    assert errors_of(report) == {(row, column) for row, (_cells, column) in enumerate(BAD_ROWS, start=3)}
    assert all(error.message for error in report.errors)
    assert list(PlatformOrder.objects.values()) == before


def test_the_same_number_with_contradictory_content_is_an_error():
    contradicting = ["3001000000000000001", "paid", "1,300.00", "2026-11-03 14:22:05", "", "", ""]
    report = run([ROWS[0], ROWS[1], contradicting])
    assert errors_of(report) == {(4, "platform_order_no")}
    assert "row 2" in report.errors[0].message
    assert not PlatformOrder.objects.exists()


def test_files_that_cannot_be_read():
    with pytest.raises(ImportFileError):
        platform_orders_import(source=b"", filename="feed.csv")
    with pytest.raises(ImportFileError):
        platform_orders_import(source=csv_bytes(["platform_order_no", "amount"], [["300100000001", "1"]]))
    with pytest.raises(ImportFileError):
        platform_orders_import(source=b"PK\x03\x04junk", filename="feed.xlsx")


def test_the_report_shape():
    report = run(ROWS[:1])
    assert report.as_dict() == {
        "dry_run": False,
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "shipped": 0,
        "errors": [],
    }


# ── The command ──────────────────────────────────────────────────────────────


def test_the_command(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(feed(ROWS)[0])
    out, _err = call("import_platform_orders", str(path), "--dry-run")
    assert "would be created 3" in out and not PlatformOrder.objects.exists()
    out, _err = call("import_platform_orders", str(path))
    assert "created 3" in out and PlatformOrder.objects.count() == 3
    out, _err = call("import_platform_orders", str(path))
    assert "unchanged 3" in out


def test_the_command_fails_on_bad_rows(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(feed([ROWS[0], BAD_ROWS[3][0]])[0])
    with pytest.raises(CommandError, match="bad row"):
        call("import_platform_orders", str(path))
    assert not PlatformOrder.objects.exists()
    with pytest.raises(CommandError, match="No such file"):
        call("import_platform_orders", str(tmp_path / "missing.csv"))


def test_the_command_exits_non_zero_on_bad_rows(tmp_path):
    from django.core.management import ManagementUtility

    path = tmp_path / "feed.csv"
    path.write_bytes(feed([BAD_ROWS[3][0]])[0])
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "import_platform_orders", str(path)]).execute()
    assert exit_info.value.code != 0


# ── The page ─────────────────────────────────────────────────────────────────

PAGE = "/platform-orders/import/"


def test_the_page_url_and_nav(admin_client_en):
    assert reverse("platform_orders_import") == PAGE
    page = admin_client_en.get(PAGE)
    assert page.status_code == 200
    assert f'href="{PAGE}"' in page.content.decode()


def test_the_page_dry_run_then_import(admin_client_en):
    content, name = feed(ROWS)
    dry = admin_client_en.post(PAGE, {"file": SimpleUploadedFile(name, content), "dry_run": "on"})
    assert dry.status_code == 200
    html = dry.content.decode()
    assert 'id="report-created">3<' in html and 'data-dry-run="true"' in html
    assert not PlatformOrder.objects.exists()
    real = admin_client_en.post(PAGE, {"file": SimpleUploadedFile(name, content)})
    assert 'id="report-created">3<' in real.content.decode() and PlatformOrder.objects.count() == 3


def test_the_page_lists_the_bad_rows(admin_client_en):
    content, name = feed([ROWS[0], BAD_ROWS[3][0]])
    page = admin_client_en.post(PAGE, {"file": SimpleUploadedFile(name, content)})
    html = page.content.decode()
    assert 'data-ok="false"' in html and 'id="import-errors"' in html and "待发货" in html
    assert not PlatformOrder.objects.exists()


def test_the_page_shows_an_unreadable_file_on_the_form(admin_client_en):
    page = admin_client_en.post(PAGE, {"file": SimpleUploadedFile("feed.xlsx", b"PK\x03\x04junk")})
    assert page.status_code == 200 and "Excel workbook" in page.content.decode()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_page_refuses_partners_and_county_staff(request, client, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(PAGE).status_code == 403
    content, name = feed(ROWS)
    assert client.post(PAGE, {"file": SimpleUploadedFile(name, content)}).status_code == 403
    assert not PlatformOrder.objects.exists()


def test_the_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response.url


# ── The API ──────────────────────────────────────────────────────────────────

API = "/api/v1/platform-orders/import/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def post(client, content, name, **fields):
    return client.post(API, {"file": SimpleUploadedFile(name, content), **fields}, format="multipart")


@pytest.mark.parametrize("fmt", ["csv_bom", "xlsx"])
def test_the_api_dry_run_then_import_then_again(admin_user, fmt):
    client = api_as(admin_user)
    content, name = feed(CHINESE_ROWS, CHINESE, fmt)
    dry = post(client, content, name, dry_run="true")
    assert dry.status_code == 200
    assert dry.json() == {
        "dry_run": True,
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "shipped": 0,
        "errors": [],
    }
    assert not PlatformOrder.objects.exists()
    real = post(client, content, name)
    assert real.status_code == 200 and real.json()["created"] == 3
    again = post(client, content, name)
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 3)


def test_the_api_answers_400_with_the_report_when_rows_are_bad(admin_user):
    content, name = feed([ROWS[0], BAD_ROWS[3][0]])
    response = post(api_as(admin_user), content, name)
    assert response.status_code == 400
    body = response.json()
    assert body["created"] == 0 and body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "status"
    assert not PlatformOrder.objects.exists()


def test_the_api_answers_400_on_a_file_field_error(admin_user):
    client = api_as(admin_user)
    response = post(client, b"PK\x03\x04junk", "feed.xlsx")
    assert response.status_code == 400 and "file" in response.json()
    response = client.post(API, {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_api_refuses_partners_and_county_staff(request, who):
    user = request.getfixturevalue(who)
    content, name = feed(ROWS)
    assert post(api_as(getattr(user, "user", user)), content, name).status_code == 403
    assert not PlatformOrder.objects.exists()


def test_the_api_refuses_anonymous():
    content, name = feed(ROWS)
    assert APIClient().post(API, {"file": SimpleUploadedFile(name, content)}, format="multipart").status_code in (
        401,
        403,
    )


def test_the_api_is_in_the_schema(admin_user):
    response = api_as(admin_user).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"][API]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "400", "403"} <= set(operation["responses"])
