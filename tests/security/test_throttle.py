"""The API throttles a client that floods it (429 with Retry-After) while others are served,
with the production throttle classes; production counts in Redis, shared by every worker.

Test settings switch throttling off, and DRF binds `APIView.throttle_classes` and
`SimpleRateThrottle.THROTTLE_RATES` when it is imported, so `override_settings` alone cannot
switch it back on: the tests patch those two class attributes with the classes and rates of
config/settings/base.py (the rate lowered to 5/minute) and give each test a fresh cache.
"""

import importlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils.module_loading import import_string
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from apps.accounts.tokens import api_token_create
from config.settings import base

RATE = 5  # requests per minute
URL = "/api/v1/teams/"


@contextmanager
def production_throttle(cache: dict) -> Iterator[None]:
    """The production throttle classes at RATE/minute, over the cache `cache`."""
    classes = [import_string(path) for path in base.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]]
    rates = {scope: f"{RATE}/minute" for scope in base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    with (
        mock.patch.object(APIView, "throttle_classes", classes),
        mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", rates),
        override_settings(CACHES={"default": cache}),
    ):
        yield


def locmem() -> dict:
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"throttle-{uuid.uuid4()}",
    }


def token_client(username: str) -> Client:
    user = get_user_model().objects.create_user(username, f"{username}@acme.test", "pw")
    return Client(headers={"Authorization": f"Token {api_token_create(user=user).token}"})


def test_production_throttles_authenticated_clients_per_user() -> None:
    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.UserRateThrottle"
    ]
    assert set(base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) == {"user"}


def test_a_flooding_client_gets_429_while_another_is_served(db) -> None:
    flood, other = token_client("flood"), token_client("other")
    now = [1_000_000.0]
    with (
        production_throttle(locmem()),
        mock.patch.object(SimpleRateThrottle, "timer", lambda self: now[0]),
    ):
        assert [flood.get(URL).status_code for _ in range(RATE)] == [200] * RATE
        refused = flood.get(URL)
        assert refused.status_code == 429
        assert refused.json()["detail"].startswith("Request was throttled.")
        assert int(refused["Retry-After"]) == 60  # the oldest request leaves the window then
        # Another client from the same address is still served: the limit is per user.
        assert other.get(URL).status_code == 200
        now[0] += 30
        assert flood.get(URL).status_code == 429
        assert int(flood.get(URL)["Retry-After"]) == 30
        now[0] += 31  # the window has moved past the flood
        assert flood.get(URL).status_code == 200


def _production_caches(monkeypatch: pytest.MonkeyPatch, extra_env: dict[str, str]) -> dict:
    """CACHES["default"] of config/settings/production.py read with `extra_env` (the module is
    re-imported; the settings this test process runs with are not touched)."""
    for name in ("CACHE_URL", "CELERY_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "SECRET_KEY": "s" * 50,
        "KEEL_ENCRYPTION_KEY": "e" * 50,
        "ALLOWED_HOSTS": "keel.example.com",
        **extra_env,
    }.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(importlib.import_module("config.settings.production")).CACHES["default"]


@pytest.mark.parametrize(
    ("extra_env", "location"),
    [
        ({}, "redis://127.0.0.1:6379/1"),
        (
            {"CELERY_BROKER_URL": "redis://:pw@redis.internal:6380/0"},
            "redis://:pw@redis.internal:6380/1",
        ),
        ({"CACHE_URL": "redis://cache.internal:6379/4"}, "redis://cache.internal:6379/4"),
    ],
)
def test_production_throttle_counts_in_redis_shared_by_all_workers(
    monkeypatch, extra_env, location
) -> None:
    # A LocMem cache would count per gunicorn worker: N workers would allow N times the rate.
    cache = _production_caches(monkeypatch, extra_env)
    assert cache == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}


BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.skipif(not BROKER.startswith("redis"), reason="needs Redis (CELERY_BROKER_URL)")
def test_the_count_survives_a_new_cache_connection_in_redis(db) -> None:
    # Two cache connections stand for two gunicorn workers: requests counted through the first
    # are seen through the second. A unique key prefix keeps the keys apart from anything else.
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": BROKER,
        "KEY_PREFIX": f"keel-test-{uuid.uuid4()}",
    }
    flood = token_client("flood")
    with production_throttle(cache):
        assert [flood.get(URL).status_code for _ in range(RATE)] == [200] * RATE
    with production_throttle(dict(cache)):  # a fresh connection pool
        refused = flood.get(URL)
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        from django.core.cache import cache as redis_cache

        redis_cache.delete(f"throttle_user_{get_user_model().objects.get(username='flood').pk}")
