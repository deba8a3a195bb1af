"""An XLSX is a zip: an archive whose parts unpack out of proportion to a workbook (a
"zip bomb") is refused before openpyxl parses anything, in every import that takes XLSX —
partners, the platform's order export, the bank's payout results — as a form error in the
page's language and a 400 on the API's ``file`` field."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from partners.importing import ImportFileError, read_records
from partners.models import Partner
from tests.support.import_files import ENGLISH, xlsx_bytes

REFUSED_EN = "unpacks to far more data than a spreadsheet of its size holds"
REFUSED_ZH = "解压后的数据量远超"
MB = 1024 * 1024


def zip_of(parts: dict[str, int], *, level: int = 1) -> bytes:
    """A zip whose parts are runs of zeros of the given sizes, beside a workbook's content types."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zeros = bytes(MB)
        for name, size in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for _ in range(size // MB):
                    part.write(zeros)
                part.write(bytes(size % MB))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """500 MB of zeros in a sheet part: about 2 MB to upload, well under the 20 MB limit."""
    return zip_of({"xl/worksheets/sheet1.xml": 500 * MB})


@pytest.fixture(autouse=True)
def _language_restored():
    """A request activates its page's language for the thread; the tests after these
    find the language they had."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened the archive")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


# ── The check ────────────────────────────────────────────────────────────────


def test_a_part_declaring_500_mb_is_refused_before_parsing(bomb, openpyxl_never_opens):
    assert len(bomb) < 20 * MB
    with pytest.raises(ImportFileError) as refused:
        list(read_records(bomb, "partners.xlsx"))
    assert list(refused.value.errors) == ["file"]


def test_a_part_compressed_out_of_proportion_is_refused(openpyxl_never_opens):
    # 50 MB is not too much by itself; 50 MB of zeros in a few dozen KB is no sheet
    with pytest.raises(ImportFileError):
        list(read_records(zip_of({"xl/worksheets/sheet1.xml": 50 * MB}, level=9), "partners.xlsx"))


def test_thousands_of_parts_are_refused(openpyxl_never_opens):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(5000):
            archive.writestr(f"xl/media/{i}.bin", b"x")
    with pytest.raises(ImportFileError):
        list(read_records(buffer.getvalue(), "partners.xlsx"))


def test_a_real_workbook_of_thousands_of_rows_is_read():
    rows = [[f"张{i % 50}", f"138{i:08d}", "410225", "东坝头村", "", ""] for i in range(10_000)]
    records = list(read_records(xlsx_bytes(ENGLISH, rows), "partners.xlsx"))
    assert len(records) == 10_001


# ── Pages and API ────────────────────────────────────────────────────────────


@pytest.fixture
def admin_client_zh(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def admin_api(admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return api


def test_the_partner_import_page_shows_a_form_error_in_the_pages_language(bomb, admin_client_en, openpyxl_never_opens):
    data = {"file": SimpleUploadedFile("partners.xlsx", bomb), "status": "applied"}
    response = admin_client_en.post("/onboarding/import/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This .xlsx file unpacks to far more data than a spreadsheet of its size holds, so it is refused. "
        "Save the sheet again in Excel, or as CSV UTF-8."
    ]
    assert REFUSED_EN in response.content.decode()
    assert not Partner.objects.exists()


def test_the_partner_import_page_in_chinese(bomb, admin_client_zh, openpyxl_never_opens):
    data = {"file": SimpleUploadedFile("partners.xlsx", bomb), "status": "applied"}
    response = admin_client_zh.post("/onboarding/import/", data)
    assert response.status_code == 200
    assert REFUSED_ZH in response.context["form"].errors["file"][0]
    assert REFUSED_ZH in response.content.decode()


def test_the_partner_import_api_answers_400_on_the_file_field(bomb, admin_api, openpyxl_never_opens):
    response = admin_api.post(
        "/api/v1/partners/import/", {"file": SimpleUploadedFile("partners.xlsx", bomb)}, format="multipart"
    )
    assert response.status_code == 400
    assert REFUSED_EN in response.json()["file"][0]
    assert not Partner.objects.exists()


def test_the_platform_orders_import_page_and_api_refuse_it(bomb, admin_client_zh, admin_api, openpyxl_never_opens):
    page = admin_client_zh.post("/platform-orders/import/", {"file": SimpleUploadedFile("feed.xlsx", bomb)})
    assert page.status_code == 200 and REFUSED_ZH in page.content.decode()
    api = admin_api.post(
        "/api/v1/platform-orders/import/", {"file": SimpleUploadedFile("feed.xlsx", bomb)}, format="multipart"
    )
    assert api.status_code == 400 and REFUSED_EN in api.json()["file"][0]


def test_the_payout_results_page_and_api_refuse_it(bomb, alice, bob, admin_user, admin_client_zh, admin_api,
                                                   openpyxl_never_opens):  # fmt: skip
    from payouts import services
    from payouts.models import PayoutItem
    from tests.support.statements import approved_statement, give_account

    give_account(alice, account="13812345678")
    batch = services.payout_batch_create(
        statement_ids=[approved_statement(alice, total="123.45", approver=admin_user).pk], by_user=admin_user
    )
    api = admin_api.post(
        f"/api/v1/payouts/{batch.pk}/results/", {"file": SimpleUploadedFile("r.xlsx", bomb)}, format="multipart"
    )
    assert api.status_code == 400 and REFUSED_EN in api.json()["file"][0]
    page = admin_client_zh.post(
        f"/payouts/{batch.pk}/results/", {"file": SimpleUploadedFile("r.xlsx", bomb)}, follow=True
    )
    assert REFUSED_ZH in page.content.decode()
    assert set(PayoutItem.objects.values_list("status", flat=True)) == {"pending"}
