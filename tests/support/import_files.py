"""Partner files as people produce them: CSV with or without BOM, GBK CSV, XLSX; English or Chinese headers."""

import csv
import io

import openpyxl

ENGLISH = ["name", "phone", "county_code", "village", "previous_occupation", "service_point_address"]
CHINESE = ["姓名", "手机号", "县代码", "村", "原职业", "服务站地址"]
FORMATS = ["csv_bom", "csv", "xlsx"]
HEADERS = {"en": ENGLISH, "zh": CHINESE}


def csv_bytes(header, rows, *, bom=True, encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # as Excel writes it
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom and encoding == "utf-8" else data


def xlsx_bytes(header, rows, *, numbers=False) -> bytes:
    """An Excel workbook; with ``numbers`` the phone and county code cells hold numbers, as Excel makes them."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        row = list(row)
        if numbers:
            row[1] = int(row[1]) if str(row[1]).isdigit() else row[1]
            row[2] = int(row[2]) if str(row[2]).isdigit() else row[2]
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def partner_file(fmt: str, header, rows) -> tuple[bytes, str]:
    """(content, file name) of ``rows`` under ``header`` in format ``fmt`` (one of FORMATS)."""
    if fmt == "csv_bom":
        return csv_bytes(header, rows, bom=True), "partners.csv"
    if fmt == "csv":
        return csv_bytes(header, rows, bom=False), "partners.csv"
    if fmt == "xlsx":
        return xlsx_bytes(header, rows, numbers=True), "partners.xlsx"
    raise ValueError(fmt)
