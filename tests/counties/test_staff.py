"""County staff logins: the admin's pages under /onboarding/staff/ and the
add_county_staff command (counties/staff.py)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse

from counties.models import CountyStaffAssignment
from partners.selectors import partners_visible_to
from tests.support.commands import call
from tests.support.factories import PartnerFactory, UserFactory, VillageFactory
from tests.support.pages import page_text

pytestmark = pytest.mark.django_db


# ── County staff accounts ────────────────────────────────────────────────────


def test_admin_creates_a_staff_login_with_counties_and_gets_a_link(admin_client_en, county_a, county_b):
    response = admin_client_en.post(
        reverse("onboarding:staff"), {"username": "zhou", "counties": "410225, 610431", "password": ""}, follow=True
    )
    html = page_text(response)
    user = User.objects.get(username="zhou")
    assert set(user.county_assignments.values_list("county__code", flat=True)) == {"410225", "610431"}
    assert user.groups.filter(name="county_staff").exists()
    assert "/accounts/reset/" in html
    assert 'data-username="zhou"' in html


def test_staff_creation_errors_are_shown(admin_client_en, county_a, carol):
    response = admin_client_en.post(reverse("onboarding:staff"), {"username": "carol", "counties": "999999"})
    form = response.context["form"]
    assert "username" in form.errors and "counties" in form.errors
    phone = admin_client_en.post(reverse("onboarding:staff"), {"username": "13800000000", "counties": "410225"})
    assert "username" in phone.context["form"].errors
    weak = admin_client_en.post(
        reverse("onboarding:staff"), {"username": "zhou", "counties": "410225", "password": "123"}
    )
    assert "password" in weak.context["form"].errors
    assert not User.objects.filter(username="zhou").exists()


def test_removing_an_assignment_takes_effect_on_the_next_request(admin_client_en, carol, county_a, county_b):
    # given: carol sees county A's partners
    PartnerFactory(village=VillageFactory(county=county_a))
    carol_client = Client()
    carol_client.force_login(carol)
    assert partners_visible_to(carol_client.get("/").wsgi_request.user).count() == 1
    # when: the admin adds county B, then removes county A
    admin_client_en.post(reverse("onboarding:staff_assign", kwargs={"user_id": carol.pk}), {"county": "610431"})
    admin_client_en.post(reverse("onboarding:staff_unassign", kwargs={"user_id": carol.pk, "county_code": "410225"}))
    # then: her next request no longer sees county A
    assert set(CountyStaffAssignment.objects.filter(user=carol).values_list("county__code", flat=True)) == {"610431"}
    assert partners_visible_to(carol_client.get("/").wsgi_request.user).count() == 0


def test_assigning_an_unknown_county_is_a_message(admin_client_en, carol):
    response = admin_client_en.post(
        reverse("onboarding:staff_assign", kwargs={"user_id": carol.pk}), {"county": "123456"}, follow=True
    )
    assert "Unknown county code." in page_text(response)


def test_assigning_to_a_non_staff_user_is_404(admin_client_en, alice, county_a):
    response = admin_client_en.post(
        reverse("onboarding:staff_assign", kwargs={"user_id": alice.user.pk}), {"county": "410225"}
    )
    assert response.status_code == 404


def test_the_staff_list_has_bounded_queries(admin_client_en, county_a, django_assert_max_num_queries):
    for n in range(5):
        user = UserFactory(username=f"staff{n}", groups=["county_staff"])
        CountyStaffAssignment.objects.create(user=user, county=county_a)
    with django_assert_max_num_queries(12):
        response = admin_client_en.get(reverse("onboarding:staff"))
    assert len(re.findall(r'data-username="staff\d"', page_text(response))) == 5


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
