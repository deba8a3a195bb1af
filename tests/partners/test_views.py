"""Browser pages: the public application form and the admins' onboarding workspace."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from notifications.models import Message
from partners.models import Partner, PartnerStatus
from partners.views import IMPORT_UPLOAD_DIR
from rural_taobao.qr import qr_svg
from tests.support.factories import CountyFactory, PartnerFactory, ProvinceFactory, UserFactory, VillageFactory
from tests.support.import_files import CHINESE, ENGLISH, partner_file
from tests.support.pages import page_text
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db


# ── The admin-only guard on every onboarding URL ─────────────────────────────

# Every URL of the "onboarding" namespace, with the method that uses it. A new URL without
# a row here fails test_every_onboarding_url_is_in_the_guard_table.
ONBOARDING_URLS = [
    ("list", {}, "get"),
    ("detail", {"partner_id": 1}, "get"),
    ("transition", {"partner_id": 1}, "post"),
    ("set_password_link", {"partner_id": 1}, "post"),
    ("payout_account", {"partner_id": 1}, "post"),
    ("import", {}, "get"),
    ("import", {}, "post"),
    ("import_confirm", {}, "post"),
    ("import_template", {"fmt": "csv"}, "get"),
    ("funnel", {}, "get"),
    ("staff", {}, "get"),
    ("staff", {}, "post"),
    ("staff_assign", {"user_id": 1}, "post"),
    ("staff_unassign", {"user_id": 1, "county_code": "410225"}, "post"),
    ("activate", {}, "post"),
]
# A job's pages (admins only; an unknown job is a 404 for them: tests/partners/test_cohort.py).
JOB_URLS = [("job", {"job_id": 1}, "get"), ("job_sheet", {"job_id": 1}, "get")]
# Training is run by county staff too (their counties; tests/partners/test_training.py).
TRAINING_URLS = [
    ("training", {}, "get"),
    ("training", {}, "post"),
    ("training_courses", {}, "get"),
    ("training_session", {"session_id": 1}, "get"),
    ("training_session", {"session_id": 1}, "post"),
]


def test_every_onboarding_url_is_in_the_guard_table():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["onboarding"][1]
    names = {name for name in namespace.reverse_dict if isinstance(name, str)}
    assert names == {name for name, _kwargs, _method in ONBOARDING_URLS + TRAINING_URLS + JOB_URLS}


@pytest.mark.parametrize(("name", "kwargs", "method"), JOB_URLS)
def test_job_pages_are_for_admins_only(request, client, name, kwargs, method):
    url = reverse(f"onboarding:{name}", kwargs=kwargs)
    assert client.get(url).status_code == 302
    for who in ("alice", "carol"):
        user = request.getfixturevalue(who)
        client.force_login(getattr(user, "user", user))
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(("name", "kwargs", "method"), TRAINING_URLS)
def test_training_is_for_admins_and_county_staff_only(request, client, name, kwargs, method):
    url = reverse(f"onboarding:{name}", kwargs=kwargs)
    assert getattr(client, method)(url).status_code == 302  # anonymous: to the login page
    for user in (request.getfixturevalue("alice").user, UserFactory(username="nobody")):
        client.force_login(user)
        assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("name", "kwargs", "method"), ONBOARDING_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, kwargs, method):
    url = reverse(f"onboarding:{name}", kwargs=kwargs)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("who", ["alice", "carol", "plain_user"])
@pytest.mark.parametrize(("name", "kwargs", "method"), ONBOARDING_URLS)
def test_partners_county_staff_and_other_users_get_403(request, client, who, name, kwargs, method):
    user = UserFactory(username="nobody") if who == "plain_user" else request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    response = getattr(client, method)(reverse(f"onboarding:{name}", kwargs=kwargs))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs", "method"), [u for u in ONBOARDING_URLS if u[2] == "get"])
def test_admins_by_group_reach_every_page(client, plain_admin, name, kwargs, method):
    partner = PartnerFactory()
    kwargs = {key: partner.pk if key.endswith("_id") else value for key, value in kwargs.items()}
    client.force_login(plain_admin)
    assert client.get(reverse(f"onboarding:{name}", kwargs=kwargs)).status_code == 200


def test_admin_nav_links_to_the_workspace(admin_client_en):
    response = admin_client_en.get(reverse("onboarding:list"))
    assert f'href="{reverse("onboarding:list")}"' in response.content.decode()


# ── Public application form ──────────────────────────────────────────────────


@pytest.fixture
def villages(county_a, county_b):
    return {
        "东坝头村": VillageFactory(county=county_a, name="东坝头村"),
        "许河村": VillageFactory(county=county_a, name="许河村"),
        "南仁村": VillageFactory(county=county_b, name="南仁村"),
    }


def application(villages, **overrides):
    data = {
        "real_name": "刘晓燕",
        "phone": "139 1234 5678",
        "county": "410225",
        "village": villages["东坝头村"].pk,
        "previous_occupation": "小卖部",
        "motivation": "想帮乡亲们网购",
        "service_point_address": "",
    }
    return {**data, **overrides}


def test_the_form_lists_counties_by_province_and_no_villages_yet(english, villages):
    response = english.get(reverse("partner_apply"))
    html = page_text(response)
    assert response.status_code == 200
    assert '<optgroup label="Henan" data-province="41">' in html and '<option value="410225">兰考县</option>' in html
    assert 'name="village" id="id_village" disabled' in html
    assert 'hx-get="/apply/villages/"' in html
    assert 'name="show_villages"' in html  # inside <noscript>: the no-JavaScript path


def test_without_javascript_next_shows_the_countys_villages_without_errors(english, villages):
    response = english.post(reverse("partner_apply"), {"real_name": "刘晓燕", "county": "410225", "show_villages": "1"})
    html = page_text(response)
    assert ">东坝头村</option>" in html and ">许河村</option>" in html and "南仁村" not in html
    assert 'value="刘晓燕"' in html
    assert "errorlist" not in html
    assert '<option value="410225" selected>' in html


def test_htmx_swaps_in_the_village_select(english, villages):
    response = english.get(reverse("partner_apply_villages"), {"county": "610431"}, HTTP_HX_REQUEST="true")
    html = page_text(response)
    assert html.startswith('<div class="field" id="village-field">')
    assert ">南仁村</option>" in html and "东坝头村" not in html


def test_an_application_creates_an_applied_partner_and_thanks(english, villages):
    response = english.post(reverse("partner_apply"), application(villages))
    assert response.status_code == 302 and response["Location"] == reverse("partner_apply_thanks")
    partner = Partner.objects.get(phone="13912345678")
    assert (partner.status, partner.village.name, partner.motivation) == ("applied", "东坝头村", "想帮乡亲们网购")
    assert list(partner.status_changes.values_list("from_status", "to_status")) == [("", "applied")]
    assert english.get(response["Location"]).status_code == 200


def test_a_phone_that_applied_is_thanked_like_a_new_one_and_told_by_sms(english, villages):
    # "already applied" would tell anyone which numbers are partners' (issue 18, item 4)
    english.post(reverse("partner_apply"), application(villages))
    response = english.post(reverse("partner_apply"), application(villages, real_name="别人"))
    assert response.status_code == 302 and response["Location"] == reverse("partner_apply_thanks")
    assert Partner.objects.count() == 1
    assert Message.objects.get(to="13912345678").template == "application_duplicate"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "1234"}, "phone", "mainland China mobile number"),
        ({"real_name": ""}, "real_name", "Enter your name."),
        ({"motivation": ""}, "motivation", "Tell us in a few words why you want to be a village partner."),
        ({"county": ""}, "county", "Choose your county."),
        ({"village": ""}, "village", "Choose your village."),
    ],
)
def test_bad_input_is_shown_next_to_the_field(english, villages, overrides, field, message):
    response = english.post(reverse("partner_apply"), application(villages, **overrides))
    html = page_text(response)
    assert response.status_code == 200
    error = re.search(rf'<ul class="errorlist" id="error-{field}">(.*?)</ul>', html)
    assert error and message in error.group(1)
    assert Partner.objects.count() == 0


def test_an_empty_form_says_what_each_field_wants_once(client, villages):
    # given the Chinese page, sent empty
    html = page_text(client.post(reverse("partner_apply"), {}))
    # then each missing field says what it wants, under itself and once; no generic message repeats
    errors = re.findall(r'<ul class="errorlist" id="error-([a-z_]+)"><li>(.*?)</li></ul>', html)
    assert errors == [
        ("real_name", "请填写您的姓名。"),
        ("phone", "请填写您的手机号。"),
        ("county", "请选择您所在的县。"),
        ("village", "请选择您所在的村。"),
        ("motivation", "请简单说说您为什么想当村淘合伙人。"),
    ]
    assert "该字段是必填项" not in html and html.count('role="alert"') == 1


def test_the_province_select_comes_first_for_scripts(english, villages, county_a):
    html = page_text(english.get(reverse("partner_apply"), {"county": county_a.code}))
    # hidden without JavaScript (the county select is grouped instead); the script shows it
    assert '<div class="field" id="field-province" hidden>' in html
    assert '<option value="41" selected>Henan</option>' in html and '<optgroup label="Henan" data-province="41">' in html
    assert html.index('id="id_province"') < html.index('id="id_county"')
    assert "js/apply/apply.js" in html


def test_the_village_hint_has_no_stray_space_and_marks_villages_with_a_partner(client, villages, county_a):
    partner_in(PartnerStatus.ACTIVE, village=villages["许河村"])
    partner_in(PartnerStatus.APPLIED, village=villages["东坝头村"])  # an applicant is no partner yet
    html = page_text(client.get(reverse("partner_apply_villages"), {"county": county_a.code}))
    assert "兰考县的村。" in html and "兰考县 的村" not in html
    assert ">许河村（已有合伙人）</option>" in html and ">东坝头村</option>" in html
    assert "有 1 个村已有在岗合伙人" in html


def test_the_english_page_shows_english_county_and_province_names(english, villages, county_a, county_b):
    county_a.name_en = "Lankao County"
    county_a.save()
    html = page_text(english.get(reverse("partner_apply")))
    assert '<option value="410225">Lankao County</option>' in html and '<optgroup label="Henan"' in html
    assert '<option value="41">Henan</option>' in html
    # a county without an English name keeps its Chinese one
    assert '<option value="610431">武功县</option>' in html and '<optgroup label="Shaanxi"' in html
    hint = page_text(english.get(reverse("partner_apply_villages"), {"county": county_a.code}))
    assert "Villages of Lankao County." in hint
    # and the Chinese page the Chinese names
    zh = page_text(Client().get(reverse("partner_apply")))
    assert '<option value="410225">兰考县</option>' in zh


def test_a_village_of_another_county_is_refused(english, villages):
    response = english.post(reverse("partner_apply"), application(villages, village=villages["南仁村"].pk))
    assert "This village is not in the county you chose." in page_text(response)
    assert Partner.objects.count() == 0


# ── Workspace list ───────────────────────────────────────────────────────────


@pytest.fixture
def roster(county_a, county_b):
    """Partners across two provinces, statuses and application days."""
    shaanxi_village = VillageFactory(county=county_b, name="南仁村")
    henan_village = VillageFactory(county=county_a, name="东坝头村")
    day = lambda d: dt.datetime(2026, 3, d, 10, tzinfo=dt.UTC)  # noqa: E731
    return {
        "wang": PartnerFactory(real_name="王芳", phone="13800000001", village=henan_village, applied_at=day(1)),
        "li": PartnerFactory(
            real_name="李强", phone="13800000002", village=henan_village, status="reviewing", applied_at=day(5)
        ),
        "zhao": PartnerFactory(real_name="赵敏", phone="13900000003", village=shaanxi_village, applied_at=day(9)),
    }


def listed(client, **params) -> set[str]:
    response = client.get(reverse("onboarding:list"), params)
    assert response.status_code == 200
    return {partner.real_name for partner in response.context["page"].object_list}


def test_the_list_filters_and_searches(admin_client_en, roster):
    client = admin_client_en
    assert listed(client) == {"王芳", "李强", "赵敏"}
    assert listed(client, status="reviewing") == {"李强"}
    assert listed(client, province="61") == {"赵敏"}
    assert listed(client, county="410225") == {"王芳", "李强"}
    assert listed(client, province="41", county="410225", status="applied") == {"王芳"}
    assert listed(client, applied_after="2026-03-05") == {"李强", "赵敏"}
    assert listed(client, applied_before="2026-03-05") == {"王芳", "李强"}
    assert listed(client, applied_after="2026-03-02", applied_before="2026-03-08") == {"李强"}
    assert listed(client, search="赵") == {"赵敏"}
    assert listed(client, search="1390000") == {"赵敏"}
    assert listed(client, search="138 0000 0002") == {"李强"}


def test_bad_filters_are_shown_not_a_500(admin_client_en, roster):
    response = admin_client_en.get(reverse("onboarding:list"), {"applied_after": "yesterday", "status": "x"})
    assert response.status_code == 200
    assert "Enter a valid date." in page_text(response)


def test_the_list_is_paged_with_bounded_queries(admin_client_en, django_assert_max_num_queries, county_a):
    village = VillageFactory(county=county_a)
    PartnerFactory.create_batch(60, village=village)
    with django_assert_max_num_queries(12):
        first = admin_client_en.get(reverse("onboarding:list"))
    assert len(first.context["page"].object_list) == 50
    second = admin_client_en.get(reverse("onboarding:list"), {"page": 2, "county": "410225"})
    assert len(second.context["page"].object_list) == 10
    assert "county=410225&amp;page=1" in page_text(second)


# ── Detail and transitions ───────────────────────────────────────────────────


def transition(client, partner, to_status, reason="", expected=None):
    return client.post(
        reverse("onboarding:transition", kwargs={"partner_id": partner.pk}),
        {"to_status": to_status, "reason": reason, "expected_status": expected or partner.status},
        follow=True,
    )


def test_the_detail_shows_one_button_per_legal_transition(admin_client_en, county_a):
    partner = partner_in(PartnerStatus.REVIEWING, village=VillageFactory(county=county_a))
    html = page_text(admin_client_en.get(reverse("onboarding:detail", kwargs={"partner_id": partner.pk})))
    buttons = set(re.findall(r'id="transition-(\w+)"', html))
    assert buttons == {"approved", "rejected"}
    assert re.search(r'<textarea name="reason" id="reason-rejected"[^>]*required', html)


def test_the_detail_of_an_unknown_partner_is_404(admin_client_en):
    assert admin_client_en.get(reverse("onboarding:detail", kwargs={"partner_id": 999999})).status_code == 404


def test_walking_a_candidate_to_active_records_history_and_shows_the_link_once(admin_client_en, admin_user, county_a):
    # given
    partner = partner_in(PartnerStatus.APPLIED, village=VillageFactory(county=county_a))
    # when
    for status in ("reviewing", "approved", "training", "active"):
        partner.refresh_from_db()
        response = transition(admin_client_en, partner, status, reason=f"step {status}")
        assert response.status_code == 200
    # then
    html = page_text(response)
    partner.refresh_from_db()
    assert partner.status == "active"
    assert 'id="set-password-link"' in html
    link = re.search(r'id="set-password-url" value="([^"]+)"', html) or re.search(
        r'value="(http://testserver/accounts/reset/[^"]+)"', html
    )
    assert link and "/accounts/reset/" in link.group(1)
    history = response.context["partner"].history
    assert [(c.from_status, c.to_status) for c in history] == [
        ("applied", "reviewing"),
        ("reviewing", "approved"),
        ("approved", "training"),
        ("training", "active"),
    ]
    assert {c.changed_by for c in history} == {admin_user}
    assert "step training" in html
    # when: the page is loaded again
    again = page_text(admin_client_en.get(reverse("onboarding:detail", kwargs={"partner_id": partner.pk})))
    # then: the link is gone
    assert "/accounts/reset/" not in again


def test_the_set_password_link_lets_the_partner_set_a_password_and_log_in(admin_client_en, county_a):
    # given: an activated partner and the link the admin was shown
    partner = partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=county_a))
    html = page_text(transition(admin_client_en, partner, "active"))
    url = re.search(r'value="http://testserver(/accounts/reset/[^"]+)"', html).group(1)
    browser = Client()
    # when
    landing = browser.get(url, follow=True)
    assert landing.context["validlink"]
    done = browser.post(
        landing.redirect_chain[-1][0], {"new_password1": "Cun-tao-2026!", "new_password2": "Cun-tao-2026!"}
    )
    # then
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert browser.login(username=partner.phone, password="Cun-tao-2026!")
    # and the link is spent
    assert not Client().get(url, follow=True).context["validlink"]


def test_a_stale_button_is_refused_with_a_message(admin_client_en, county_a):
    partner = partner_in(PartnerStatus.REVIEWING, village=VillageFactory(county=county_a))
    response = transition(admin_client_en, partner, "reviewing", expected="applied")
    assert "someone changed it meanwhile" in page_text(response)
    partner.refresh_from_db()
    assert partner.status == "reviewing"


def test_an_illegal_transition_posted_by_hand_is_refused(admin_client_en, county_a):
    partner = partner_in(PartnerStatus.APPLIED, village=VillageFactory(county=county_a))
    response = transition(admin_client_en, partner, "active")
    assert "cannot go from" in page_text(response)
    partner.refresh_from_db()
    assert partner.status == "applied"


def test_rejecting_without_a_reason_asks_for_one(admin_client_en, county_a):
    partner = partner_in(PartnerStatus.REVIEWING, village=VillageFactory(county=county_a))
    response = transition(admin_client_en, partner, "rejected", reason=" ")
    assert "Give a reason for this change." in page_text(response)
    partner.refresh_from_db()
    assert partner.status == "reviewing"


def test_a_second_active_partner_in_the_village_is_refused_with_the_holders_name(admin_client_en, alice):
    candidate = partner_in(PartnerStatus.TRAINING, village=alice.village)
    response = transition(admin_client_en, candidate, "active")
    assert f"This village already has an active partner: {alice.real_name}." in page_text(response)
    assert "/accounts/reset/" not in page_text(response)


def test_a_new_set_password_link_for_an_active_partner(admin_client_en, alice):
    response = admin_client_en.post(
        reverse("onboarding:set_password_link", kwargs={"partner_id": alice.pk}), follow=True
    )
    assert "/accounts/reset/" in page_text(response)


def test_no_set_password_link_for_a_partner_without_login(admin_client_en, county_a):
    partner = partner_in(PartnerStatus.APPLIED, village=VillageFactory(county=county_a))
    response = admin_client_en.post(
        reverse("onboarding:set_password_link", kwargs={"partner_id": partner.pk}), follow=True
    )
    assert "Only an active partner" in page_text(response)


# ── Bulk import in the workspace ─────────────────────────────────────────────


@pytest.fixture
def import_villages(county_a):
    return VillageFactory(county=county_a, name="东坝头村")


ROWS = [["王小明", "13800000001", "410225", "东坝头村", "", ""], ["李红", "13800000002", "410225", "东坝头村", "", ""]]


def upload(client, content, name, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content), "status": "applied", **fields}
    return client.post(reverse("onboarding:import"), data)


@pytest.mark.parametrize("fmt", ["csv_bom", "xlsx"])
def test_upload_shows_a_dry_run_then_the_confirm_button_imports(admin_client_en, import_villages, fmt):
    # when: upload
    content, name = partner_file(fmt, CHINESE, ROWS)
    response = upload(admin_client_en, content, name, status="approved")
    # then: a report, nothing imported, a confirm button
    html = page_text(response)
    assert response.context["report"].created == 2
    assert 'id="import-confirm"' in html
    assert Partner.objects.count() == 0
    token = response.context["pending"]["token"]
    assert (IMPORT_UPLOAD_DIR / f"{token}.upload").exists()
    # when: confirm
    done = admin_client_en.post(reverse("onboarding:import_confirm"), {"token": token}, follow=True)
    # then
    assert "Imported 2 partners" in page_text(done)
    assert set(Partner.objects.values_list("status", flat=True)) == {"approved"}
    assert not (IMPORT_UPLOAD_DIR / f"{token}.upload").exists()
    # when: the same confirmation again
    again = admin_client_en.post(reverse("onboarding:import_confirm"), {"token": token}, follow=True)
    assert "no longer waiting" in page_text(again)
    assert Partner.objects.count() == 2


def test_upload_with_bad_rows_lists_them_and_offers_no_confirmation(admin_client_en, import_villages):
    content, name = partner_file("csv", ENGLISH, [*ROWS, ["", "13800000002", "999999", "东坝头村", "", ""]])
    response = upload(admin_client_en, content, name)
    html = page_text(response)
    assert 'data-ok="false"' in html
    assert 'id="import-confirm"' not in html
    assert '<td class="num">4</td><td>name</td>' in html
    assert "Unknown county code 999999." in html
    assert Partner.objects.count() == 0


def test_upload_of_an_unreadable_file_is_a_form_error(admin_client_en):
    response = upload(admin_client_en, b"PK\x03\x04rubbish", "x.xlsx")
    assert response.status_code == 200
    assert "cannot be opened as an Excel workbook" in page_text(response)


def test_upload_of_another_file_type_is_refused(admin_client_en):
    response = upload(admin_client_en, b"hello", "x.pdf")
    assert "Upload a .csv or .xlsx file." in page_text(response)


def test_upload_cannot_choose_active(admin_client_en, import_villages):
    content, name = partner_file("csv", ENGLISH, ROWS)
    response = upload(admin_client_en, content, name, status="active")
    assert response.context["form"].errors["status"]
    assert Partner.objects.count() == 0


# ── Recruitment funnel ───────────────────────────────────────────────────────


def test_the_funnel_counts_per_status_county_and_province_and_the_median(admin_client_en, county_a, county_b):
    # given
    henan, shaanxi = VillageFactory(county=county_a), VillageFactory(county=county_b)
    applied = timezone.now() - dt.timedelta(days=30)
    for days, village in ((10, henan), (20, VillageFactory(county=county_a)), (40, shaanxi)):
        PartnerFactory(active=True, village=village, applied_at=applied, activated_at=applied + dt.timedelta(days=days))
    PartnerFactory.create_batch(3, village=henan)
    PartnerFactory(village=shaanxi, status="rejected")
    # when
    response = admin_client_en.get(reverse("onboarding:funnel"))
    # then
    funnel = response.context["funnel"]
    assert funnel.national.total == 7
    henan_row = next(row for row in funnel.provinces if row.code == "41")
    assert henan_row.counts["active"] == 2 and henan_row.counts["applied"] == 3
    lankao = next(row for row in funnel.counties if row.code == "410225")
    assert lankao.total == 5
    assert funnel.median_days_to_active == 20.0 and funnel.activated == 3
    # when: one province
    only_shaanxi = admin_client_en.get(reverse("onboarding:funnel"), {"province": "61"}).context["funnel"]
    assert [row.code for row in only_shaanxi.counties] == ["610431"]
    assert only_shaanxi.median_days_to_active == 40.0


def test_the_funnel_is_one_group_by_query_and_one_median(django_assert_num_queries, county_a):
    from partners.selectors import recruitment_funnel

    PartnerFactory.create_batch(3, village=VillageFactory(county=county_a))
    other = CountyFactory(province=ProvinceFactory(code="51", name="四川省"))
    PartnerFactory(village=VillageFactory(county=other), status="training")
    with django_assert_num_queries(2):
        funnel = recruitment_funnel()
    assert funnel.median_days_to_active is None
    assert [row.code for row in funnel.provinces] == ["41", "51"]


def test_the_django_admin_change_page_links_to_the_workspace(admin_client_en, alice):
    response = admin_client_en.get(reverse("admin:partners_partner_change", args=[alice.pk]))
    assert response.status_code == 200
    assert reverse("onboarding:detail", kwargs={"partner_id": alice.pk}) in response.content.decode()


def test_the_set_password_link_comes_with_a_copy_button_a_qr_code_and_its_expiry(admin_client_en, alice, settings):
    # issue 19, point 19: the link is handed over by copy, by QR code, and says until when it works
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    before = timezone.localtime()
    html = page_text(
        admin_client_en.post(reverse("onboarding:set_password_link", kwargs={"partner_id": alice.pk}), follow=True)
    )
    url = re.search(r'id="set-password-url" aria-label="[^"]+" value="([^"]+)"|value="([^"]+)" id="set-password-url"', html)
    url = url.group(1) or url.group(2)
    assert "/accounts/reset/" in url
    assert 'id="copy-set-password-url" data-copy="#set-password-url"' in html
    assert qr_svg(url).strip() in html  # the QR code carries exactly this link
    expiry = re.search(r'id="set-password-expiry">Works once, until (\d{4}-\d\d-\d\d \d\d:\d\d)\.', html).group(1)
    expected = {(before + dt.timedelta(days=3, minutes=m)).strftime("%Y-%m-%d %H:%M") for m in (0, 1)}
    assert expiry in expected
