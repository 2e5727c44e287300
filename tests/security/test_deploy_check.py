"""`manage.py check --deploy` with the production settings fails on any warning: the clean run
in tests/test_deploy_settings.py would catch a regression (controls for that test)."""

import pytest

from tests.test_deploy_settings import run_check

SECRETS = {
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-0123456789",
    "KEEL_ENCRYPTION_KEY": "another-long-random-key-for-encrypting-secrets",
    "ALLOWED_HOSTS": "keel.example.com",
}


@pytest.mark.parametrize(
    ("extra_env", "warning"),
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECRET_KEY": "short"}, "security.W009"),
    ],
)
def test_a_weakened_production_setting_fails_the_check(extra_env, warning) -> None:
    result = run_check({**SECRETS, **extra_env})
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr
