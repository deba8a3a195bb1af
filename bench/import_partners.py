"""Benchmark of the bulk partner import on PostgreSQL (run by hand, prints figures).

    .venv/bin/python bench/import_partners.py [--db rt_bench_import] [--rows 10000] [--keep-files]

It creates a fresh PostgreSQL database, migrates it, adds 100 counties × 100 villages,
writes a --rows row partner file as CSV (UTF-8 with BOM, English headers) and as XLSX
(Chinese headers, phone and county code as numbers, as Excel stores them), and times the
``import_partners`` command — the same code as the workspace upload and the API:

  dry run · real import · the same file again (every row "unchanged")

for each format, plus a real CSV import entering status ``training`` (four history rows a
partner). The target is < 30 s for 10,000 rows.
"""

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 30.0
COUNTIES = 100
VILLAGES_PER_COUNTY = 100


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench_import")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep-files", action="store_true", help="leave the generated files in the temp folder")
    return parser.parse_args()


def setup_database(args):
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rural_taobao.settings")
    subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True)
    subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def add_geography():
    from counties.models import County, Province, Region, Village

    province = Province.objects.create(code="41", name="河南省", name_en="Henan", region=Region.CENTRAL)
    counties = County.objects.bulk_create(
        County(code=f"{410100 + n:06d}", name=f"测试县{n}", province=province, region=Region.CENTRAL)
        for n in range(COUNTIES)
    )
    Village.objects.bulk_create(
        Village(county=county, name=f"第{v}村") for county in counties for v in range(VILLAGES_PER_COUNTY)
    )
    return [county.code for county in counties]


def partner_rows(n: int, county_codes: list[str]) -> list[list]:
    return [
        [
            f"合伙人{i}",
            f"{13800000000 + i}",
            county_codes[i % len(county_codes)],
            f"第{(i // len(county_codes)) % VILLAGES_PER_COUNTY}村",
            "小卖部店主" if i % 3 else "",
            f"村委会旁 {i} 号" if i % 2 else "",
        ]
        for i in range(n)
    ]


def write_csv(path: Path, rows) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "phone", "county_code", "village", "previous_occupation", "service_point_address"])
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write_xlsx(path: Path, rows) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["姓名", "手机号", "县代码", "村", "原职业", "服务站地址"])
    for name, phone, code, village, occupation, address in rows:
        sheet.append([name, int(phone), int(code), village, occupation, address])
    workbook.save(path)


def timed_import(path: Path, *options) -> tuple[float, str]:
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    call_command("import_partners", str(path), *options, stdout=out, stderr=err)
    return time.perf_counter() - started, out.getvalue().splitlines()[-2]


def wipe_partners() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE partners_partnerstatuschange, partners_partner CASCADE")


def main():
    args = parse_args()
    setup_database(args)
    from partners.models import Partner, PartnerStatusChange

    codes = add_geography()
    rows = partner_rows(args.rows, codes)
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    csv_path, xlsx_path = folder / "partners.csv", folder / "partners.xlsx"
    started = time.perf_counter()
    write_csv(csv_path, rows)
    write_xlsx(xlsx_path, rows)
    print(
        f"» {args.rows:,} rows; files written in {time.perf_counter() - started:.1f} s: "
        f"CSV {csv_path.stat().st_size / 1e6:.1f} MB, XLSX {xlsx_path.stat().st_size / 1e6:.1f} MB ({folder})"
    )
    results = []
    for label, path in (("CSV (BOM, English headers)", csv_path), ("XLSX (Chinese headers)", xlsx_path)):
        wipe_partners()
        for step, options in (("dry run", ["--dry-run"]), ("import", []), ("same file again", [])):
            seconds, summary = timed_import(path, *options)
            results.append((label, step, seconds, summary))
        assert Partner.objects.count() == args.rows
    wipe_partners()
    seconds, summary = timed_import(csv_path, "--status", "training")
    results.append(("CSV (BOM, English headers)", "import as training", seconds, summary))
    history = PartnerStatusChange.objects.count()
    assert history == 4 * args.rows, history

    print(f"\n{'file':<28} {'step':<20} {'seconds':>8} {'rows/s':>9}  result")
    for label, step, seconds, summary in results:
        print(f"{label:<28} {step:<20} {seconds:>8.2f} {args.rows / seconds:>9,.0f}  {summary}")
    worst = max(seconds for _label, step, seconds, _s in results if step != "dry run")
    verdict = "OK" if worst < TARGET_SECONDS else "TOO SLOW"
    print(f"\nslowest real import: {worst:.2f} s for {args.rows:,} rows (target < {TARGET_SECONDS:.0f} s): {verdict}")
    if not args.keep_files:
        for path in (csv_path, xlsx_path):
            path.unlink()
        folder.rmdir()
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
