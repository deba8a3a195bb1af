"""Oversized bodies and NUL characters are refused with a clear message, never a 500."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_oversized_body_is_refused_before_it_is_read(settings, admin_user):
    client = Client()
    client.force_login(admin_user)
    big = b"x" * (settings.MAX_REQUEST_BYTES + 1)
    api = client.post("/api/v1/orders/", data=big, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    page = client.post(
        "/onboarding/import/", data=big, content_type="application/octet-stream", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert api.status_code == 413
    # Refused before the locale middleware reads the request: the message is in the default language.
    assert list(api.json()) == ["detail"] and "25 MB" in api.json()["detail"]
    assert page.status_code == 413
    assert "25 MB" in page.content.decode()


@pytest.mark.parametrize("url", ["/apply/?county=41%00", "/api/v1/orders/?status=%00"])
def test_nul_characters_are_a_400(url, admin_user):
    client = Client()
    client.force_login(admin_user)
    assert client.get(url).status_code == 400


def test_a_large_form_field_is_a_400_not_a_500(client):
    response = client.post("/apply/", {"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 400
