"""The partner import speaks the file's language (issue 19, point 18): the report names a
column as the file's header row did (手机号, not phone), on the page, in the command and
in the API (``heading`` beside the stable ``column``); and a template file to start from,
CSV and XLSX, in the page's language, that the import reads back."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from partners.importing import import_partners, read_rows
from partners.models import Partner
from tests.support.factories import VillageFactory
from tests.support.import_files import CHINESE, ENGLISH, partner_file
from tests.support.pages import page_text

pytestmark = pytest.mark.django_db
BAD = [["王小明", "13800000001", "410225", "东坝头村", "", ""], ["李红", "1380000", "41022", "东坝头村", "", ""]]


@pytest.fixture
def village(county_a):
    return VillageFactory(county=county_a, name="东坝头村")


@pytest.mark.parametrize(("header", "phone", "county"), [(CHINESE, "手机号", "县代码"), (ENGLISH, "phone", "county_code")])
@pytest.mark.parametrize("fmt", ["csv_bom", "xlsx"])
def test_the_report_names_columns_as_the_file_did(village, fmt, header, phone, county):
    content, name = partner_file(fmt, header, BAD)
    report = import_partners(source=content, filename=name, dry_run=True)
    assert [(e.row, e.column, e.label) for e in report.errors] == [(3, "phone", phone), (3, "county_code", county)]
    assert report.as_dict()["errors"][0] | {"message": ""} == {"row": 3, "column": "phone", "heading": phone, "message": ""}


def test_the_page_and_the_command_name_the_files_columns(admin_client, village, tmp_path):
    content, name = partner_file("csv_bom", CHINESE, BAD)
    html = page_text(
        admin_client.post(reverse("onboarding:import"), {"file": SimpleUploadedFile(name, content), "status": "applied"})
    )
    assert "<td>手机号</td>" in html and "<td>县代码</td>" in html
    assert "<td>phone</td>" not in html
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_partners", str(path), "--dry-run", stdout=out, stderr=err)
    assert "row 3, 手机号:" in out.getvalue() + err.getvalue()


@pytest.mark.parametrize(("language", "titles"), [("zh-hans", CHINESE), ("en", ENGLISH)])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_file_in_the_pages_language_reads_back(admin_client, village, fmt, language, titles):
    response = admin_client.get(reverse("onboarding:import_template", args=[fmt]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and f".{fmt}" in response["Content-Disposition"]
    content = response.content
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        assert content.decode("utf-8-sig").strip() == ",".join(titles)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert [cell.value for cell in sheet[1]] == titles
        assert sheet["B2"].number_format == "@"  # the phone column is text: no 1.38E+10
    titles_found: dict[str, str] = {}
    assert read_rows(content, f"template.{fmt}", titles_found) == []
    assert list(titles_found.values()) == titles
    # filled in, it imports
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        book.active.append(["王小明", "13800000001", "410225", "东坝头村", "", ""])
        out = io.BytesIO()
        book.save(out)
        filled = out.getvalue()
    else:
        filled = content + "王小明,13800000001,410225,东坝头村,,\r\n".encode()
    report = import_partners(source=filled, filename=f"filled.{fmt}")
    assert report.ok and report.created == 1
    assert Partner.objects.get(phone="13800000001").village == village


def test_the_template_is_for_admins_only_and_only_csv_or_xlsx(client, admin_client, alice):
    assert admin_client.get(reverse("onboarding:import_template", args=["exe"])).status_code == 404
    client.force_login(alice.user)
    assert client.get(reverse("onboarding:import_template", args=["csv"])).status_code in (403, 404)
