"""The server's word on who is logged in, for the service worker (issue 18, item 7): every
HTML answer carries X-RT-User, and /pwa/user/ answers {"user": id | null}, never cached."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_html_answers_name_their_user_and_nobody_when_anonymous(client, alice):
    login_page = client.get(reverse("login"))
    assert login_page["X-RT-User"] == ""
    client.force_login(alice.user)
    home = client.get(reverse("partner_home"))
    assert home.status_code == 200 and home["Content-Type"].startswith("text/html")
    assert home["X-RT-User"] == str(alice.user.pk)


def test_non_html_answers_carry_no_identity_header(client, alice):
    client.force_login(alice.user)
    assert "X-RT-User" not in client.get(reverse("pwa-service-worker"))
    assert "X-RT-User" not in client.get(reverse("pwa-user"))


def test_the_current_user_endpoint_answers_the_session_user_uncached(client, alice, bob):
    url = reverse("pwa-user")
    assert url == "/pwa/user/"
    anonymous = client.get(url)
    assert anonymous.json() == {"user": None}
    assert "no-store" in anonymous["Cache-Control"]
    client.force_login(alice.user)
    assert client.get(url).json() == {"user": alice.user.pk}
    client.force_login(bob.user)  # another login on the same browser
    assert client.get(url).json() == {"user": bob.user.pk}


def test_the_worker_reads_the_servers_word(client):
    script = client.get(reverse("pwa-service-worker")).content.decode()
    assert '"currentUser":"/pwa/user/"' in script
    assert 'headers.get("X-RT-User")' in script
