"""Journey: a candidate applies on a 360 px phone, in Chinese and in English (issue 19,
point 22): the province first, then its counties, then the county's villages (those with
an active partner marked); each missing field says so once and its message goes as soon
as it is filled; the page never scrolls sideways."""

import pytest
from playwright.sync_api import expect

from partners.models import Partner, PartnerStatus
from tests.support.factories import CountyFactory, VillageFactory
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def programme(county_a, county_b):
    county_a.name_en = "Lankao County"
    county_a.save()
    CountyFactory(code="410523", name="汤阴县", name_en="Tangyin County", province=county_a.province)
    VillageFactory(county=county_a, name="东坝头村")
    taken = VillageFactory(county=county_a, name="许河村")
    VillageFactory(county=CountyFactory(code="410523"), name="韩庄村")
    VillageFactory(county=county_b, name="南仁村")
    partner_in(PartnerStatus.ACTIVE, village=taken)
    return county_a


def fits(page) -> bool:
    return page.evaluate(FITS)


def test_a_candidate_applies_province_first_on_a_phone_in_chinese(phone_page, programme, console_errors, screenshot):
    page = phone_page
    page.goto(f"{page.base_url}/apply/")
    assert fits(page), page.evaluate("document.documentElement.scrollWidth")
    # the province select comes first (the script shows it)
    expect(page.locator("#field-province")).to_be_visible()
    # when the empty form is sent, each missing field says once what it wants
    page.click("#apply-submit")
    errors = page.locator("#apply-form .errorlist")
    expect(errors).to_have_count(5)
    assert errors.all_inner_texts() == [
        "请填写您的姓名。",
        "请填写您的手机号。",
        "请选择您所在的县。",
        "请选择您所在的村。",
        "请简单说说您为什么想当村淘合伙人。",
    ]
    assert fits(page)
    # and a message goes as soon as its field is filled
    page.fill("#id_real_name", "刘晓燕")
    expect(page.locator("#error-real_name")).to_have_count(0)
    page.fill("#id_phone", "139 1234 5678")
    expect(page.locator("#error-phone")).to_have_count(0)
    # when they pick Henan, the county select holds Henan's two counties only
    page.select_option("#id_province", "41")
    county_options = page.locator("#id_county option:not([value=''])")
    expect(county_options).to_have_count(2)
    assert county_options.all_inner_texts() == ["兰考县", "汤阴县"]
    # and Lankao brings its villages, the one with a partner marked, under a hint without a stray space
    page.select_option("#id_county", "410225")
    expect(page.locator("#error-county")).to_have_count(0)
    village = page.locator("#village-field select[name=village]")
    expect(village.locator("option", has_text="许河村（已有合伙人）")).to_have_count(1)
    expect(page.locator("#village-hint")).to_have_text("兰考县的村。")
    assert "南仁村" not in village.inner_text() and "韩庄村" not in village.inner_text()
    # a province with one county chooses it at once
    page.select_option("#id_province", "61")
    expect(page.locator("#id_county")).to_have_value("610431")
    expect(village.locator("option", has_text="南仁村")).to_have_count(1)
    # back to Lankao, choose a village: every error is gone, the notice on top too
    page.select_option("#id_province", "41")
    page.select_option("#id_county", "410225")
    expect(village.locator("option", has_text="东坝头村")).to_have_count(1)
    village.select_option(label="东坝头村")
    page.fill("#id_motivation", "想帮乡亲们网购，也把红薯卖出去")
    expect(page.locator("#apply-form .errorlist")).to_have_count(0)
    expect(page.locator("#form-errors")).to_have_count(0)
    assert fits(page)
    screenshot(page, "apply-phone-zh")
    page.click("#apply-submit")
    expect(page.locator("#apply-thanks")).to_be_visible()
    partner = Partner.objects.get(phone="13912345678")
    assert (partner.status, partner.village.name) == (PartnerStatus.APPLIED, "东坝头村")
    assert fits(page)
    assert console_errors == []


def test_the_english_page_names_counties_in_english_and_fits_a_phone(phone_page, programme, console_errors):
    page = phone_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])
    page.goto(f"{page.base_url}/apply/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert fits(page), page.evaluate("document.documentElement.scrollWidth")
    page.select_option("#id_province", "41")
    assert page.locator("#id_county option:not([value=''])").all_inner_texts() == ["Lankao County", "Tangyin County"]
    page.select_option("#id_county", "410225")
    expect(page.locator("#village-hint")).to_have_text("Villages of Lankao County.")
    expect(page.locator("#village-field option", has_text="许河村 (has a partner)")).to_have_count(1)
    page.click("#apply-submit")
    expect(page.locator("#error-real_name")).to_have_text("Enter your name.")
    # the county chosen stays chosen, with its province, after the refused submit
    expect(page.locator("#id_province")).to_have_value("41")
    expect(page.locator("#id_county")).to_have_value("410225")
    assert fits(page)
    assert console_errors == []
