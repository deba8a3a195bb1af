"""County profiles: what the page shows, who may edit which field, and the edit history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from analytics.models import CountySummary
from counties.models import County, CountyProfileEdit
from counties.services import ADMIN_PROFILE_FIELDS, STAFF_PROFILE_FIELDS, county_profile_update
from tests.support.factories import CountyFactory, PartnerFactory, ServicePointFactory, VillageFactory

pytestmark = pytest.mark.django_db

ADMIN_ONLY = {
    "name": "兰考县（新）",
    "name_en": "Lankao",
    "code": "410299",
    "region": "west",
    "economic_focus": "tourism",
    "is_poverty_county": True,
    "partnership_since": dt.date(2015, 7, 20),
    "yearly_sales_target": Decimal("250000000.00"),
}
STAFF_FIELDS = {
    "profile": "兰考县用泡桐木制作民族乐器。",
    "characteristic_products": "古筝、蜜瓜",
    "partner_office": "兰考县商务局",
}


def test_the_profile_shows_the_county_as_the_programme_sees_it(client, carol, county_a, alice):
    # given a county with a profile, a closed service point, a target and sales so far
    County.objects.filter(pk=county_a.pk).update(
        characteristic_products="古筝、蜜瓜",
        profile="焦裕禄精神的发源地。",
        is_poverty_county=True,
        partner_office="兰考县商务局",
        yearly_sales_target=Decimal("2000000"),
    )
    ServicePointFactory(village=VillageFactory(county=county_a, name="空村"), closed_on=dt.date(2025, 1, 1))
    CountySummary.objects.create(
        county=county_a, as_of=dt.date(2025, 6, 30), year_to_date_sales=Decimal("500000"), national_rank=1
    )
    client.force_login(carol)
    # when carol opens it in English
    response = client.get(reverse("counties:profile", args=[county_a.code]), HTTP_ACCEPT_LANGUAGE="en")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<dd id="fact-code">410225</dd>' in html
    assert "古筝、蜜瓜" in html and "焦裕禄精神的发源地。" in html and "兰考县商务局" in html
    assert '<dd id="fact-poverty">yes</dd>' in html
    assert "张庄村" in html and alice.real_name in html and "空村" in html and "closed" in html
    assert "¥500,000.00 sold this year against a target of ¥2,000,000.00 (25.0%)." in html
    assert 'id="edit-link"' in html


# ── Who may edit what ────────────────────────────────────────────────────────


def test_staff_edit_the_descriptive_fields_of_their_county(carol, county_a):
    # when carol changes the three descriptive fields
    county = county_profile_update(county_id=county_a.pk, by_user=carol, **STAFF_FIELDS)
    # then they are saved and the edit recorded with who, when and what
    county.refresh_from_db()
    assert {name: getattr(county, name) for name in STAFF_FIELDS} == STAFF_FIELDS
    edit = CountyProfileEdit.objects.get(county=county_a)
    assert edit.edited_by == carol
    assert edit.changes["partner_office"] == {"old": "", "new": "兰考县商务局"}
    assert set(edit.changes) == set(STAFF_FIELDS)


@pytest.mark.parametrize("field", sorted(ADMIN_ONLY))
def test_staff_may_not_change_admin_fields(carol, county_a, field):
    before = County.objects.get(pk=county_a.pk)
    with pytest.raises(PermissionDenied):
        county_profile_update(county_id=county_a.pk, by_user=carol, **{field: ADMIN_ONLY[field]})
    assert getattr(County.objects.get(pk=county_a.pk), field) == getattr(before, field)
    assert not CountyProfileEdit.objects.exists()


def test_staff_may_not_edit_another_county(carol, county_b):
    with pytest.raises(PermissionDenied):
        county_profile_update(county_id=county_b.pk, by_user=carol, profile="不是我的县")
    assert County.objects.get(pk=county_b.pk).profile == ""


def test_partners_may_edit_nothing(alice, county_a):
    with pytest.raises(PermissionDenied):
        county_profile_update(county_id=county_a.pk, by_user=alice.user, profile="x")


def test_admins_edit_every_profile_field(admin_user, county_a):
    county = county_profile_update(county_id=county_a.pk, by_user=admin_user, **ADMIN_ONLY, **STAFF_FIELDS)
    county.refresh_from_db()
    assert county.code == "410299" and county.region == "west" and county.is_poverty_county
    assert county.yearly_sales_target == Decimal("250000000.00")
    edit = CountyProfileEdit.objects.get(county=county_a)
    assert set(edit.changes) == set(ADMIN_ONLY) | set(STAFF_FIELDS)
    assert edit.changes["code"] == {"old": "410225", "new": "410299"}
    assert edit.changes["yearly_sales_target"]["new"] == "250000000.00"
    assert edit.changes["is_poverty_county"] == {"old": False, "new": True}


def test_the_field_lists_are_the_rule():
    assert set(STAFF_PROFILE_FIELDS) == set(STAFF_FIELDS)
    assert set(ADMIN_PROFILE_FIELDS) == set(STAFF_FIELDS) | set(ADMIN_ONLY)


def test_an_unchanged_save_is_not_an_edit(carol, county_a):
    county_profile_update(county_id=county_a.pk, by_user=carol, profile=county_a.profile)
    assert not CountyProfileEdit.objects.exists()


def test_bad_values_are_field_errors(admin_user, county_a, county_b):
    with pytest.raises(ValidationError) as taken:
        county_profile_update(county_id=county_a.pk, by_user=admin_user, code=county_b.code)
    assert "code" in taken.value.message_dict
    with pytest.raises(ValidationError) as malformed:
        county_profile_update(county_id=county_a.pk, by_user=admin_user, code="41A225")
    assert "code" in malformed.value.message_dict
    with pytest.raises(ValidationError) as negative:
        county_profile_update(county_id=county_a.pk, by_user=admin_user, yearly_sales_target=Decimal("-1"))
    assert "yearly_sales_target" in negative.value.message_dict
    assert County.objects.get(pk=county_a.pk).code == "410225"
    assert not CountyProfileEdit.objects.exists()


# ── The edit page ────────────────────────────────────────────────────────────


def test_the_staff_edit_form_has_only_the_descriptive_fields(client, carol, county_a):
    client.force_login(carol)
    form = client.get(reverse("counties:profile_edit", args=[county_a.code])).context["form"]
    assert set(form.fields) == set(STAFF_PROFILE_FIELDS)


def test_the_admin_edit_form_has_every_profile_field(client, admin_user, county_a):
    client.force_login(admin_user)
    form = client.get(reverse("counties:profile_edit", args=[county_a.code])).context["form"]
    assert set(form.fields) == set(ADMIN_PROFILE_FIELDS)


def test_staff_posting_admin_fields_changes_only_their_own(client, carol, county_a):
    # given carol posts her fields plus a forged code, region and target
    client.force_login(carol)
    response = client.post(
        reverse("counties:profile_edit", args=[county_a.code]),
        {**STAFF_FIELDS, "code": "999999", "region": "east", "yearly_sales_target": "1", "is_poverty_county": "on"},
    )
    # then only the descriptive fields change
    assert response.status_code == 302
    county = County.objects.get(pk=county_a.pk)
    assert county.code == "410225" and county.region == county_a.region
    assert county.yearly_sales_target == county_a.yearly_sales_target
    assert county.profile == STAFF_FIELDS["profile"]
    assert set(CountyProfileEdit.objects.get().changes) == set(STAFF_FIELDS)


def test_an_edit_is_shown_on_the_profile(client, carol, county_a):
    # given carol saves a new partner office through the page
    client.force_login(carol)
    response = client.post(
        reverse("counties:profile_edit", args=[county_a.code]),
        {"profile": "", "characteristic_products": "", "partner_office": "兰考县电商办"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Location"] == reverse("counties:profile", args=[county_a.code])
    # when the profile is opened
    html = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then the history says who changed what
    assert "carol" in html
    assert "<strong>partner office</strong>: — → 兰考县电商办" in html


def test_an_admin_changing_the_code_is_sent_to_the_new_address(client, admin_user, county_a):
    client.force_login(admin_user)
    data = {name: getattr(county_a, name) or "" for name in ADMIN_PROFILE_FIELDS}
    data.update(code="410298", is_poverty_county="", partnership_since="")
    response = client.post(reverse("counties:profile_edit", args=[county_a.code]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("counties:profile", args=["410298"])


def test_a_taken_code_is_a_form_error(client, admin_user, county_a, county_b):
    client.force_login(admin_user)
    data = {name: getattr(county_a, name) or "" for name in ADMIN_PROFILE_FIELDS}
    data.update(code=county_b.code, is_poverty_county="", partnership_since="")
    response = client.post(reverse("counties:profile_edit", args=[county_a.code]), data)
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_partners_cannot_open_the_edit_page(client, alice, county_a):
    client.force_login(alice.user)
    assert client.get(reverse("counties:profile_edit", args=[county_a.code])).status_code == 403
    assert client.post(reverse("counties:profile_edit", args=[county_a.code]), STAFF_FIELDS).status_code == 403


def test_the_profile_page_query_count_does_not_grow_with_villages(
    client, carol, county_a, django_assert_max_num_queries
):
    for i in range(30):
        PartnerFactory(active=True, village=VillageFactory(county=county_a, name=f"村{i}"))
    client.force_login(carol)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("counties:profile", args=[county_a.code])).status_code == 200


def test_admin_edits_in_django_admin_are_recorded(client, admin_user):
    county = CountyFactory(code="410211", name="测试县")
    client.force_login(admin_user)
    change_url = reverse("admin:counties_county_change", args=[county.pk])
    form = client.get(change_url).context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data.update(
        {
            "name": "测试县二",
            "staff_assignments-TOTAL_FORMS": "0",
            "staff_assignments-INITIAL_FORMS": "0",
            "is_poverty_county": "",
        }
    )
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    edit = CountyProfileEdit.objects.get(county=county)
    assert edit.changes == {"name": {"old": "测试县", "new": "测试县二"}} and edit.edited_by == admin_user


def test_the_edit_history_exports(client, carol, county_a):
    import csv
    import io

    county_profile_update(county_id=county_a.pk, by_user=carol, partner_office="=cmd")
    client.force_login(carol)
    response = client.get(reverse("counties:history_export", args=[county_a.code]), HTTP_ACCEPT_LANGUAGE="en")
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Edited at", "Edited by", "Field", "Before", "After"]
    assert rows[1][1:] == ["carol", "partner office", "—", "'=cmd"]
