"""Journey: a candidate applies on a phone; an admin walks them to active; they set a password and log in."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from partners.models import Partner, PartnerStatus
from tests.support.factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PASSWORD = "admin-pass-2026"
CANDIDATE_PHONE = "13912345678"
NEW_PASSWORD = "Cun-tao-2026!"


@pytest.fixture
def programme(county_a, county_b):
    # A transactional test's flush removed the groups the data migration created.
    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)
    VillageFactory(county=county_a, name="东坝头村")
    VillageFactory(county=county_a, name="许河村")
    VillageFactory(county=county_b, name="南仁村")
    return UserFactory(username="ops", password=ADMIN_PASSWORD, is_staff=True, groups=["admin"])


def test_a_candidate_applies_is_walked_to_active_sets_a_password_and_logs_in(
    page, phone_page, login, programme, console_errors, screenshot
):
    # given: the candidate's phone on the public application form
    phone = phone_page
    phone.goto(f"{phone.base_url}/apply/")
    # when: they fill it in; choosing the county swaps in its villages (htmx)
    phone.fill("#id_real_name", "刘晓燕")
    phone.fill("#id_phone", "139 1234 5678")
    phone.select_option("#id_county", "410225")
    village_select = phone.locator("#village-field select[name=village]")
    expect(village_select).to_be_enabled()
    expect(village_select.locator("option", has_text="东坝头村")).to_have_count(1)
    expect(village_select.locator("option", has_text="南仁村")).to_have_count(0)
    village_select.select_option(label="东坝头村")
    phone.fill("#id_previous_occupation", "小卖部店主")
    phone.fill("#id_motivation", "想帮乡亲们网购，也把红薯卖出去")
    screenshot(phone, "onboarding-apply-phone")
    phone.click("#apply-submit")
    # then
    expect(phone.locator("#apply-thanks")).to_be_visible()
    partner = Partner.objects.get(phone=CANDIDATE_PHONE)
    assert partner.status == PartnerStatus.APPLIED and partner.village.name == "东坝头村"

    # when: the admin finds the application on a desktop and walks it to active
    # (straight to the workspace: the admin's landing page belongs to the dashboards journey)
    page.goto(f"{page.base_url}/accounts/login/?next=/onboarding/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/onboarding/$"))
    page.fill("#id_search", CANDIDATE_PHONE)
    page.click("#filter-submit")
    expect(page.locator("#partner-table tbody tr")).to_have_count(1)
    page.locator("#partner-table tbody tr a").click()
    expect(page.locator("#partner-phone")).to_have_text(CANDIDATE_PHONE)
    for status in ("reviewing", "approved", "training", "active"):
        page.fill(f"#reason-{status}", f"step: {status}")
        page.click(f"#transition-{status}")
        expect(page.locator("#partner-status")).to_have_attribute("data-status", status)
    # then: the history has every step and the one-time link is shown
    expect(page.locator("#status-history tbody tr")).to_have_count(5)
    link = page.locator("#set-password-url")
    expect(link).to_be_visible()
    url = link.input_value()
    assert re.search(r"/accounts/reset/[^/]+/[^/]+/$", url)
    screenshot(page, "onboarding-activated-desktop")
    page.reload()
    expect(page.locator("#set-password-url")).to_have_count(0)  # shown once

    # when: the new partner opens the link on their phone and sets a password
    phone.goto(url)
    expect(phone.locator("#reset-username")).to_have_text(CANDIDATE_PHONE)
    phone.fill("#id_new_password1", NEW_PASSWORD)
    phone.fill("#id_new_password2", NEW_PASSWORD)
    phone.click("#set-password-submit")
    expect(phone.locator("#password-set")).to_be_visible()
    # then: they log in with their mobile number
    login(phone, CANDIDATE_PHONE, NEW_PASSWORD)
    expect(phone.locator("#logout")).to_contain_text(CANDIDATE_PHONE)
    screenshot(phone, "onboarding-partner-logged-in")
    # and the link is spent
    phone.goto(url)
    expect(phone.locator("#reset-invalid")).to_be_visible()
    assert console_errors == []


def test_without_javascript_the_next_button_shows_the_villages(browser, live_server, programme):
    # given: a phone browser with JavaScript off
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN")
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/apply/")
        expect(phone.locator("#village-field select")).to_be_disabled()
        # when
        phone.fill("#id_real_name", "刘晓燕")
        phone.select_option("#id_county", "610431")
        phone.click("#show-villages")
        # then: the same form, name kept, the county's villages listed, no errors
        expect(phone.locator("#id_real_name")).to_have_value("刘晓燕")
        expect(phone.locator("#village-field select option", has_text="南仁村")).to_have_count(1)
        expect(phone.locator(".errorlist")).to_have_count(0)
        phone.locator("#village-field select").select_option(label="南仁村")
        phone.fill("#id_phone", CANDIDATE_PHONE)
        phone.fill("#id_motivation", "回乡创业")
        phone.click("#apply-submit")
        expect(phone.locator("#apply-thanks")).to_be_visible()
        assert Partner.objects.get(phone=CANDIDATE_PHONE).village.name == "南仁村"
    finally:
        context.close()


def test_an_admin_imports_a_file_fixes_it_and_sees_the_funnel(page, programme, tmp_path, console_errors, screenshot):
    # given: a file with one bad row
    from tests.support.import_files import CHINESE, partner_file

    rows = [
        ["王小明", "13800000001", "410225", "东坝头村", "小卖部店主", ""],
        ["李红", "13800000002", "410225", "许河村", "", ""],
        ["张伟", "1380000", "610431", "南仁村", "", ""],
    ]
    bad, _name = partner_file("xlsx", CHINESE, rows)
    (tmp_path / "bad.xlsx").write_bytes(bad)
    rows[2][1] = "13800000003"
    good, _name = partner_file("csv_bom", CHINESE, rows)
    (tmp_path / "good.csv").write_bytes(good)
    page.goto(f"{page.base_url}/accounts/login/?next=/onboarding/import/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("#login-submit")
    # when: the bad file is checked
    page.set_input_files("#id_file", str(tmp_path / "bad.xlsx"))
    page.click("#import-check")
    # then: the bad row is listed and there is nothing to confirm
    expect(page.locator("#import-report")).to_have_attribute("data-ok", "false")
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    expect(page.locator("#import-errors tbody tr td").first).to_have_text("4")
    expect(page.locator("#import-confirm")).to_have_count(0)
    # when: the fixed file is checked, entering "training", and confirmed
    page.set_input_files("#id_file", str(tmp_path / "good.csv"))
    page.select_option("#id_status", "training")
    page.click("#import-check")
    expect(page.locator("#report-created")).to_have_text("3")
    assert Partner.objects.count() == 0
    screenshot(page, "onboarding-import-dry-run")
    page.click("#import-confirm")
    # then: the list shows them in training
    expect(page.locator("#partner-table tbody tr")).to_have_count(3)
    screenshot(page, "onboarding-list")
    assert set(Partner.objects.values_list("status", flat=True)) == {PartnerStatus.TRAINING}
    # and the funnel counts them
    page.goto(f"{page.base_url}/onboarding/funnel/")
    expect(page.locator("#funnel-counties tr[data-county='410225'] td").last).to_have_text("2")
    expect(page.locator("#funnel-total")).to_have_text("3")
    screenshot(page, "onboarding-funnel")
    assert console_errors == []


def test_an_admin_creates_county_staff_and_changes_their_counties(page, programme, console_errors, screenshot):
    from django.contrib.auth.models import User

    page.goto(f"{page.base_url}/accounts/login/?next=/onboarding/staff/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("#login-submit")
    # when: a staff login for county A, without a password
    page.fill("#id_username", "lankao-office")
    page.fill("#id_counties", "410225")
    page.click("#staff-create")
    # then: a one-time link and the new row
    expect(page.locator("#set-password-url")).to_be_visible()
    row = page.locator("tr[data-username='lankao-office']")
    expect(row.locator(".county-chip")).to_have_count(1)
    # when: county B is added, then county A removed
    row.locator("input[name=county]").fill("610431")
    row.locator("[data-assign]").click()
    expect(row.locator(".county-chip")).to_have_count(2)
    screenshot(page, "onboarding-staff")
    row.locator("[data-remove='410225']").click()
    # then
    expect(row.locator(".county-chip")).to_have_count(1)
    expect(row.locator(".county-chip")).to_contain_text("610431")
    user = User.objects.get(username="lankao-office")
    assert list(user.county_assignments.values_list("county__code", flat=True)) == ["610431"]
    assert console_errors == []
