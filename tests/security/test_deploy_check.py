"""`manage.py check --deploy` with the production settings fails on any warning: the clean run
in tests/test_deploy_settings.py would catch a regression (controls for that test)."""

import pytest

from tests.test_deploy_settings import run_check

SECRETS = {
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-0123456789",
    "KEEL_ENCRYPTION_KEY": "another-long-random-key-for-encrypting-secrets",
    "ALLOWED_HOSTS": "keel.example.com",
    "KEEL_BASE_URL": "https://keel.example.com",
}


@pytest.mark.parametrize(
    ("extra_env", "warning"),
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECRET_KEY": "short"}, "security.W009"),
        ({"KEEL_ENCRYPTION_KEY": "x"}, "keel.W001"),
        ({"KEEL_ENCRYPTION_KEY": "a" * 64}, "keel.W001"),  # long, but one character
        ({"KEEL_ENCRYPTION_KEY": SECRETS["SECRET_KEY"]}, "keel.W001"),
        ({"KEEL_ENCRYPTION_KEY": "change-me-to-another-long-random-string"}, "keel.W001"),
        # Digest and alert links would open the reader's own machine.
        ({"KEEL_BASE_URL": "http://127.0.0.1:8000"}, "keel.W002"),
        ({"KEEL_BASE_URL": "http://localhost:8080"}, "keel.W002"),
    ],
)
def test_a_weakened_production_setting_fails_the_check(extra_env, warning) -> None:
    result = run_check({**SECRETS, **extra_env})
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_servers_and_workers_default_to_production_settings() -> None:
    # A forgotten DJANGO_SETTINGS_MODULE must not mean DEBUG and a known SECRET_KEY: the WSGI
    # and ASGI apps and the Celery app start with production settings, which need the secrets.
    import os
    import subprocess
    import sys

    from tests.test_deploy_settings import ROOT

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "KEEL_ENCRYPTION_KEY")
    }
    for module in ("config.wsgi", "config.asgi"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env, capture_output=True
        )
        assert result.returncode != 0 and b"SECRET_KEY" in result.stderr, module
    probe = "import os, config.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "config.settings.production"
