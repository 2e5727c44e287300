"""Production settings pass Django's deployment checklist, and refuse to start without secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "KEEL_ENCRYPTION_KEY")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean() -> None:
    result = run_check(
        {
            "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-0123456789",
            "KEEL_ENCRYPTION_KEY": "another-long-random-key-for-encrypting-secrets",
            "ALLOWED_HOSTS": "keel.example.com",
            "KEEL_BASE_URL": "https://keel.example.com",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key() -> None:
    result = run_check({"ALLOWED_HOSTS": "keel.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
