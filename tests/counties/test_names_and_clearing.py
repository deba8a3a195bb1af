"""County names in the page's language, and clearing the profile asks first (issue 19,
point 14)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from counties.models import County
from tests.support.factories import CountyFactory, CountyStaffAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lankao(county_a):
    county_a.name_en = "Lankao County"
    county_a.profile = "兰考县位于河南省东部。"
    county_a.characteristic_products = "蜜瓜、红薯"
    county_a.save()
    county_a.province.name_en = "Henan"
    county_a.province.save()
    return county_a


def heading(page: str) -> str:
    match = re.search(r'<h1 id="county-title">(.*?)</h1>', page, re.S)
    assert match is not None
    return match.group(1)


def test_the_local_name_follows_the_language(lankao, county_b):
    with translation.override("en"):
        assert (lankao.local_name, lankao.province.local_name) == ("Lankao County", "Henan")
        assert county_b.local_name == "武功县"  # no English name known: the Chinese one
    with translation.override("zh-hans"):
        assert (lankao.local_name, lankao.province.local_name) == ("兰考县", "河南省")


@pytest.mark.parametrize(
    ("language", "name", "other"), [("zh-hans", "兰考县", "Lankao"), ("en", "Lankao County", "兰考")]
)
def test_the_profile_heading_is_in_the_pages_language_only(client, carol, lankao, language, name, other):
    client.force_login(carol)
    page = client.get(reverse("counties:profile", args=[lankao.code]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading(page) == name
    assert other not in re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def test_english_pages_show_english_county_names_where_county_staff_look(client, carol, lankao):
    # given carol with a second county, reading in English
    second = CountyFactory(code="410224", name="开封县", name_en="Kaifeng County", province=lankao.province)
    CountyStaffAssignmentFactory(county=second, user=carol)
    client.force_login(carol)

    def get(url) -> str:
        return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then the chooser, the dashboard (its switcher too), the profile and its editor say the English names
    chooser = get(reverse("dashboards:national"))
    assert ">Lankao County</a>" in chooser and ">Kaifeng County</a>" in chooser and "兰考县" not in chooser
    dashboard = get(reverse("dashboards:county", args=[lankao.code]))
    assert heading(dashboard).startswith("Lankao County <span")
    assert "Henan" in heading(dashboard)
    assert 'data-county="410224">Kaifeng County</a>' in dashboard
    assert "兰考县" not in dashboard and "开封县" not in dashboard
    edit = get(reverse("counties:profile_edit", args=[lankao.code]))
    assert "<h1>Edit the profile: Lankao County" in edit


def _post(client, county, **fields):
    data = {"profile": county.profile, "characteristic_products": county.characteristic_products, "partner_office": ""}
    data.update(fields)
    return client.post(reverse("counties:profile_edit", args=[county.code]), data, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_clearing_the_profile_text_asks_first(client, carol, lankao):
    client.force_login(carol)
    # when carol empties the profile text and the characteristic products and saves
    response = _post(client, lankao, profile="", characteristic_products="  ")
    # then nothing is saved yet: the page asks, naming both, with a box to say yes
    assert response.status_code == 200
    page = response.content.decode()
    assert "保存将清空简介、特色产品。" in page
    assert 'name="confirm_clear"' in page
    county = County.objects.get(pk=lankao.pk)
    assert (county.profile, county.characteristic_products) == ("兰考县位于河南省东部。", "蜜瓜、红薯")
    # when she ticks "yes, clear them" and saves again
    response = _post(client, lankao, profile="", characteristic_products="", confirm_clear="on")
    # then the profile is cleared
    assert response.status_code == 302
    county = County.objects.get(pk=lankao.pk)
    assert (county.profile, county.characteristic_products) == ("", "")


def test_an_edit_that_clears_nothing_is_saved_at_once(client, carol, lankao):
    client.force_login(carol)
    response = _post(client, lankao, profile="兰考县位于河南省东部，黄河在此最后一道弯。")
    assert response.status_code == 302
    assert County.objects.get(pk=lankao.pk).profile.endswith("最后一道弯。")
    assert (
        'name="confirm_clear"' not in client.get(reverse("counties:profile_edit", args=[lankao.code])).content.decode()
    )
