"""Login throttling (django-axes): after KEEL_LOGIN_FAILURE_LIMIT (5) wrong passwords for one
username from one address, even the right password is refused with 429 for 15 minutes, on the
dashboard login, the admin login and the token endpoint; another address is not affected."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

LIMIT = 5


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@acme.test", "right-pass")


def _post(path: str, password: str, address: str = "203.0.113.7"):
    client = Client(REMOTE_ADDR=address)
    if path.startswith("/api/"):
        body = {"username": "root", "password": password}
        return client.post(path, body, content_type="application/json")
    return client.post(path, {"username": "root", "password": password})


@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/api/v1/auth/token/"])
def test_forty_wrong_passwords_lock_the_right_one_out(root, path) -> None:
    for _ in range(40):
        assert _post(path, "wrong").status_code in (200, 401, 429)
    locked = _post(path, "right-pass")
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert "too many failed logins: try again in 15 minutes" in locked.content.decode().lower()
    other = _post(path, "right-pass", address="198.51.100.9")
    assert other.status_code in (201, 302), other.status_code


@pytest.mark.parametrize("path", ["/login/", "/api/v1/auth/token/"])
def test_fewer_failures_than_the_limit_still_log_in(root, path) -> None:
    for _ in range(LIMIT - 1):
        _post(path, "wrong")
    assert _post(path, "right-pass").status_code in (201, 302)
    for _ in range(LIMIT - 1):  # a success resets the count
        _post(path, "wrong")
    assert _post(path, "right-pass").status_code in (201, 302)


def test_the_api_lockout_is_json(root) -> None:
    for _ in range(LIMIT):
        _post("/api/v1/auth/token/", "wrong")
    locked = _post("/api/v1/auth/token/", "right-pass")
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["detail"].startswith("too many failed logins")
