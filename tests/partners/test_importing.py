"""Bulk import: both file formats and header languages, dry run, atomicity, idempotency, every row error."""

import pytest
from django.utils import translation

from counties.models import Village
from partners.importing import ImportFileError, import_partners, import_path
from partners.models import Partner, PartnerStatus, PartnerStatusChange
from tests.support.factories import PartnerFactory, VillageFactory
from tests.support.import_files import CHINESE, ENGLISH, FORMATS, HEADERS, csv_bytes, partner_file, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English: whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def villages(county_a, county_b):
    return {
        "东坝头村": VillageFactory(county=county_a, name="东坝头村"),
        "许河村": VillageFactory(county=county_a, name="许河村"),
        "南仁村": VillageFactory(county=county_b, name="南仁村"),
    }


GOOD_ROWS = [
    ["王小明", "13800000001", "410225", "东坝头村", "小卖部店主", "村口 1 号"],
    ["李红", "138 0000 0002", "410225", "许河村", "", ""],
    ["张伟", "+8613800000003", "610431", "南仁村", "返乡青年", ""],
]


def run(content, name, **options):
    return import_partners(source=content, filename=name, **options)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_clean_file_is_imported_whole_and_a_second_import_changes_nothing(fmt, language, villages):
    # given
    content, name = partner_file(fmt, HEADERS[language], GOOD_ROWS)
    # when
    report = run(content, name)
    # then
    assert report.ok, report.errors
    assert (report.rows, report.created, report.unchanged) == (3, 3, 0)
    wang = Partner.objects.get(phone="13800000001")
    assert (wang.real_name, wang.village, wang.status) == ("王小明", villages["东坝头村"], PartnerStatus.APPLIED)
    assert (wang.previous_occupation, wang.service_point_address) == ("小卖部店主", "村口 1 号")
    assert Partner.objects.get(phone="13800000003").village == villages["南仁村"]
    assert PartnerStatusChange.objects.filter(to_status=PartnerStatus.APPLIED, from_status="").count() == 3
    # when: the same file again
    again = run(content, name)
    # then
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    assert Partner.objects.count() == 3
    assert PartnerStatusChange.objects.count() == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_dry_run_reports_and_writes_nothing(fmt, villages):
    content, name = partner_file(fmt, ENGLISH, GOOD_ROWS)
    report = run(content, name, dry_run=True)
    assert report.ok and report.dry_run
    assert report.created == 3
    assert Partner.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_bad_row_and_nothing_is_imported(fmt, villages):
    # given: two good rows and one with a bad phone
    rows = [*GOOD_ROWS[:2], ["赵六", "12345", "410225", "东坝头村", "", ""]]
    content, name = partner_file(fmt, CHINESE, rows)
    # when
    report = run(content, name)
    # then
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(4, "phone")]
    assert Partner.objects.count() == 0
    assert PartnerStatusChange.objects.count() == 0


def test_every_kind_of_bad_row_is_reported_with_row_and_column(villages):
    # given
    rows = [
        ["王小明", "13800000001", "410225", "东坝头村", "", ""],  # 2: fine
        ["", "13800000002", "410225", "东坝头村", "", ""],  # 3: missing name
        ["李四", "1380000000", "410225", "东坝头村", "", ""],  # 4: bad phone
        ["王五", "13800000001", "410225", "许河村", "", ""],  # 5: phone twice (first in row 2)
        ["赵六", "13800000006", "999999", "东坝头村", "", ""],  # 6: unknown county code
        ["钱七", "13800000007", "410225", "南仁村", "", ""],  # 7: village of another county
        ["孙八", "13800000008", "41022", "东坝头村", "", ""],  # 8: not six digits
        ["周九", "13800000009", "410225", "", "", ""],  # 9: missing village
        ["吴十", "", "", "东坝头村", "", ""],  # 10: missing phone and county
    ]
    content, name = partner_file("csv_bom", ENGLISH, rows)
    # when
    report = run(content, name, dry_run=True)
    # then
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "name"),
        (4, "phone"),
        (5, "phone"),
        (6, "county_code"),
        (7, "village"),
        (8, "county_code"),
        (9, "village"),
        (10, "phone"),
        (10, "county_code"),
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "first in row 2" in messages[(5, "phone")]
    assert "999999" in messages[(6, "county_code")]
    assert "南仁村" in messages[(7, "village")]
    assert report.created == 0


def test_unknown_villages_are_created_only_when_asked(villages, county_a):
    rows = [["王小明", "13800000001", "410225", "新建村", "", ""], ["李红", "13800000002", "410225", "新建村", "", ""]]
    content, name = partner_file("csv", ENGLISH, rows)
    # when: without the option
    refused = run(content, name)
    # then
    assert [(e.row, e.column) for e in refused.errors] == [(2, "village"), (3, "village")]
    # when: with it
    report = run(content, name, create_villages=True)
    # then: one village, both partners in it
    assert report.ok and report.villages_created == 1 and report.created == 2
    village = Village.objects.get(county=county_a, name="新建村")
    assert village.partners.count() == 2


def test_a_dry_run_with_create_villages_counts_but_does_not_create(villages):
    content, name = partner_file("csv", ENGLISH, [["王小明", "13800000001", "410225", "新建村", "", ""]])
    report = run(content, name, dry_run=True, create_villages=True)
    assert report.villages_created == 1
    assert not Village.objects.filter(name="新建村").exists()


def test_a_phone_that_is_a_partner_already_is_left_unchanged(villages):
    # given
    existing = PartnerFactory(phone="13800000001", real_name="原名", village=villages["许河村"])
    content, name = partner_file("xlsx", ENGLISH, GOOD_ROWS)
    # when
    report = run(content, name)
    # then
    assert (report.created, report.unchanged) == (2, 1)
    existing.refresh_from_db()
    assert (existing.real_name, existing.village) == ("原名", villages["许河村"])


@pytest.mark.parametrize("status", [PartnerStatus.REVIEWING, PartnerStatus.APPROVED, PartnerStatus.TRAINING])
def test_a_later_status_records_each_step_of_the_legal_path(status, villages, admin_user):
    content, name = partner_file("csv", ENGLISH, GOOD_ROWS[:1])
    report = run(content, name, status=status, by_user=admin_user)
    assert report.ok
    partner = Partner.objects.get()
    assert partner.status == status
    steps = list(partner.status_changes.order_by("changed_at", "id").values_list("from_status", "to_status"))
    path = import_path(status)
    assert steps == list(zip(["", *path[:-1]], path, strict=True))
    assert set(partner.status_changes.values_list("reason", flat=True)) == {"imported from partners.csv"}
    assert set(partner.status_changes.values_list("changed_by", flat=True)) == {admin_user.pk}


def test_the_import_path_follows_the_transition_table():
    assert import_path(PartnerStatus.TRAINING) == ["applied", "reviewing", "approved", "training"]
    assert import_path(PartnerStatus.APPLIED) == ["applied"]


@pytest.mark.parametrize("status", [PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXITED, "bogus"])
def test_statuses_outside_the_import_set_are_refused(status, villages):
    content, name = partner_file("csv", ENGLISH, GOOD_ROWS)
    with pytest.raises(ImportFileError) as refused:
        run(content, name, status=status)
    if status == PartnerStatus.ACTIVE:
        assert "one partner at a time" in refused.value.message
    assert Partner.objects.count() == 0


def test_a_file_without_the_required_columns_is_refused(villages):
    content = csv_bytes(["name", "mobile"], [["王小明", "13800000001"]])
    with pytest.raises(ImportFileError) as refused:
        run(content, "x.csv")
    assert "phone/手机号" in refused.value.message and "county_code/县代码" in refused.value.message


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.csv"), (b"PK\x03\x04not really a zip", "broken.xlsx"), (b"\xd0\xcf\x11\xe0\x00\x00", "old.xls")],
)
def test_unreadable_files_are_refused_with_a_message(content, name):
    with pytest.raises(ImportFileError):
        run(content, name)


def test_a_gbk_csv_from_chinese_excel_is_read(villages):
    content = csv_bytes(CHINESE, GOOD_ROWS, bom=False, encoding="gb18030")
    report = run(content, "partners.csv")
    assert report.ok and report.created == 3


def test_headers_are_matched_loosely_and_extra_columns_ignored(villages):
    header = [" Name ", "PHONE", "County_Code", "village", "备注"]
    content = csv_bytes(header, [["王小明", "13800000001", "410225", "东坝头村", "随便"]])
    assert run(content, "x.csv").created == 1


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(villages):
    rows = [
        GOOD_ROWS[0],
        ["", "", "", "", "", ""],
        ["李红", "bad", "410225", "许河村", "", ""],
        ["", "", "", "", "", ""],
    ]
    report = run(*partner_file("xlsx", ENGLISH, rows))
    assert report.rows == 2
    assert [(e.row, e.column) for e in report.errors] == [(4, "phone")]


def test_semicolon_separated_csv_is_read(villages):
    content = "\ufeffname;phone;county_code;village\r\n王小明;13800000001;410225;东坝头村\r\n".encode()
    assert run(content, "x.csv").created == 1


def test_an_xlsx_with_text_cells_is_read(villages):
    content = xlsx_bytes(ENGLISH, GOOD_ROWS, numbers=False)
    assert run(content, "x.xlsx").created == 3


def test_too_long_values_are_reported(villages):
    rows = [["王" * 51, "13800000001", "410225", "东坝头村", "x" * 101, "y" * 201]]
    report = run(*partner_file("csv", ENGLISH, rows))
    assert {e.column for e in report.errors} == {"name", "previous_occupation", "service_point_address"}


def test_progress_is_reported(villages):
    seen = []
    run(*partner_file("csv", ENGLISH, GOOD_ROWS), progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert ("validated", 3, 3) in seen and ("imported", 3, 3) in seen


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "@SUM(A1:A2)", "+A1", "-2+3"])
def test_a_formula_in_any_cell_is_refused(cell, county_a):
    from partners.importing import import_partners

    data = f"name,phone,county_code,village,previous_occupation\n张三,13800001111,410225,张庄村,\"{cell}\"\n".encode()
    with translation.override("en"):
        report = import_partners(source=data, filename="x.csv", dry_run=True, create_villages=True)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(2, "previous_occupation")]
    assert report.errors[0].message == "Formulas are not accepted: enter the value itself."
