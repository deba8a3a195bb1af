"""The shell commands: import_partners and add_county_staff."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from counties.models import CountyStaffAssignment
from partners.models import Partner, PartnerStatus
from tests.factories import VillageFactory

from .importing_files import CHINESE, ENGLISH, partner_file

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


def call(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


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


# ── add_county_staff ─────────────────────────────────────────────────────────


def test_add_county_staff_creates_a_login_with_counties(county_a, county_b):
    # when
    out, _err = call("add_county_staff", "zhou", "--county", "410225", "--county", "610431", "--password", "Zh0u-pass!")
    # then
    user = User.objects.get(username="zhou")
    assert user.check_password("Zh0u-pass!")
    assert list(user.groups.values_list("name", flat=True)) == ["county_staff"]
    assert set(user.county_assignments.values_list("county__code", flat=True)) == {"410225", "610431"}
    assert "login created" in out


def test_add_county_staff_is_idempotent(county_a):
    call("add_county_staff", "zhou", "--county", "410225")
    out, _err = call("add_county_staff", "zhou", "--county", "410225")
    assert User.objects.filter(username="zhou").count() == 1
    assert CountyStaffAssignment.objects.filter(user__username="zhou").count() == 1
    assert "login exists" in out and "+ 410225" not in out


def test_add_county_staff_adds_a_county_to_existing_staff(carol, county_b):
    call("add_county_staff", "carol", "--county", "610431")
    assert set(carol.county_assignments.values_list("county__code", flat=True)) == {"410225", "610431"}


def test_add_county_staff_without_password_prints_a_set_password_link(county_a):
    out, _err = call("add_county_staff", "zhou", "--county", "410225")
    assert not User.objects.get(username="zhou").has_usable_password()
    assert "/accounts/reset/" in out


def test_add_county_staff_unknown_county_fails_and_creates_nothing(county_a):
    with pytest.raises(CommandError, match="999999"):
        call("add_county_staff", "zhou", "--county", "410225", "--county", "999999")
    assert not User.objects.filter(username="zhou").exists()


def test_add_county_staff_exits_non_zero_from_the_shell(county_a):
    # CommandError → exit status 1 when run from manage.py
    with pytest.raises(SystemExit) as exited:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "add_county_staff", "zhou", "--county", "000000"]).execute()
    assert exited.value.code != 0


def test_add_county_staff_refuses_a_partners_login(alice, county_a):
    with pytest.raises(CommandError, match="partner"):
        call("add_county_staff", alice.user.username, "--county", "410225")


def test_add_county_staff_requires_a_county():
    with pytest.raises(CommandError):
        call("add_county_staff", "zhou")
