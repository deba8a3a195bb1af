"""The recruitment funnel as a funnel (issue 19, point 21): who reached each onboarding
step, the conversion from step to step and the median days each step took, against a
recomputation from the partners' histories, on both code paths (PostgreSQL's one query
and the per-partner rows SQLite uses)."""

import datetime as dt
import statistics

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partners.models import PartnerStatusChange
from partners.selectors import CONVERSION_PATH, recruitment_conversion
from tests.support.factories import CountyFactory, PartnerFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db
START = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))

def _walk(village, path, days):
    """A partner whose history walks ``path`` (statuses), ``days[i]`` days per step."""
    partner = PartnerFactory(village=village, status=path[-1], applied_at=START, active=path[-1] == "active")
    at, previous = START, "applied"
    for status, span in zip(path[1:], days, strict=True):
        at += dt.timedelta(days=span)
        PartnerStatusChange.objects.create(partner=partner, from_status=previous, to_status=status, changed_at=at)
        previous = status
    return partner

@pytest.fixture
def histories(county_a):
    other = CountyFactory(province=ProvinceFactory(code="51", name="四川省"), code="511111", name="某县")
    walks = [
        (["applied"], []),
        (["applied"], []),
        (["applied", "reviewing"], [2]),
        (["applied", "reviewing", "rejected"], [1, 3]),
        (["applied", "reviewing", "approved"], [4, 5]),
        (["applied", "reviewing", "approved", "training"], [1, 2, 7]),
        (["applied", "reviewing", "approved", "training", "active"], [3, 1, 2, 10]),
        (["applied", "reviewing", "approved", "training", "active", "exited"], [5, 6, 1, 20, 90]),
    ]
    made = []
    for path, days in walks:
        made.append((path, days, _walk(VillageFactory(county=county_a), path, days)))
    # one in another province, and one imported straight into "active" (no history)
    made.append((["applied", "reviewing"], [8], _walk(VillageFactory(county=other), ["applied", "reviewing"], [8])))
    PartnerFactory(village=VillageFactory(county=county_a), active=True, applied_at=START)
    return made

def _recompute(histories, imported_active=1):
    order = [s.value for s in CONVERSION_PATH]
    reached = [0] * len(order)
    spans = [[] for _ in order[1:]]
    for path, days, _partner in histories:
        on_path = [s for s in path if s in order]
        top = order.index(on_path[-1])
        if path[-1] == "exited":
            top = order.index("active")
        for i in range(top + 1):
            reached[i] += 1
        for i, span in enumerate(days):
            if path[i + 1] in order:
                spans[order.index(path[i + 1]) - 1].append(span)
    for i in range(len(order)):
        reached[i] += imported_active
    return reached, [round(statistics.median(s), 1) if s else None for s in spans]

@pytest.mark.parametrize("path", ["database", "python"])
def test_the_conversion_matches_a_recomputation_from_the_histories(histories, path, monkeypatch):
    if path == "python":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    steps = recruitment_conversion()
    reached, medians = _recompute(histories)
    assert [s.reached for s in steps] == reached == [10, 8, 5, 4, 3]
    assert [s.median_days for s in steps[1:]] == medians
    assert steps[0].rate is None
    assert [round(s.rate, 4) for s in steps[1:]] == [round(b / a, 4) for a, b in zip(reached[:-1], reached[1:], strict=True)]

def test_one_province(histories):
    steps = recruitment_conversion(province_code="51")
    assert [s.reached for s in steps] == [1, 1, 0, 0, 0]
    assert steps[1].median_days == 8.0
    assert steps[2].rate == 0 and steps[3].rate is None

def test_the_onboarding_funnel_page_shows_conversion_and_days(admin_client_en, histories):
    html = admin_client_en.get(reverse("onboarding:funnel")).content.decode()
    assert 'id="conversion-table"' in html
    assert 'data-step="reviewing" data-reached="8"' in html
    assert "80%" in html  # 8 of 10 applicants reached review
    assert 'data-step="active" data-reached="3" data-median-days="15.0"' in html and "15.0 d" in html

def test_the_national_dashboard_funnel_is_a_funnel(admin_client_en, histories):
    html = admin_client_en.get(reverse("dashboards:national")).content.decode()
    assert 'id="conversion-table"' in html
    assert 'data-step="approved" data-reached="5"' in html

def test_no_history_at_all_is_not_a_division_by_zero(db):
    steps = recruitment_conversion()
    assert [s.reached for s in steps] == [0, 0, 0, 0, 0]
    assert all(s.rate is None and s.median_days is None for s in steps)

def test_one_query(histories, django_assert_num_queries):
    with django_assert_num_queries(1):
        recruitment_conversion()

