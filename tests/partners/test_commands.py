"""The shell command import_partners (add_county_staff: tests/counties/test_staff.py)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partners.models import Partner, PartnerStatus
from tests.support.commands import call
from tests.support.factories import VillageFactory
from tests.support.import_files import CHINESE, ENGLISH, partner_file

pytestmark = pytest.mark.django_db

ROWS = [
    ["王小明", "13800000001", "410225", "东坝头村", "", ""],
    ["李红", "13800000002", "410225", "东坝头村", "", ""],
]


@pytest.fixture
def partner_csv(tmp_path, county_a):
    VillageFactory(county=county_a, name="东坝头村")
    content, _name = partner_file("csv_bom", CHINESE, ROWS)
    path = tmp_path / "partners.csv"
    path.write_bytes(content)
    return path


# ── import_partners ──────────────────────────────────────────────────────────


def test_import_partners_imports_reports_and_shows_progress(partner_csv):
    # when
    out, err = call("import_partners", str(partner_csv))
    # then
    assert Partner.objects.count() == 2
    assert "created 2, unchanged 0, errors 0" in out
    assert "rows validated: 2/2" in err and "rows imported: 2/2" in err


def test_import_partners_twice_changes_nothing(partner_csv):
    call("import_partners", str(partner_csv))
    out, _err = call("import_partners", str(partner_csv))
    assert "created 0, unchanged 2, errors 0" in out
    assert Partner.objects.count() == 2


def test_import_partners_dry_run_imports_nothing(partner_csv):
    out, _err = call("import_partners", str(partner_csv), "--dry-run")
    assert "would be created 2" in out
    assert Partner.objects.count() == 0


def test_import_partners_with_a_status(partner_csv):
    call("import_partners", str(partner_csv), "--status", "training")
    assert set(Partner.objects.values_list("status", flat=True)) == {PartnerStatus.TRAINING}


def test_import_partners_refuses_active(partner_csv):
    with pytest.raises(CommandError, match="one partner at a time"):
        call("import_partners", str(partner_csv), "--status", "active")


def test_import_partners_lists_bad_rows_and_fails(tmp_path, county_a):
    # given
    VillageFactory(county=county_a, name="东坝头村")
    content, _name = partner_file("xlsx", ENGLISH, [*ROWS, ["赵六", "13800000003", "410225", "无此村", "", ""]])
    path = tmp_path / "partners.xlsx"
    path.write_bytes(content)
    out = StringIO()
    # when
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_partners", str(path), stdout=out, stderr=StringIO())
    # then
    assert "row 4, village:" in out.getvalue()
    assert Partner.objects.count() == 0


def test_import_partners_creates_villages_when_asked(tmp_path, county_a):
    content, _name = partner_file("csv", ENGLISH, ROWS)
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    out, _err = call("import_partners", str(path), "--create-villages")
    assert "villages created 1" in out
    assert Partner.objects.count() == 2


def test_import_partners_missing_file():
    with pytest.raises(CommandError, match="No such file"):
        call("import_partners", "/nonexistent/partners.csv")
