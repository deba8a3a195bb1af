"""County centre staff across the whole API (issue 16): erin works at county A's centre,
frank at county B's. They move parcels of their own county only and see nothing else: no
order lists, dashboards' money, flags, statements, partners or the outbox. Every endpoint
of the permission matrix is tried as each of them; what is not named below must be 403."""

import pytest
from rest_framework.test import APIClient

from tests.api.test_permission_matrix import MATRIX, objects  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

# (route name, method) → {actor: status}, where a centre login gets anything but 403.
ALLOWED = {
    ("api-token", "post"): {"erin": 400, "frank": 400},  # the login itself (bad password)
    ("api-logout-others", "post"): {"erin": 200, "frank": 200},  # signing their own login out elsewhere
    ("api-schema", "get"): {"erin": 200, "frank": 200},
    ("api-docs", "get"): {"erin": 200, "frank": 200},
    # the centre's own endpoints: an empty body is a 400; another county's order a 404
    ("api-centre-receive", "post"): {"erin": 400, "frank": 400},
    ("api-centre-dispatch", "post"): {"erin": 400, "frank": 400},
    ("api-centre-hand-over", "post"): {"erin": 400, "frank": 404},
}

ROWS = [(name, method, template, body) for name, method, template, body, _ in MATRIX]
CASES = [(row, actor) for row in dict.fromkeys(ROWS) for actor in ("erin", "frank")]


@pytest.mark.parametrize(("row", "actor"), CASES, ids=[f"{r[1]} {r[2]} as {a}" for r, a in CASES])
def test_centre_staff_get_only_the_centre(objects, erin, frank, row, actor):  # noqa: F811
    _users, ids, extra = objects
    name, method, template, body = row
    client = APIClient()
    client.force_authenticate({"erin": erin, "frank": frank}[actor])
    data = body() if body else None
    if isinstance(data, dict) and "village" in data and data["village"] is None:
        data["village"] = extra["village"]
    fmt = "multipart" if template.endswith("/import/") else "json"
    response = getattr(client, method)(template.format(**ids), data, format=fmt)
    expected = ALLOWED.get((name, method), {}).get(actor, 403)
    assert response.status_code == expected, (response.status_code, getattr(response, "data", None))


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/",
        "/dashboard/county/{county_a}/",
        "/dashboard/county/{county_a}/export/daily.csv",
        "/counties/{county_a}/",
        "/review/",
        "/partner/",
        "/partner/orders/{order_a}/",
        "/reconciliation/",
        "/platform-orders/import/",
        "/onboarding/",
        "/payouts/",
    ],
)
def test_centre_staff_are_refused_every_other_page(objects, client, erin, admin_user, alice, path):  # noqa: F811
    _users, ids, _extra = objects
    # the page is there (for the one it is for) ...
    client.force_login(alice.user if path.startswith("/partner/") else admin_user)
    assert client.get(path.format(**ids)).status_code == 200, path
    # ... and not for centre staff
    client.force_login(erin)
    response = client.get(path.format(**ids))
    assert response.status_code in (403, 404), (path, response.status_code)
    assert "¥" not in response.content.decode()
